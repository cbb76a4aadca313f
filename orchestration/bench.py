"""`mspkpi bench`: time each step of a run on a generated MSP of a given size.

Every step runs in its own process, so that its wall time and peak memory (max RSS, from
os.wait4) are its own. The floor is DuckDB merely reading the same raw files: the ratio of a step
to the floor says how much the warehouse costs over the unavoidable parse of the input.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.dbt_project import DBT_EXECUTABLE
from orchestration.settings import PROJECT_DIR

SLA_MODELS_PATH = "models/intermediate/sla"

READ_FLOOR_SCRIPT = """
import sys, duckdb
con = duckdb.connect()
total = 0
for pattern in sys.argv[1:]:
    total += con.execute(
        "select count(*) from read_csv(?, header = true, all_varchar = true, union_by_name = true)",
        [pattern],
    ).fetchone()[0]
print(total)
"""


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_memory_mb: float
    rows: int | None = None

    @property
    def rows_per_second(self) -> float | None:
        return round(self.rows / self.seconds) if self.rows and self.seconds else None


def run_step(name: str, command: list[str], env: dict[str, str], rows: int | None = None) -> Step:
    """Run one step in a child process; raise with its output when it fails."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = output.decode(errors="replace")[-3000:]
        raise RuntimeError(f"bench step {name!r} failed ({' '.join(command)}):\n{tail}")
    return Step(name, round(seconds, 2), round(usage.ru_maxrss / 1024, 1), rows)


def _count(database: Path, sql: str) -> int:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


def _sla_model_seconds(target: Path) -> float:
    results = json.loads((target / "run_results.json").read_text())
    return round(
        sum(
            r["execution_time"]
            for r in results["results"]
            if r["unique_id"].startswith("model.")
            and ".int_" in r["unique_id"]
            and any(part in r["unique_id"] for part in ("sla", "calendar_business_intervals"))
        ),
        2,
    )


def run_bench(
    clients: int, months: int, workdir: Path, *, seed: int = 42, sla_only: bool = False
) -> dict:
    workdir.mkdir(parents=True, exist_ok=True)
    raw_dir, database, target = workdir / "raw", workdir / "warehouse.duckdb", workdir / "target"
    for stale in (database, database.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    python = sys.executable
    env = {
        **os.environ,
        "MSPKPI_DUCKDB_PATH": str(database),
        "MSPKPI_RAW_DIR": str(raw_dir),
        "DO_NOT_TRACK": "1",
    }
    env.setdefault("MSPKPI_AS_OF", "2026-11-01")
    dbt = [str(DBT_EXECUTABLE), "--quiet"]
    dbt_args = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    dbt_args += ["--target-path", str(target)]
    cli = [python, "-m", "orchestration.cli"]

    steps = [
        run_step(
            "generate",
            [
                *(*cli, "generate-sample", "--out", str(raw_dir)),
                *("--clients", str(clients), "--months", str(months), "--seed", str(seed)),
            ],
            env,
        )
    ]
    patterns = sorted({str(p.parent / "*.csv") for p in raw_dir.glob("*/*/*.csv")})
    steps.append(run_step("raw_read_floor", [python, "-c", READ_FLOOR_SCRIPT, *patterns], env))
    steps.append(run_step("ingest", [*cli, "ingest", "--raw-dir", str(raw_dir)], env))
    raw_rows = _count(database, "select sum(loaded) from raw._load_audit where status = 'loaded'")
    tickets = _count(database, "select count(distinct ticket_id) from raw.psa__tickets")
    steps[-1] = Step("ingest", steps[-1].seconds, steps[-1].peak_memory_mb, raw_rows)
    steps[1] = Step("raw_read_floor", steps[1].seconds, steps[1].peak_memory_mb, raw_rows)

    selection = ["--select", "+int_ticket_sla_metrics"] if sla_only else []
    name = "dbt_run_sla_models" if sla_only else "dbt_run_all_models"
    build = run_step(name, [*dbt, "run", *selection, *dbt_args], env)
    steps.append(Step(build.name, build.seconds, build.peak_memory_mb, tickets))
    sla_seconds = _sla_model_seconds(target)
    steps.append(Step("sla_engine_models", sla_seconds, build.peak_memory_mb, tickets))

    floor = next(s for s in steps if s.name == "raw_read_floor").seconds
    return {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "clients": clients,
        "months": months,
        "seed": seed,
        "tickets": tickets,
        "raw_rows": raw_rows,
        "steps": [
            {
                **asdict(step),
                "rows_per_second": step.rows_per_second,
                "ratio_to_floor": round(step.seconds / floor, 2) if floor else None,
            }
            for step in steps
        ],
    }


def render(result: dict) -> str:
    lines = [
        f"bench: {result['clients']} clients x {result['months']} months = "
        f"{result['tickets']:,} tickets, {result['raw_rows']:,} raw rows",
        f"  {'step':<20} {'seconds':>9} {'x floor':>8} {'rows/s':>12} {'peak MB':>9}",
    ]
    for step in result["steps"]:
        rate = f"{step['rows_per_second']:,}" if step["rows_per_second"] else "-"
        ratio = step["ratio_to_floor"] if step["ratio_to_floor"] is not None else "-"
        lines.append(
            f"  {step['name']:<20} {step['seconds']:>9} {ratio:>8} {rate:>12} "
            f"{step['peak_memory_mb']:>9}"
        )
    return "\n".join(lines)


def write_result(result: dict, results_dir: Path) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    stamp = result["run_at"][:10]
    path = results_dir / f"{stamp}-{result['clients']}c-{result['months']}m.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path

"""`mspkpi bench`: time each step of a run on a generated MSP of a given size.

Every step runs in its own process, so that its wall time and peak memory (max RSS, from
os.wait4, which covers the step's own children such as dbt's DuckDB) are its own. The floor is
DuckDB merely reading the same raw files: the ratio of a step to the floor says how much the
warehouse costs over the unavoidable parse of the input.

The full bench times, on one generated MSP:

- generate: the sample generator writing the extract files (and the next day's delivery aside);
- raw_read_floor: DuckDB counting the rows of every raw file, nothing else (the fastest of three
  reads);
- ingest: `mspkpi ingest`, contract checks and load into the raw schema;
- full_build: the `dbt build` of `mspkpi run` from an empty warehouse: seeds, every model, every
  data test (unit tests are `make test`'s, as in pipeline.build_models);
  dbt_models / dbt_tests / dbt_seeds split its time by node kind (from run_results.json), and
  full_rebuild = ingest + full_build is the figure the 10x-the-floor target is about;
- sla_engine: `dbt run --full-refresh` of the SLA models alone (models/intermediate/sla), timed
  last, on the warehouse after the extra day;
- incremental_day: the next day's delivery (new tickets, status changes, time entries, alerts,
  invoice lines, updates of open tickets) moved into the landing folder, then the normal path of
  `mspkpi run`: ingest of the new files and `dbt build` without `--full-refresh`.

`mspkpi run` also runs the data quality checks and publishes the serving file; neither is timed
here (they are not part of refreshing the marts).
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb

from orchestration.build_scope import BuildScope
from orchestration.pipeline import plan_build, record_passed_build
from orchestration.settings import (
    DBT_EXECUTABLE,
    DEFAULTS,
    PRODUCTION_BUILD_EXCLUDES,
    PROJECT_DIR,
    Settings,
)

SLA_MODELS_SELECTOR = "path:models/intermediate/sla"

# the floor is the fastest of this many reads (read_floor)
FLOOR_READS = 3

READ_FLOOR_SCRIPT = """
import sys, duckdb
con = duckdb.connect()
con.execute("set enable_progress_bar = false")
total = 0
for pattern in sys.argv[1:]:
    total += con.execute(
        "select count(*) from read_csv(?, header = true, all_varchar = true, union_by_name = true)",
        [pattern],
    ).fetchone()[0]
print(total)
"""

# The generator itself, not `mspkpi generate-sample`: the CLI's imports (Dagster, dbt) are not
# the generator's cost. Its summary goes to a JSON file for the bench to count rows.
GENERATE_SCRIPT = """
import json, sys
from pathlib import Path
from orchestration.sample import generate_sample
out, day, summary, clients, months, seed, end_month, ticket_scale = sys.argv[1:]
result = generate_sample(
    Path(out),
    clients=int(clients),
    months=int(months),
    seed=int(seed),
    end_month=end_month,
    next_day_out=Path(day),
    ticket_scale=float(ticket_scale),
)
def describe(s):
    return {"rows": s.rows, "files": s.files, "broken_rows": len(s.broken_rows)}
Path(summary).write_text(json.dumps({**describe(result), "next_day": describe(result.next_day)}))
"""


@dataclass(frozen=True)
class Step:
    name: str
    seconds: float
    peak_memory_mb: float
    rows: int | None = None
    failed_nodes: tuple[str, ...] = ()  # dbt nodes that errored or failed during the step

    @property
    def rows_per_second(self) -> float | None:
        return round(self.rows / self.seconds) if self.rows and self.seconds else None


def run_step_output(
    name: str,
    command: list[str],
    env: dict[str, str],
    rows: int | None = None,
    *,
    tolerated: tuple[int, ...] = (0,),
) -> tuple[Step, str]:
    """Run one step in a child process; its Step and its output. Raise with the output when its
    exit code is not `tolerated`."""
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = process.stdout.read() if process.stdout else b""
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.monotonic() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    text = output.decode(errors="replace")
    if process.returncode not in tolerated:
        raise RuntimeError(f"bench step {name!r} failed ({' '.join(command)}):\n{text[-3000:]}")
    return Step(name, round(seconds, 2), round(usage.ru_maxrss / 1024, 1), rows), text


def run_step(name: str, command: list[str], env: dict[str, str], rows: int | None = None) -> Step:
    """Run one step in a child process; raise with its output when it fails."""
    return run_step_output(name, command, env, rows)[0]


def with_rows(step: Step, rows: int | None) -> Step:
    return Step(step.name, step.seconds, step.peak_memory_mb, rows, step.failed_nodes)


def dbt_step(
    name: str, command: list[str], env: dict[str, str], target: Path, rows: int | None = None
) -> Step:
    """A dbt step. A failing test or model (exit code 1) does not end the bench, whose times
    stay meaningful for everything else: the failing nodes are recorded with the step. A dbt
    crash (exit code 2: bad selector, profile, parse error) does end it."""
    results = target / "run_results.json"
    results.unlink(missing_ok=True)
    step, _ = run_step_output(name, command, env, rows, tolerated=(0, 1))
    failed: tuple[str, ...] = ()
    if results.exists():
        # kept beside the warehouse: which nodes took the time, after the next step's overwrite
        shutil.copyfile(results, target.parent / f"{name}_run_results.json")
        failed = tuple(
            r["unique_id"]
            for r in json.loads(results.read_text())["results"]
            if r["status"] in ("error", "fail")
        )
    return Step(step.name, step.seconds, step.peak_memory_mb, rows, failed)


def combined(name: str, parts: list[Step], rows: int | None) -> Step:
    """A step made of consecutive steps: their summed time, their highest peak."""
    return Step(
        name,
        round(sum(p.seconds for p in parts), 2),
        max(p.peak_memory_mb for p in parts),
        rows,
        tuple(node for p in parts for node in p.failed_nodes),
    )


def split_by_node_kind(build: Step, prefix: str, target: Path, rows: int | None) -> list[Step]:
    """The build's wall time split into models, data tests and seeds, in proportion to the nodes'
    execution times in run_results.json (with several dbt threads these overlap, so their plain
    sum exceeds the wall time)."""
    kinds = {"models": ("model",), "tests": ("test",), "seeds": ("seed",)}
    node_seconds = {name: _node_seconds(target, kind) for name, kind in kinds.items()}
    total = sum(node_seconds.values()) or 1.0
    return [
        # seeds do not read raw rows
        Step(
            f"{prefix}_{name}",
            round(build.seconds * seconds / total, 2),
            build.peak_memory_mb,
            None if name == "seeds" else rows,
        )
        for name, seconds in node_seconds.items()
    ]


def read_floor(
    python: str, patterns: list[str], env: dict[str, str]
) -> tuple[Step, int, list[float]]:
    """The floor: the fastest of FLOOR_READS reads of every raw file, each in its own process,
    with the rows counted and the seconds of every read. One read moved by up to a fifth from
    the next on an idle machine (10 M tickets: 36.8, 30.7 and 33.1 s back to back), and every
    ratio with it; the fastest is the least disturbed."""
    reads = []
    for _ in range(FLOOR_READS):
        step, output = run_step_output(
            "raw_read_floor", [python, "-c", READ_FLOOR_SCRIPT, *patterns], env
        )
        reads.append((step, int(output.strip().splitlines()[-1])))
    fastest, rows = min(reads, key=lambda read: read[0].seconds)
    return fastest, rows, [step.seconds for step, _ in reads]


def warm_page_cache(raw_dir: Path) -> int:
    """Read every raw file once, untimed, so that the floor reads them from memory as the ingest
    after it does. Without it the floor of a bench whose files left the page cache (other work
    since they were written) timed the disk: 59.8 s against 32-36 s at 10 M, flattering every
    ratio. Returns the bytes read."""
    read = 0
    for path in sorted(raw_dir.rglob("*")):
        if path.is_file():
            with path.open("rb") as file:
                while chunk := file.read(1 << 24):
                    read += len(chunk)
    return read


def _count(database: Path, sql: str) -> int:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return int(con.execute(sql).fetchone()[0] or 0)
    finally:
        con.close()


def _node_seconds(target: Path, kinds: tuple[str, ...], only: str | None = None) -> float:
    """Execution time that dbt's run_results.json records for nodes of `kinds` (model, test,
    unit_test, seed ...), optionally only those whose unique id contains `only`."""
    results = json.loads((target / "run_results.json").read_text())
    return round(
        sum(
            r["execution_time"]
            for r in results["results"]
            if r["unique_id"].split(".")[0] in kinds and (only is None or only in r["unique_id"])
        ),
        2,
    )


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


def machine_facts(env: dict[str, str]) -> dict:
    """What the figures depend on: cores, memory, versions and DuckDB's memory limit."""
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)

    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    return {
        "cpus": os.cpu_count(),
        # the machine's load when the figures were taken: other work sharing the cores slows
        # every step, the floor included
        "load_average_1_5_15": [round(load, 2) for load in os.getloadavg()],
        "memory_gib": memory_gib,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "dbt_core": version("dbt-core"),
        "dbt_duckdb": version("dbt-duckdb"),
        "duckdb_memory_limit": env.get(
            "MSPKPI_DUCKDB_MEMORY_LIMIT", DEFAULTS["MSPKPI_DUCKDB_MEMORY_LIMIT"]
        ),
        "dbt_threads": env.get("MSPKPI_DBT_THREADS", DEFAULTS["MSPKPI_DBT_THREADS"]),
        "duckdb_disabled_compression": env.get(
            "MSPKPI_DUCKDB_DISABLED_COMPRESSION", DEFAULTS["MSPKPI_DUCKDB_DISABLED_COMPRESSION"]
        ),
    }


def code_version() -> str | None:
    """The commit the bench measures, `+modified` when the checkout has uncommitted changes; None
    outside a git checkout (a result names the code it measured)."""

    def git(*args: str) -> str:
        command = ["git", "-C", str(PROJECT_DIR), *args]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()

    try:
        commit = git("rev-parse", "--short", "HEAD")
        changes = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{commit}+modified" if changes else commit


def next_day_of(end_month: str) -> date:
    """The 1st of the month after `end_month` ('2026-10' -> 2026-11-01): the extra day."""
    year, month = (int(part) for part in end_month.split("-"))
    return date(year + month // 12, month % 12 + 1, 1)


def reused_generation(workdir: Path, parameters: dict) -> Step:
    """The generate step of an earlier bench in `workdir`, after putting its extra day back aside
    (an earlier bench moved it into the landing folder). Refuses files of another size or seed."""
    step_file = workdir / "generate_step.json"
    if not step_file.exists():
        raise RuntimeError(f"nothing to reuse in {workdir}: run the bench once without reusing")
    # files generated before the ticket scale existed were generated at 1
    recorded = {"ticket_scale": 1.0, **json.loads(step_file.read_text())}
    if {key: recorded.get(key) for key in parameters} != parameters:
        raise RuntimeError(
            f"{workdir} holds files generated with {recorded}, not {parameters}: "
            "run the bench without reusing, or with another --workdir"
        )
    moved_file = workdir / "next_day_moved.json"
    if moved_file.exists():
        for relative in json.loads(moved_file.read_text()):
            source, target = workdir / "raw" / relative, workdir / "next_day" / relative
            if source.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(source, target)
        moved_file.unlink()
    return Step(**{**recorded["step"], "failed_nodes": tuple(recorded["step"]["failed_nodes"])})


def move_delivery(day_dir: Path, raw_dir: Path) -> list[Path]:
    """Drop the next day's files into the landing folder, as the PSA's export would."""
    moved = []
    for source in sorted(day_dir.glob("*/*/*.csv")):
        target = raw_dir / source.relative_to(day_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(source, target)
        moved.append(target)
    return moved


def run_bench(
    clients: int,
    months: int,
    workdir: Path,
    *,
    seed: int = 42,
    ticket_scale: float = 1.0,
    sla_only: bool = False,
    end_month: str = "2026-09",
    select: str | None = None,
    reuse_generated: bool = False,
    progress: Callable[[Step], None] | None = None,
) -> dict:
    """Generate an MSP of `clients` x `months`, time every step in its own process, return the
    figures (see the module's docstring for the steps). `select` (a dbt selector) narrows the
    full and the incremental build, e.g. for the test suite; the default builds everything.

    The MSP ends with `end_month`; its default makes the extra day Thursday 2026-10-01, a working
    day that is also a 1st (invoices are due): a full day, not a quiet Sunday.

    `reuse_generated` keeps the files a previous bench of the same size and seed generated in
    `workdir` (10 M tickets take most of an hour to generate): the generate step then reports
    that earlier run's time and memory, and the extra day is taken back out of the landing
    folder first."""
    code = code_version()
    workdir.mkdir(parents=True, exist_ok=True)
    raw_dir, database, target = workdir / "raw", workdir / "warehouse.duckdb", workdir / "target"
    day_dir, summary_file = workdir / "next_day", workdir / "generated.json"
    step_file, moved_file = workdir / "generate_step.json", workdir / "next_day_moved.json"
    # dbt's partial-parse state of an earlier bench goes too: one left by an older checkout of the
    # project once parsed 5 data tests fewer than a fresh parse (617 nodes against 622)
    for stale in (database, database.with_suffix(".duckdb.wal"), target / "partial_parse.msgpack"):
        stale.unlink(missing_ok=True)
    python = sys.executable
    next_day = next_day_of(end_month)
    env = {
        **os.environ,
        "MSPKPI_DUCKDB_PATH": str(database),
        "MSPKPI_RAW_DIR": str(raw_dir),
        "DBT_LOG_PATH": str(workdir / "logs"),
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "PYTHONPATH": str(PROJECT_DIR),
    }
    # "now" = the end of the extra day, for the full build and the incremental one alike, whatever
    # MSPKPI_AS_OF the caller has: the day must be in the past of the build that measures it
    env["MSPKPI_AS_OF"] = (next_day + timedelta(days=1)).isoformat()
    dbt = [str(DBT_EXECUTABLE), "--quiet"]
    dbt_args = ["--project-dir", str(PROJECT_DIR), "--profiles-dir", str(PROJECT_DIR)]
    dbt_args += ["--target-path", str(target)]
    cli = [python, "-m", "orchestration.cli"]

    parameters = {
        "clients": clients,
        "months": months,
        "seed": seed,
        "end_month": end_month,
        "ticket_scale": ticket_scale,
    }
    if reuse_generated:
        generate = reused_generation(workdir, parameters)
    else:
        for stale in (raw_dir, day_dir):
            shutil.rmtree(stale, ignore_errors=True)
        moved_file.unlink(missing_ok=True)
        generate = run_step(
            "generate",
            [
                *(python, "-c", GENERATE_SCRIPT, str(raw_dir), str(day_dir), str(summary_file)),
                *(str(clients), str(months), str(seed), end_month, str(ticket_scale)),
            ],
            env,
        )
        step_file.write_text(json.dumps({**parameters, "step": asdict(generate)}))
    generated = json.loads(summary_file.read_text())
    generated_rows = sum(generated["rows"].values())
    steps: list[Step] = []

    def add(step: Step) -> None:
        steps.append(step)
        if progress is not None:
            progress(step)

    add(with_rows(generate, generated_rows))

    patterns = sorted({str(p.parent / "*.csv") for p in raw_dir.glob("*/*/*.csv")})
    warm_page_cache(raw_dir)
    floor, floor_rows, floor_reads = read_floor(python, patterns, env)
    add(with_rows(floor, floor_rows))

    ingest_command = [*cli, "ingest", "--raw-dir", str(raw_dir)]
    ingest = run_step("ingest", ingest_command, env)
    audit = "raw._load_audit where status = 'loaded'"
    loaded_rows = _count(database, f"select sum(loaded) from {audit}")
    rejected_rows = _count(database, f"select sum(rejected) from {audit}")
    tickets = _count(database, "select count(distinct ticket_id) from raw.psa__tickets")
    endpoints = _count(database, "select count(distinct endpoint_id) from raw.psa__endpoints")
    add(with_rows(ingest, loaded_rows))

    figures: dict = {}
    # the build of `mspkpi run` (pipeline.build_models): seeds, models and data tests
    # (a narrowed build only runs the tests whose every parent it builds: `cautious`)
    narrowed = ["--select", select, "--indirect-selection", "cautious"] if select else []
    selection = [*PRODUCTION_BUILD_EXCLUDES, *narrowed]
    if sla_only:
        build = dbt_step(
            "dbt_run_sla_models",
            [*dbt, "run", "--select", "+int_ticket_sla_metrics", *dbt_args],
            env,
            target,
            tickets,
        )
        add(build)
        add(Step("sla_engine_models", _sla_model_seconds(target), build.peak_memory_mb, tickets))
    else:
        # as `mspkpi run` does (pipeline.build_models): the build's scope, recorded once it passed
        timezone = env.get("MSPKPI_SOURCE_TIMEZONE") or DEFAULTS["MSPKPI_SOURCE_TIMEZONE"]
        settings = Settings(raw_dir, database, timezone)
        manifest = target / "manifest.json"

        def scoped_build(name: str, rows: int, *, first: bool) -> tuple[Step, BuildScope]:
            scope = plan_build(settings, full_refresh=first, manifest=manifest, environment=env)
            if progress is not None:
                print(f"  {name}: {scope.describe()}", flush=True)
            # a narrowed bench builds its selection minus what the scope leaves out (its
            # throwaway warehouse's record then covers that selection only)
            scoped = scope.dbt_args if not select else ["--exclude", " ".join(scope.skipped)]
            command = [*dbt, "build", *selection, *(scoped if scope.skipped else []), *dbt_args]
            step = dbt_step(name, command, env, target, rows)
            if not step.failed_nodes:
                record_passed_build(settings, scope, built_manifest=manifest, environment=env)
            return step, scope

        build, _ = scoped_build("full_build", loaded_rows, first=True)
        add(build)
        for part in split_by_node_kind(build, "dbt", target, loaded_rows):
            add(part)
        add(combined("full_rebuild", [ingest, build], loaded_rows))
        marts = _count(
            database,
            "select count(*) from information_schema.tables where table_schema = 'marts'",
        )

        moved = move_delivery(day_dir, raw_dir)
        moved_file.write_text(json.dumps([str(path.relative_to(raw_dir)) for path in moved]))
        # the normal path of `mspkpi run`: ingest the new files, `dbt build` (no --full-refresh)
        day_ingest = run_step("incremental_ingest", ingest_command, env)
        day_rows = _count(database, f"select sum(loaded) from {audit}") - loaded_rows
        day_build, day_scope = scoped_build("incremental_build", day_rows, first=False)
        add(with_rows(day_ingest, day_rows))
        add(day_build)
        # incremental_models is the refresh of every mart; incremental_tests re-checks them all
        for part in split_by_node_kind(day_build, "incremental", target, day_rows):
            add(part)
        add(combined("incremental_day", [day_ingest, day_build], day_rows))
        # last: the SLA models rebuilt whole without their tests forget the tests' records
        # (macro forget_tested_deliveries), so a day built after them would re-test every row
        sla_tickets = _count(database, "select count(distinct ticket_id) from raw.psa__tickets")
        sla_command = [*dbt, "run", "--full-refresh", "--select", SLA_MODELS_SELECTOR, *dbt_args]
        add(dbt_step("sla_engine", sla_command, env, target, sla_tickets))
        figures = {
            "next_day": next_day.isoformat(),
            "next_day_files": len(moved),
            "next_day_generated_rows": sum(generated["next_day"]["rows"].values()),
            "next_day_loaded_rows": day_rows,
            # the day's scope (build_scope): the project's nodes, those it builds, and why
            "dbt_nodes": day_scope.nodes,
            "next_day_dbt_nodes": day_scope.nodes - len(day_scope.skipped),
            "next_day_scope": day_scope.reason,
            "marts": marts,
        }

    floor_seconds = floor.seconds
    return {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code": code,
        "machine": machine_facts(env),
        "clients": clients,
        "months": months,
        "seed": seed,
        "ticket_scale": ticket_scale,
        "select": select,
        "reused_generated_files": reuse_generated,
        "as_of": env["MSPKPI_AS_OF"],
        "tickets": tickets,
        "endpoints": endpoints,
        "generated_rows": generated_rows,
        "generated_files": generated["files"],
        "broken_rows": generated["broken_rows"],
        "raw_rows": loaded_rows,
        "rejected_rows": rejected_rows,
        "floor_reads_seconds": floor_reads,
        **figures,
        "steps": [
            {
                **asdict(step),
                "failed_nodes": list(step.failed_nodes),
                "rows_per_second": step.rows_per_second,
                "ratio_to_floor": round(step.seconds / floor_seconds, 2) if floor_seconds else None,
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
    if result.get("floor_reads_seconds"):
        reads = ", ".join(f"{seconds:g}" for seconds in result["floor_reads_seconds"])
        lines.append(f"  raw_read_floor: the fastest of {reads} s")
    for step in result["steps"]:
        failed = step.get("failed_nodes") or ()
        if failed and step["name"] not in ("full_rebuild", "incremental_day"):
            shown = ", ".join(node.split(".")[-1] for node in failed[:5])
            more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
            lines.append(f"  {step['name']}: {len(failed)} dbt nodes failed: {shown}{more}")
    return "\n".join(lines)


def write_result(result: dict, results_dir: Path) -> Path:
    """`<date>-<clients>c-<months>m.json` (`...m-x<scale>` for another ticket scale), then `-2`,
    `-3` ... for the day's later runs of the same size: a result is evidence the README cites,
    never overwritten."""
    results_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{result['run_at'][:10]}-{result['clients']}c-{result['months']}m"
    if result.get("ticket_scale", 1.0) != 1.0:
        stem += f"-x{result['ticket_scale']:g}"
    path, run = results_dir / f"{stem}.json", 1
    while path.exists():
        run += 1
        path = results_dir / f"{stem}-{run}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path

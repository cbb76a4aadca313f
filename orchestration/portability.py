"""`make portability`: the same dbt project built on every engine available, from one ingestion.

DuckDB is the default engine; PostgreSQL (the BI target) and Apache Spark (dbt-spark's session mode,
the road to a cluster) are the "bigger engines" a growing MSP moves to. The run ingests the sample
once into DuckDB, copies its `raw` schema to each other engine (PostgreSQL through
orchestration/postgres.py; Spark through parquet files), runs `dbt build --target <engine>` with its
own target folder, and reads each run's run_results.json into one report: models passed, failed
and skipped, tests passed and failed, each failing node with the first line of its error. A failing
model does not stop the run (`dbt build` skips its descendants and goes on) and an engine that is
missing is reported as such, never as a pass.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from orchestration.pipeline import RunFailed, connect, dbt_command, dbt_environment, ingest
from orchestration.settings import PRODUCTION_BUILD_EXCLUDES, PROJECT_DIR, Settings, env, resolve

ENGINES = ("duckdb", "postgres", "spark")
# A node's status in run_results.json -> the column it is counted in.
PASSED = {"success", "pass"}
FAILED = {"error", "fail", "runtime error"}
WARNED = {"warn"}
SKIPPED = {"skipped", "no-op"}
_ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")
# The first line of dbt's message names the node, not the cause: these prefixes are skipped.
_GENERIC_PREFIXES = (
    "Runtime Error in ",
    "Database Error in ",
    "Compilation Error in ",
    "Runtime Error",
    "Database Error",
    "Compilation Error",
    "An error occurred during execution of unit test",
)
ERROR_LINE_LIMIT = 240
# The run_results.json of each dbt command of an engine, renamed once it finished: the build (as
# `mspkpi run` builds: without unit tests), then the unit tests on the built engine.
RESULTS_FILES = ("build_run_results.json", "unit_test_run_results.json")


@dataclass(frozen=True)
class NodeFailure:
    """A model, seed or test that failed, with the line of its error that says why."""

    name: str
    resource_type: str  # model, seed, test, unit_test
    status: str
    error: str
    skipped_descendants: int = 0  # models dbt skipped because this one failed


@dataclass
class EngineReport:
    """What one engine did with the project (counts from its run_results.json)."""

    engine: str
    status: str  # built (dbt ran, whatever its failures), unavailable, error (dbt did not run)
    reason: str = ""  # why unavailable or error
    seconds: float = 0.0
    models: dict[str, int] = field(default_factory=dict)  # passed, failed, skipped
    seeds: dict[str, int] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)  # passed, failed, warned, skipped
    failures: list[NodeFailure] = field(default_factory=list)
    skipped_models: list[str] = field(default_factory=list)


def first_error_line(message: str | None) -> str:
    """The first line of a dbt message that says what went wrong (not which node it was), without
    the terminal colour codes dbt puts in a unit test's diff."""
    message = _ANSI_COLOUR.sub("", message or "")
    for raw_line in message.splitlines():
        line = " ".join(raw_line.split())
        if not line or line.startswith(_GENERIC_PREFIXES) or line.startswith("compiled code at"):
            continue
        if len(line) > ERROR_LINE_LIMIT:
            line = line[: ERROR_LINE_LIMIT - 3] + "..."
        return line
    return (message or "").strip().splitlines()[0] if (message or "").strip() else ""


def resource_type(unique_id: str) -> str:
    """model, seed, test, unit_test ... from a unique_id such as model.mspkpi.dim_clients."""
    return unique_id.split(".", 1)[0]


def node_name(unique_id: str) -> str:
    """The short name of a node (a test's unique_id ends in a hash after its name)."""
    parts = unique_id.split(".")
    if parts[0] in {"test", "unit_test"} and len(parts) >= 4:
        return parts[-2] if parts[0] == "test" else f"{parts[-2]}.{parts[-1]}"
    return parts[-1]


def _bucket(status: str) -> str:
    if status in PASSED:
        return "passed"
    if status in FAILED:
        return "failed"
    if status in WARNED:
        return "warned"
    if status in SKIPPED:
        return "skipped"
    return "other"


def skipped_descendants(
    failed: str, child_map: Mapping[str, Sequence[str]], skipped: set[str]
) -> int:
    """How many skipped models descend from a failed node (through any path of the DAG)."""
    seen: set[str] = set()
    stack = list(child_map.get(failed, ()))
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        stack.extend(child_map.get(node, ()))
    return len(seen & skipped)


def parse_run_results(
    engine: str,
    run_results: Mapping,
    child_map: Mapping[str, Sequence[str]] | None = None,
    seconds: float | None = None,
) -> EngineReport:
    """One engine's report from its run_results.json (and its manifest's child_map, to count
    the models each failure made dbt skip). Data tests and unit tests count as tests."""
    counts: dict[str, dict[str, int]] = {
        "model": {"passed": 0, "failed": 0, "skipped": 0},
        "seed": {"passed": 0, "failed": 0, "skipped": 0},
        "test": {"passed": 0, "failed": 0, "warned": 0, "skipped": 0},
    }
    failed_nodes: list[tuple[str, str, str]] = []
    skipped_models: list[str] = []
    for result in run_results.get("results", []):
        unique_id = result["unique_id"]
        kind = resource_type(unique_id)
        group = "test" if kind in {"test", "unit_test"} else kind
        if group not in counts:
            continue
        bucket = _bucket(result["status"])
        if bucket not in counts[group]:
            bucket = "failed" if bucket != "skipped" else "skipped"
        counts[group][bucket] += 1
        if bucket == "failed":
            failed_nodes.append((unique_id, result["status"], result.get("message") or ""))
        if group == "model" and bucket == "skipped":
            skipped_models.append(node_name(unique_id))
    skipped_ids = {
        r["unique_id"]
        for r in run_results.get("results", [])
        if resource_type(r["unique_id"]) == "model" and _bucket(r["status"]) == "skipped"
    }
    failures = [
        NodeFailure(
            name=node_name(unique_id),
            resource_type=resource_type(unique_id),
            status=status,
            error=first_error_line(message),
            skipped_descendants=skipped_descendants(unique_id, child_map or {}, skipped_ids),
        )
        for unique_id, status, message in failed_nodes
    ]
    elapsed = run_results.get("elapsed_time", 0.0) if seconds is None else seconds
    return EngineReport(
        engine=engine,
        status="built",
        seconds=round(float(elapsed), 1),
        models=counts["model"],
        seeds=counts["seed"],
        tests=counts["test"],
        failures=sorted(failures, key=lambda f: (f.resource_type != "model", f.name)),
        skipped_models=sorted(skipped_models),
    )


def merge_run_results(*run_results: Mapping) -> dict:
    """One run_results of several dbt commands (the build, then the unit tests): their results
    in order, their elapsed times added."""
    return {
        "results": [result for each in run_results for result in each.get("results", [])],
        "elapsed_time": sum(each.get("elapsed_time", 0.0) for each in run_results),
    }


def read_engine_report(
    engine: str, target_dir: Path, seconds: float, results_files: Sequence[str] = RESULTS_FILES
) -> EngineReport:
    """The report of an engine's finished dbt commands from the files of its target folder: the
    run_results of each (those that exist) and the manifest's child_map."""
    run_results = merge_run_results(
        *(
            json.loads((target_dir / name).read_text(encoding="utf-8"))
            for name in results_files
            if (target_dir / name).exists()
        )
    )
    manifest_path = target_dir / "manifest.json"
    child_map = (
        json.loads(manifest_path.read_text(encoding="utf-8")).get("child_map", {})
        if manifest_path.exists()
        else {}
    )
    return parse_run_results(engine, run_results, child_map, seconds)


# -- the engines -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """The folders of one portability run: its own raw files, warehouse, Spark home, dbt targets,
    so that it never touches the warehouse of `make run`."""

    root: Path

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def duckdb_path(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def spark_dir(self) -> Path:
        return self.root / "spark"

    def target_dir(self, engine: str) -> Path:
        return self.root / "target" / engine

    def log_dir(self, engine: str) -> Path:
        return self.root / "logs" / engine


def postgres_database() -> str:
    """The database the portability build uses on the PostgreSQL server: not the one of
    `mspkpi run --target postgres`, whose marts a sample build must not replace."""
    return f"{env('MSPKPI_PG_DATABASE')}_portability"


def spark_missing() -> str | None:
    """Why Spark cannot run here, None when it can (dbt-spark, pyspark and a Java 17+)."""
    if (
        importlib.util.find_spec("pyspark") is None
        or importlib.util.find_spec("dbt.adapters.spark") is None
    ):
        return (
            "dbt-spark[session] / pyspark are not installed: `uv sync --frozen --extra spark` "
            "(make portability does it)"
        )
    java = shutil.which("java")
    if java is None:
        return "no java on the PATH: Spark 4 needs a Java 17 or 21 (apt-get install openjdk-17-jre)"
    completed = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        return f"`java -version` failed: {completed.stderr.strip()[:200]}"
    return None


def start_postgres() -> str | None:
    """Start the project's PostgreSQL server with the portability database; None when it runs,
    else why not (the script's last message)."""
    script = PROJECT_DIR / "scripts" / "postgres" / "server.sh"
    completed = subprocess.run(
        [str(script), "start"],
        env={**os.environ, "MSPKPI_PG_DATABASE": postgres_database()},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode == 0:
        return None
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    return f"scripts/postgres/server.sh start failed ({lines[-1] if lines else 'no message'})"


def export_raw_to_parquet(duckdb_path: Path, parquet_dir: Path) -> dict[str, dict]:
    """Every table of DuckDB's `raw` schema as <parquet_dir>/raw.<table>.parquet (Spark skips a
    file whose name starts with `_` as hidden, and raw has _rejects): {table: {file, rows}}."""
    from orchestration.postgres import raw_tables

    parquet_dir.mkdir(parents=True, exist_ok=True)
    con = connect(duckdb_path, read_only=True)
    try:
        tables: dict[str, dict] = {}
        for table in raw_tables(con):
            quoted = '"raw"."' + table.name.replace('"', '""') + '"'
            path = parquet_dir / f"raw.{table.name}.parquet"
            target = str(path).replace("'", "''")
            con.execute(f"copy (select * from {quoted}) to '{target}' (format parquet)")
            rows = con.execute(f"select count(*) from {quoted}").fetchone()[0]
            tables[table.name] = {"file": str(path), "rows": rows}
        return tables
    finally:
        con.close()


def engine_environment(workspace: Workspace, engine: str, settings: Settings) -> dict[str, str]:
    """dbt's environment for one engine: its own target and log folders (one run_results.json
    each), the portability warehouse, PostgreSQL database and Spark home."""
    return {
        **dbt_environment(settings),
        "DBT_TARGET_PATH": str(workspace.target_dir(engine)),
        "DBT_LOG_PATH": str(workspace.log_dir(engine)),
        "MSPKPI_PG_DATABASE": postgres_database(),
        "MSPKPI_SPARK_DIR": str(workspace.spark_dir),
    }


def run_dbt(args: Sequence[str], environment: Mapping[str, str], log_file: Path) -> int:
    """A dbt command with its output in log_file (Spark's JVM is verbose); its exit code."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with log_file.open("w", encoding="utf-8") as log:
        completed = subprocess.run(
            dbt_command(args), env=dict(environment), stdout=log, stderr=subprocess.STDOUT
        )
    return completed.returncode


def load_spark_raw(workspace: Workspace, settings: Settings) -> str | None:
    """Spark's `raw` database, one table per parquet file of DuckDB's raw schema (the macro
    spark_load_raw, run by dbt so that the session is the one profiles.yml configures). None when
    done, else what failed."""
    parquet_dir = workspace.spark_dir / "raw_parquet"
    tables = export_raw_to_parquet(workspace.duckdb_path, parquet_dir)
    arguments = json.dumps({"tables": tables})
    log_file = workspace.log_dir("spark") / "load_raw.log"
    code = run_dbt(
        ["run-operation", "spark_load_raw", "--target", "spark", "--args", arguments],
        engine_environment(workspace, "spark", settings),
        log_file,
    )
    if code != 0:
        return f"loading raw into Spark failed (dbt run-operation spark_load_raw, see {log_file})"
    return None


def prepare_engine(engine: str, workspace: Workspace, settings: Settings) -> str | None:
    """Bring the raw schema to an engine; None when it is ready, else why it is not available."""
    if engine == "duckdb":
        return None
    if engine == "postgres":
        from orchestration.postgres import PostgresSettings, replicate_raw

        missing = start_postgres()
        if missing:
            return missing
        target = replace(PostgresSettings.from_env(), database=postgres_database())
        replicate_raw(workspace.duckdb_path, target)
        return None
    if engine == "spark":
        missing = spark_missing()
        if missing:
            return missing
        shutil.rmtree(workspace.spark_dir, ignore_errors=True)  # a fresh metastore each run
        return load_spark_raw(workspace, settings)
    raise ValueError(f"unknown engine {engine!r}: one of {', '.join(ENGINES)}")


def build_engine(engine: str, workspace: Workspace, settings: Settings) -> EngineReport:
    """Prepare one engine and `dbt build` the whole project there; never raises on a dbt failure."""
    started = time.monotonic()
    try:
        missing = prepare_engine(engine, workspace, settings)
    except RunFailed as error:
        missing = str(error).splitlines()[0]
    if missing:
        return EngineReport(engine=engine, status="unavailable", reason=missing)
    target_dir = workspace.target_dir(engine)
    environment = engine_environment(workspace, engine, settings)
    # The production build (`mspkpi run`'s: unit tests left out), then the unit tests against the
    # built engine, as `make test` runs them: a unit test of an incremental model reads the
    # model's own table, which a fresh build has not created yet when unit tests run first.
    commands = {
        # --full-refresh: a first build everywhere. The PostgreSQL database outlives a run, and
        # the incremental models would otherwise add the new sample to the last one's rows.
        "build_run_results.json": [
            "build",
            "--full-refresh",
            "--target",
            engine,
            *PRODUCTION_BUILD_EXCLUDES,
        ],
        "unit_test_run_results.json": ["test", "--target", engine, "--select", "test_type:unit"],
    }
    for results_name, args in commands.items():
        # not the whole folder: its partial_parse.msgpack saves a parse (a minute on Spark)
        (target_dir / "run_results.json").unlink(missing_ok=True)
        (target_dir / results_name).unlink(missing_ok=True)
        log_file = workspace.log_dir(engine) / f"{args[0]}.log"
        run_dbt(args, environment, log_file)
        if not (target_dir / "run_results.json").exists():
            return EngineReport(
                engine=engine,
                status="error",
                reason=f"dbt {args[0]} wrote no run_results.json (see {log_file})",
                seconds=round(time.monotonic() - started, 1),
            )
        (target_dir / "run_results.json").rename(target_dir / results_name)
    return read_engine_report(engine, target_dir, time.monotonic() - started)


def run_portability(
    workspace: Workspace,
    engines: Sequence[str],
    *,
    clients: int,
    months: int,
    seed: int = 42,
    progress=print,
) -> list[EngineReport]:
    """One ingestion of a fresh sample, then a build on each engine in turn."""
    from orchestration.sample import generate_sample

    shutil.rmtree(workspace.raw_dir, ignore_errors=True)
    workspace.duckdb_path.unlink(missing_ok=True)
    settings = Settings(
        raw_dir=workspace.raw_dir,
        duckdb_path=workspace.duckdb_path,
        source_timezone=env("MSPKPI_SOURCE_TIMEZONE"),
    )
    progress(f"sample: {clients} clients x {months} months -> {workspace.raw_dir}")
    generate_sample(workspace.raw_dir, clients=clients, months=months, seed=seed)
    progress(f"ingest (DuckDB, once): {workspace.duckdb_path}")
    ingest(settings)
    reports = []
    for engine in engines:
        progress(f"{engine}: building (logs in {workspace.log_dir(engine)}) ...")
        report = build_engine(engine, workspace, settings)
        progress(f"{engine}: {summary_line(report)}")
        reports.append(report)
    return reports


# -- the report ----------------------------------------------------------------------------------


def summary_line(report: EngineReport) -> str:
    if report.status != "built":
        return f"{report.status}: {report.reason}"
    m, t = report.models, report.tests
    return (
        f"models {m['passed']} passed, {m['failed']} failed, {m['skipped']} skipped; "
        f"tests {t['passed']} passed, {t['failed']} failed, {t['skipped']} skipped "
        f"({report.seconds:.0f} s)"
    )


def render_markdown(reports: Sequence[EngineReport], *, clients: int, months: int) -> str:
    """The report as markdown: one table of counts, then each engine's failures."""
    lines = [
        "# Portability report",
        "",
        f"Generated by `make portability` (orchestration/portability.py) on the sample of "
        f"{clients} clients x {months} months, ingested once by DuckDB and copied to each engine. "
        "Counts come from each engine's `run_results.json`; tests are data tests and unit tests. "
        "Why each failure happens, and what would fix it: docs/portability.md.",
        "",
        "| engine | status | models passed | failed | skipped | tests passed | failed | skipped "
        "| seeds passed | seconds |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in reports:
        if r.status != "built":
            lines.append(f"| {r.engine} | {r.status}: {r.reason} | | | | | | | | |")
            continue
        lines.append(
            f"| {r.engine} | built | {r.models['passed']} | {r.models['failed']} | "
            f"{r.models['skipped']} | {r.tests['passed']} | {r.tests['failed']} | "
            f"{r.tests['skipped']} | {r.seeds['passed']} | {r.seconds:.0f} |"
        )
    for r in reports:
        if r.status != "built" or not (r.failures or r.skipped_models):
            continue
        lines += ["", f"## {r.engine}: what fails", ""]
        lines += [
            "| node | type | skipped models below | first error line |",
            "| --- | --- | ---: | --- |",
        ]
        for failure in r.failures:
            error = failure.error.replace("|", "\\|")
            lines.append(
                f"| {failure.name} | {failure.resource_type} | "
                f"{failure.skipped_descendants} | {error} |"
            )
        if r.skipped_models:
            lines += [
                "",
                f"Skipped models ({len(r.skipped_models)}): " + ", ".join(r.skipped_models) + ".",
            ]
    return "\n".join(lines) + "\n"


def write_reports(
    reports: Sequence[EngineReport], out_json: Path, out_md: Path, *, clients: int, months: int
) -> None:
    out_json.parent.mkdir(parents=True, exist_ok=True)
    out_md.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "sample": {"clients": clients, "months": months},
        "engines": [asdict(report) for report in reports],
    }
    out_json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    out_md.write_text(render_markdown(reports, clients=clients, months=months), encoding="utf-8")


def run_from_args(args: argparse.Namespace) -> int:
    """`mspkpi portability` (its arguments are declared in orchestration/cli.py)."""
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown:
        raise RunFailed(
            f"unknown engine(s) {', '.join(unknown)}: choose among {', '.join(ENGINES)}"
        )
    started = time.monotonic()
    workspace = Workspace(resolve(args.workdir))
    reports = run_portability(
        workspace, engines, clients=args.clients, months=args.months, progress=_say
    )
    report = resolve(args.report)
    out_json, out_md = report.with_suffix(".json"), report.with_suffix(".md")
    write_reports(reports, out_json, out_md, clients=args.clients, months=args.months)
    _say(f"report: {out_md} and {out_json} ({time.monotonic() - started:.0f} s in all)")
    return 0


def _say(message: str) -> None:
    print(message, flush=True)

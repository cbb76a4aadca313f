"""The steps of a run as plain functions: the CLI and the Dagster assets both call these."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb

from orchestration import build_scope
from orchestration.ingest import DeliveryResult, ensure_raw_schema, load_all
from orchestration.settings import (
    DBT_EXECUTABLE,
    PRODUCTION_BUILD_EXCLUDES,
    PROJECT_DIR,
    Settings,
    duckdb_disabled_compression,
    env,
    manifest_path,
)

MART_SCHEMA = "marts"


def ingest_workers() -> int:
    """MSPKPI_INGEST_WORKERS: entities loaded side by side (at least 1)."""
    value = env("MSPKPI_INGEST_WORKERS")
    try:
        return max(1, int(value))
    except ValueError:
        raise RunFailed(
            f"MSPKPI_INGEST_WORKERS={value!r} is not a whole number: set it to the number of "
            "entities to load side by side (2 on a 2-core machine, 1 to load one at a time)"
        ) from None


class RunFailed(RuntimeError):
    """A step failed; the message says which, where, and what to do next."""


# -- opening the warehouse: DuckDB has one writer per file, and a writer excludes every reader ----

LOCK_POLL_SECONDS = 1.0
LOCK_REPORT_EVERY_SECONDS = 10.0


@dataclass(frozen=True)
class LockHolder:
    """The process DuckDB names as holding the warehouse file's lock."""

    pid: int | None
    command: str | None  # its command line, when the OS tells (Linux /proc)

    def describe(self) -> str:
        if self.pid is None:
            return "another process"
        return f"PID {self.pid} ({self.command or 'command line unknown'})"


def lock_holder(error: BaseException) -> LockHolder | None:
    """The holder named in DuckDB's 'Could not set lock on file ... (PID N)', None when the error
    is not a lock conflict."""
    text = str(error)
    if "Could not set lock" not in text:
        return None
    match = re.search(r"\(PID (\d+)\)", text)
    pid = int(match.group(1)) if match else None
    return LockHolder(pid, process_command(pid) if pid else None)


def process_command(pid: int, limit: int = 160) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    words = (part.decode(errors="replace") for part in raw.split(b"\0") if part)
    command = " ".join(" ".join(words).split())  # one line, whatever the arguments hold
    return command if len(command) <= limit else command[: limit - 3] + "..."


def lock_timeout_seconds() -> float:
    """MSPKPI_LOCK_TIMEOUT_SECONDS: how long a run waits for the warehouse file's lock."""
    text = env("MSPKPI_LOCK_TIMEOUT_SECONDS")
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:
        raise RunFailed(
            f"MSPKPI_LOCK_TIMEOUT_SECONDS must be a number of seconds (0 or more), not {text!r}"
        )
    return seconds


def report_wait(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def connect(
    database: Path,
    *,
    read_only: bool = False,
    lock_timeout: float | None = None,
    report: Callable[[str], None] = report_wait,
) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting while another process holds its lock.

    A run that finds the file held (by a BI tool or SQL client that opened it, even read-only,
    or by another run) waits up to `lock_timeout` seconds (default MSPKPI_LOCK_TIMEOUT_SECONDS),
    saying every LOCK_REPORT_EVERY_SECONDS who holds it, then fails naming the holder."""
    database.parent.mkdir(parents=True, exist_ok=True)
    timeout = lock_timeout_seconds() if lock_timeout is None else lock_timeout
    started = time.monotonic()
    reported_at: float | None = None
    while True:
        try:
            con = duckdb.connect(str(database), read_only=read_only)
        except duckdb.IOException as error:
            holder = lock_holder(error)
            if holder is None:
                raise RunFailed(
                    f"cannot open the warehouse {database}: {str(error).strip()}\n"
                    "Check that the path is a DuckDB file this user can read and write."
                ) from error
            if holder.pid == os.getpid():  # waiting on itself would never end
                raise RunFailed(
                    f"cannot open the warehouse {database}: this process holds it already in "
                    "another connection with other settings; close that connection first"
                ) from error
            waited = time.monotonic() - started
            if waited >= timeout:
                raise RunFailed(still_locked_message(database, holder, timeout)) from error
            if reported_at is None or waited - reported_at >= LOCK_REPORT_EVERY_SECONDS:
                report(
                    f"warehouse {database} locked by {holder.describe()}; waiting "
                    f"{waited:.0f} of {timeout:g} s (MSPKPI_LOCK_TIMEOUT_SECONDS) ..."
                )
                reported_at = waited
            time.sleep(min(LOCK_POLL_SECONDS, max(timeout - waited, 0.05)))
            continue
        # the same ceiling as dbt's connection (profiles.yml): ingestion and the quality checks
        # stay within it too. SET rather than a connect config, which DuckDB refuses when the
        # process has the file open already with other settings.
        con.execute(f"set memory_limit = '{env('MSPKPI_DUCKDB_MEMORY_LIMIT')}'")
        # and the same compressions as dbt's: the raw tables are the largest it writes
        con.execute(f"set disabled_compression_methods = '{duckdb_disabled_compression()}'")
        return con


def still_locked_message(database: Path, holder: LockHolder, timeout: float) -> str:
    stop = f"stop it (`kill {holder.pid}`)" if holder.pid else "stop it"
    return (
        f"the warehouse {database} is still locked by {holder.describe()} after waiting "
        f"{timeout:g} s (MSPKPI_LOCK_TIMEOUT_SECONDS).\n"
        "DuckDB lets one process write the file, and no other may hold it open meanwhile, even "
        "read-only. Close the program holding it (a BI tool or SQL client: disconnect it from "
        f"this file), or, if it is an earlier run that hangs, {stop}; then run again. "
        "To wait longer, raise MSPKPI_LOCK_TIMEOUT_SECONDS."
    )


def wait_for_warehouse(database: Path, *, lock_timeout: float | None = None) -> None:
    """Return once the warehouse's lock is free (open and close it), else RunFailed: called right
    before launching dbt, a subprocess that opens the same file and would fail at once."""
    connect(database, lock_timeout=lock_timeout).close()


def ingest(
    settings: Settings, progress: Callable[[DeliveryResult], None] | None = None
) -> list[DeliveryResult]:
    """Load every new extract file of the raw folder into the warehouse's `raw` schema."""
    if not settings.raw_dir.is_dir():
        raise RunFailed(
            f"the raw folder {settings.raw_dir} does not exist. Point --raw-dir (or "
            "MSPKPI_RAW_DIR) at a folder laid out as <system>/<entity>/<file>.csv, or create "
            "the sample with `mspkpi generate-sample --out DIR`."
        )
    con = connect(settings.duckdb_path)
    try:
        ensure_raw_schema(con)
        return load_all(
            con,
            settings.raw_dir,
            source_timezone=settings.source_timezone,
            progress=progress,
            workers=ingest_workers(),
        )
    finally:
        con.close()


def dbt_environment(settings: Settings) -> dict[str, str]:
    """The environment dbt runs in: the caller's, with this run's warehouse and no tracking."""
    return {
        **os.environ,
        "MSPKPI_DUCKDB_PATH": str(settings.duckdb_path),
        "MSPKPI_SOURCE_TIMEZONE": settings.source_timezone,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # PostgreSQL sessions in UTC whatever the server's default (libpq reads PGTZ): the models
        # read a time-zone-less MSPKPI_AS_OF in the session time zone
        "PGTZ": "UTC",
    }


def dbt_command(args: Sequence[str]) -> list[str]:
    return [
        str(DBT_EXECUTABLE),
        *args,
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
    ]


def build_models(
    settings: Settings, *, full_refresh: bool = False, target: str | None = None
) -> None:
    """`dbt build` (seeds, models and their data tests; unit tests are `make test`'s) against the
    run's warehouse, output streamed; `target` is an output of profiles.yml (default
    MSPKPI_TARGET, else duckdb).

    On DuckDB it builds what the new deliveries and the as-of time reach (build_scope), and
    records the build once it passed; on another target, everything."""
    args = ["build", *PRODUCTION_BUILD_EXCLUDES] + (["--full-refresh"] if full_refresh else [])
    args += ["--target", target] if target else []
    planned = None
    if (target or env("MSPKPI_TARGET")) == "duckdb":
        try:
            wait_for_warehouse(settings.duckdb_path)
        except RunFailed as error:
            raise RunFailed(
                f"dbt build not started: {error}\nThe deliveries of this run are loaded; "
                "`mspkpi run` again builds the models (it skips the files already loaded)."
            ) from error
        planned = plan_build(settings, full_refresh=full_refresh)
        print(f"      {planned.describe()}", flush=True)
        args += planned.dbt_args
    completed = subprocess.run(dbt_command(args), env=dbt_environment(settings), check=False)
    if completed.returncode != 0:
        raise RunFailed(
            "dbt build failed (the lines above name each failing model or test). "
            f"Fix it, then re-run; the logs are in {PROJECT_DIR / 'logs' / 'dbt.log'}. "
            "The previous marts stay in the warehouse for every model that did not rebuild."
        )
    if planned is not None:
        record_passed_build(settings, planned, built_manifest=manifest_path())


def plan_build(
    settings: Settings,
    *,
    full_refresh: bool = False,
    manifest: Path | None = None,
    environment: Mapping[str, str] | None = None,
) -> build_scope.BuildScope:
    """The scope of the next DuckDB build (see build_scope.plan), from the project as it is now:
    `manifest` (dbt's target/ by default) is parsed again first when older than the project;
    `environment` is dbt's (dbt_environment by default)."""
    environment = dbt_environment(settings) if environment is None else environment
    manifest = build_scope.ensure_manifest(manifest or manifest_path(), environment)
    con = connect(settings.duckdb_path)
    try:
        return build_scope.plan(
            con,
            build_scope.load_manifest(manifest),
            full_refresh=full_refresh,
            variables=build_scope.project_variables(environment),
        )
    finally:
        con.close()


def record_passed_build(
    settings: Settings,
    scope: build_scope.BuildScope,
    *,
    built_manifest: Path | None = None,
    environment: Mapping[str, str] | None = None,
) -> None:
    """Record a build that passed. `built_manifest` is the manifest the build itself wrote: its
    fingerprint is recorded rather than the plan's, should dbt have parsed the project otherwise
    (a bench once planned from a manifest 5 tests short of what its build parsed)."""
    if built_manifest is not None and built_manifest.is_file():
        environment = dbt_environment(settings) if environment is None else environment
        fingerprint = build_scope.project_fingerprint(
            build_scope.load_manifest(built_manifest), build_scope.project_variables(environment)
        )
        scope = replace(scope, fingerprint=fingerprint)
    con = connect(settings.duckdb_path)
    try:
        build_scope.record_build(con, scope)
    finally:
        con.close()


@dataclass(frozen=True)
class WarehouseSummary:
    database: Path
    mart_rows: dict[str, int]
    raw_rows: dict[str, int]
    rejected_rows: int
    rejects_by_file: dict[str, int]


def summarize(database: Path) -> WarehouseSummary:
    con = connect(database, read_only=True)
    try:

        def table_rows(schema: str) -> dict[str, int]:
            names = [
                row[0]
                for row in con.execute(
                    "select table_name from information_schema.tables "
                    "where table_schema = ? and table_type = 'BASE TABLE' order by table_name",
                    [schema],
                ).fetchall()
            ]
            return {
                name: con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
                for name in names
                if not name.startswith("_")
            }

        rejects = dict(
            con.execute(
                "select file, count(distinct line) from raw._rejects group by file order by file"
            ).fetchall()
        )
        return WarehouseSummary(
            database=database,
            mart_rows=table_rows(MART_SCHEMA),
            raw_rows=table_rows("raw"),
            rejected_rows=sum(rejects.values()),
            rejects_by_file=rejects,
        )
    finally:
        con.close()

"""The steps of a run as plain functions: the CLI and the Dagster assets both call these."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.dbt_project import DBT_EXECUTABLE
from orchestration.ingest import DeliveryResult, ensure_raw_schema, load_all
from orchestration.settings import PROJECT_DIR, Settings

MART_SCHEMA = "marts"


class RunFailed(RuntimeError):
    """A step failed; the message says which, where, and what to do next."""


def connect(database: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    database.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(database), read_only=read_only)
    except duckdb.IOException as error:
        raise RunFailed(
            f"cannot open the warehouse {database}: {error}\n"
            "Another process is writing it (a run, or a tool that opened it read-write). "
            "Wait for it to finish or close it, then run again."
        ) from error


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
            con, settings.raw_dir, source_timezone=settings.source_timezone, progress=progress
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


def build_models(settings: Settings, *, full_refresh: bool = False) -> None:
    """`dbt build` (seeds, models and their tests) against the run's warehouse, output streamed."""
    args = ["build"] + (["--full-refresh"] if full_refresh else [])
    completed = subprocess.run(dbt_command(args), env=dbt_environment(settings), check=False)
    if completed.returncode != 0:
        raise RunFailed(
            "dbt build failed (the lines above name each failing model or test). "
            f"Fix it, then re-run; the logs are in {PROJECT_DIR / 'logs' / 'dbt.log'}. "
            "The previous marts stay in the warehouse for every model that did not rebuild."
        )


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

"""Every setting the project reads from the environment, in one place (see .env.example)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

# The dbt of this environment, whatever PATH says (`make` does not activate the venv). Here and not
# in dbt_project.py, which imports dagster-dbt: `mspkpi ingest` and `mspkpi run` need neither.
DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")

# What a scheduled build leaves out: dbt unit tests check the SQL's logic on fixed fixtures, not the
# data, so they run in `make test` (tests/test_dbt_unit_tests.py), not on every night's data.
PRODUCTION_BUILD_EXCLUDES = ("--exclude-resource-type", "unit_test")

DEFAULTS: dict[str, str] = {
    "MSPKPI_RAW_DIR": "data/raw",
    "MSPKPI_DUCKDB_PATH": "data/warehouse.duckdb",
    "MSPKPI_SOURCE_TIMEZONE": "UTC",
    "MSPKPI_TARGET": "duckdb",
    "MSPKPI_DBT_THREADS": "4",
    "MSPKPI_DUCKDB_MEMORY_LIMIT": "2GB",
    # DuckDB's disabled_compression_methods for the warehouse's writes (duckdb_disabled_compression)
    "MSPKPI_DUCKDB_DISABLED_COMPRESSION": "fsst,dict_fsst",
    # entities the ingest loads side by side (orchestration/ingest/load.py); 1 = one at a time
    "MSPKPI_INGEST_WORKERS": "2",
    "MSPKPI_AS_OF": "",
    "MSPKPI_PII_SALT": "",
    # the postgres target (profiles.yml, orchestration/postgres.py, scripts/postgres/server.sh)
    "MSPKPI_PG_HOST": "localhost",
    "MSPKPI_PG_PORT": "5433",
    "MSPKPI_PG_USER": "mspkpi",
    "MSPKPI_PG_PASSWORD": "mspkpi",
    "MSPKPI_PG_DATABASE": "mspkpi",
    "MSPKPI_PG_REPORTING_PASSWORD": "",
    "MSPKPI_PG_DATA_DIR": "data/postgres",
    # client reports (mspkpi report, the Dagster asset reports/client_reports)
    "MSPKPI_REPORTS_DIR": "data/reports",
    "MSPKPI_REPORTS_FIRST_QUARTER": "2024-Q4",
    # the serving file and Metabase (orchestration/serving.py, orchestration/metabase.py);
    # empty serving path = serving.duckdb beside the warehouse (data/serving.duckdb)
    "MSPKPI_SERVING_PATH": "",
    "MSPKPI_METABASE_URL": "",
    "MSPKPI_METABASE_API_KEY": "",
    "MSPKPI_METABASE_DATABASE": "mspkpi",
    # seconds a run waits for the warehouse file while another process holds it (pipeline.connect)
    "MSPKPI_LOCK_TIMEOUT_SECONDS": "300",
    # data quality (orchestration/quality): empty docs dir = quality/docs beside the warehouse
    # (data/quality/docs); share of a delivery's rows rejected above which it is flagged
    "MSPKPI_QUALITY_DOCS_DIR": "",
    "MSPKPI_QUALITY_MAX_REJECTED_SHARE": "0.01",
    # alerts reported after each nightly run (orchestration/alerts.py): the JSON files' folder, and
    # a URL the JSON is POSTed to (empty = no webhook)
    "MSPKPI_ALERTS_DIR": "data/alerts",
    "MSPKPI_ALERT_WEBHOOK": "",
    "MSPKPI_SCHEDULE_CRON": "0 2 * * *",
    "MSPKPI_SCHEDULE_TIMEZONE": "UTC",
}


def env(name: str) -> str:
    """The variable's value, or its documented default."""
    return os.environ.get(name) or DEFAULTS[name]


def duckdb_disabled_compression() -> str:
    """The string compressions DuckDB does not try when it writes a table (its setting
    disabled_compression_methods). By default FSST and DICT_FSST: analysing and compressing them
    is about a fifth of writing a large table, for a file about a third larger (DECISIONLOG "The
    warehouse writes strings without FSST"). Empty or `none` = DuckDB's own choice, every method;
    profiles.yml reads the variable the same way."""
    value = os.environ.get("MSPKPI_DUCKDB_DISABLED_COMPRESSION")
    if value is None:
        value = DEFAULTS["MSPKPI_DUCKDB_DISABLED_COMPRESSION"]
    return "" if value.strip().lower() == "none" else value.strip()


def resolve(path: str | Path) -> Path:
    """Relative paths are relative to the project directory, wherever the command runs from."""
    path = Path(path).expanduser()
    return path if path.is_absolute() else PROJECT_DIR / path


@dataclass(frozen=True)
class Settings:
    raw_dir: Path
    duckdb_path: Path
    source_timezone: str

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            raw_dir=resolve(env("MSPKPI_RAW_DIR")),
            duckdb_path=resolve(env("MSPKPI_DUCKDB_PATH")),
            source_timezone=env("MSPKPI_SOURCE_TIMEZONE"),
        )


def manifest_path() -> Path:
    """Where dbt writes its manifest: DBT_TARGET_PATH, else target/ (dbt's own default)."""
    target = os.environ.get("DBT_TARGET_PATH") or "target"
    path = Path(target).expanduser()
    return (path if path.is_absolute() else PROJECT_DIR / path) / "manifest.json"

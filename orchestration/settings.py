"""Every setting the project reads from the environment, in one place (see .env.example)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, str] = {
    "MSPKPI_RAW_DIR": "data/raw",
    "MSPKPI_DUCKDB_PATH": "data/warehouse.duckdb",
    "MSPKPI_SOURCE_TIMEZONE": "UTC",
    "MSPKPI_TARGET": "duckdb",
    "MSPKPI_DBT_THREADS": "1",
    "MSPKPI_DUCKDB_MEMORY_LIMIT": "4GB",
    "MSPKPI_AS_OF": "",
    "MSPKPI_PII_SALT": "",
    "MSPKPI_SCHEDULE_CRON": "0 2 * * *",
    "MSPKPI_SCHEDULE_TIMEZONE": "UTC",
}


def env(name: str) -> str:
    """The variable's value, or its documented default."""
    return os.environ.get(name) or DEFAULTS[name]


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

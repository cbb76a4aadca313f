"""What the incremental-run tests share: a throwaway warehouse, a delivery file written as the
generator writes them, and dbt run on that warehouse with its own target and log folders."""

from __future__ import annotations

import csv
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestration.contract import load_contract
from orchestration.pipeline import dbt_command, dbt_environment
from orchestration.settings import Settings
from tests import read_only


@dataclass(frozen=True)
class Warehouse:
    root: Path
    database: Path
    raw_dir: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return read_only.query(self.database, sql, params)

    def records(self, sql: str, params: list | None = None) -> list[dict[str, object]]:
        return read_only.records(self.database, sql, params)

    def settings(self) -> Settings:
        return Settings(raw_dir=self.raw_dir, duckdb_path=self.database, source_timezone="UTC")


def write_delivery(
    raw_dir: Path, entity_key: str, file_name: str, rows: Sequence[Mapping[str, str]]
) -> None:
    """One delivery file laid out as the generator writes it: the contract's header, then rows."""
    entity = load_contract().entity(entity_key)
    with (raw_dir / entity_key / file_name).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([column.name for column in entity.columns])
        for row in rows:
            writer.writerow([row.get(column.name, "") for column in entity.columns])


def run_dbt(
    warehouse: Warehouse,
    *args: str,
    select: Sequence[str],
    environment: Mapping[str, str] | None = None,
    options: Sequence[str] = (),
) -> None:
    """dbt on the test's own warehouse, target and log folders; its output when it fails."""
    env = {
        **dbt_environment(warehouse.settings()),
        **(environment or {}),
        "DBT_TARGET_PATH": str(warehouse.root / "target"),
        "DBT_LOG_PATH": str(warehouse.root / "logs"),
    }
    command = dbt_command([*args, "--target", "duckdb", *options, "--select", *select])
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-2000:]

"""Shared fixtures: one sample warehouse built end to end through the real CLI, once per session."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main

os.environ.setdefault("DO_NOT_TRACK", "1")


@dataclass(frozen=True)
class BuiltSample:
    raw_dir: Path
    database: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(self.database), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltSample:
    """The default sample MSP, generated, ingested and built by `mspkpi run` (with dbt build)."""
    root = tmp_path_factory.mktemp("sample")
    raw_dir, database = root / "raw", root / "warehouse.duckdb"
    assert main(["generate-sample", "--out", str(raw_dir)]) == 0
    assert main(["run", "--raw-dir", str(raw_dir), "--database", str(database)]) == 0
    return BuiltSample(raw_dir=raw_dir, database=database)

"""Shared fixtures, once per session: one sample warehouse built end to end through the real CLI,
and the manifest of a fresh `dbt parse`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orchestration.cli import main
from tests import read_only

os.environ.setdefault("DO_NOT_TRACK", "1")

# `make test` runs pytest in two processes (pytest-xdist, `-n 2 --dist loadfile`: the 2 cores are
# half idle while one test waits on dbt's Python). Each worker keeps its dbt target folder and logs
# apart: two dbt commands must not share target/ (partial parse, run results, the manifest that
# `mspkpi publish` reads from DBT_TARGET_PATH).
if os.environ.get("PYTEST_XDIST_WORKER") and "DBT_TARGET_PATH" not in os.environ:
    _worker_dir = Path(tempfile.mkdtemp(prefix=f"mspkpi-{os.environ['PYTEST_XDIST_WORKER']}-"))
    os.environ["DBT_TARGET_PATH"] = str(_worker_dir / "target")
    os.environ["DBT_LOG_PATH"] = str(_worker_dir / "logs")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_AS_OF = "2026-11-22T06:00:00"


@dataclass(frozen=True)
class BuiltSample:
    raw_dir: Path
    database: Path
    # MSPKPI_AS_OF of every build of the session: a rebuild (the idempotence test, the PostgreSQL
    # build compared row for row) must compute the same "now" as the first build
    as_of: str = ""

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return read_only.query(self.database, sql, params)


@pytest.fixture(scope="session")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> BuiltSample:
    """The default sample MSP, generated, ingested and built by `mspkpi run` (with dbt build)."""
    root = tmp_path_factory.mktemp("sample")
    raw_dir, database = root / "raw", root / "warehouse.duckdb"
    # A fixed "now" after the sample's last month (2026-10): the exact values the tests assert
    # (open tickets past their target, the current month of the scorecard and the reports) are the
    # same on any day the suite runs.
    os.environ.setdefault("MSPKPI_AS_OF", SAMPLE_AS_OF)
    assert main(["generate-sample", "--out", str(raw_dir)]) == 0
    assert main(["run", "--raw-dir", str(raw_dir), "--database", str(database)]) == 0
    return BuiltSample(raw_dir=raw_dir, database=database, as_of=os.environ["MSPKPI_AS_OF"])


@pytest.fixture(scope="session")
def dbt_manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The manifest of a fresh `dbt parse` (no database needed) written to a temporary target path,
    so that a stale target/ never hides a violation."""
    target = tmp_path_factory.mktemp("dbt_target")
    env = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        # parse never connects, but never point it at a shared warehouse either
        "MSPKPI_DUCKDB_PATH": str(target / "parse.duckdb"),
    }
    dbt = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [
            str(dbt),
            "parse",
            "--project-dir",
            str(ROOT),
            "--profiles-dir",
            str(ROOT),
            "--target-path",
            str(target),
            "--no-partial-parse",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    return json.loads((target / "manifest.json").read_text(encoding="utf-8"))

"""Shared fixtures, once per session: one sample warehouse built end to end through the real CLI,
and the manifest of a fresh `dbt parse`."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
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
    """The default sample MSP, generated, ingested and built by `mspkpi run` (with dbt build).

    Built once per `make test`: under pytest-xdist the first worker that needs it builds it in the
    session's shared temporary folder (a file lock keeps the other one waiting), and each worker
    then works on its own copy, with the build's dbt target (the manifest that `mspkpi publish`
    reads) copied to its own DBT_TARGET_PATH: a test may write the warehouse or beside it."""
    root = tmp_path_factory.mktemp("sample")
    # A fixed "now" after the sample's last month (2026-10): the exact values the tests assert
    # (open tickets past their target, the current month of the scorecard and the reports) are the
    # same on any day the suite runs.
    os.environ.setdefault("MSPKPI_AS_OF", SAMPLE_AS_OF)
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        _build_sample(root)
    else:
        shared = tmp_path_factory.getbasetemp().parent / "built_sample"
        with _exclusive(shared.with_suffix(".lock")):
            if not (shared / "built").exists():
                shutil.rmtree(shared, ignore_errors=True)
                _build_sample(shared / "sample")
                shutil.copytree(os.environ["DBT_TARGET_PATH"], shared / "target")
                (shared / "built").touch()
        shutil.copytree(shared / "sample", root, dirs_exist_ok=True)
        shutil.copytree(shared / "target", os.environ["DBT_TARGET_PATH"], dirs_exist_ok=True)
    return BuiltSample(
        raw_dir=root / "raw", database=root / "warehouse.duckdb", as_of=os.environ["MSPKPI_AS_OF"]
    )


def _build_sample(root: Path) -> None:
    assert main(["generate-sample", "--out", str(root / "raw")]) == 0
    assert (
        main(["run", "--raw-dir", str(root / "raw"), "--database", str(root / "warehouse.duckdb")])
        == 0
    )


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """An exclusive lock on lock_path across the xdist worker processes (released on exit)."""
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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

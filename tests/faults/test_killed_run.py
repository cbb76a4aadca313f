"""A run killed (kill -9) in the middle of ingestion, then run again: nothing lost, nothing doubled.

Each delivery is one transaction (rows, rejects, audit), and `mspkpi ingest` prints a delivery
after its commit; the test kills the process once a few deliveries are printed, while it loads
the next ones, and compares the re-run's warehouse with an uninterrupted load of the same files.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from orchestration.pipeline import ingest
from orchestration.settings import PROJECT_DIR, Settings
from tests.faults.conftest import SampleTemplate
from tests.faults.extracts import Warehouse

COMMITTED_BEFORE_KILL = 5

# without the delivery ids: the entities load side by side, so the ids interleave differently
AUDIT = (
    "select entity, file, content_hash, status, received, loaded, rejected "
    "from raw._load_audit order by file"
)
REJECTS = "select file, line, column_name, reason from raw._rejects order by all"


def loaded_first(audit: list[tuple]) -> dict[str, list[str]]:
    """Each entity's delivered files, in name order."""
    files: dict[str, list[str]] = {}
    for entity, file, *_ in audit:
        files.setdefault(entity, []).append(file)
    return files


def test_a_killed_ingestion_reruns_to_the_same_warehouse(
    sample_template: SampleTemplate, tmp_path: Path
) -> None:
    database = tmp_path / "warehouse.duckdb"
    command = [
        sys.executable, "-m", "orchestration.cli", "ingest",
        "--raw-dir", str(sample_template.raw_dir), "--database", str(database),
    ]  # fmt: skip
    run = subprocess.Popen(command, cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    printed = 0
    for line in run.stdout:
        printed += line.startswith("  + ")  # a delivery committed
        if printed == COMMITTED_BEFORE_KILL:
            os.kill(run.pid, signal.SIGKILL)
            break
    assert run.wait(timeout=60) == -signal.SIGKILL
    reference = Warehouse(sample_template.database)  # the same files loaded without a kill
    killed = Warehouse(database)
    total = len(reference.query(AUDIT))
    committed = len(killed.query(AUDIT))
    assert COMMITTED_BEFORE_KILL <= committed < total, "not killed in the middle"
    # every committed delivery whole, and each entity's the first of its files
    assert set(killed.query(AUDIT)) <= set(reference.query(AUDIT))
    everything = loaded_first(reference.query(AUDIT))
    for entity, files in loaded_first(killed.query(AUDIT)).items():
        assert files == everything[entity][: len(files)]

    results = ingest(Settings(sample_template.raw_dir, database, source_timezone="UTC"))

    assert [r.status for r in results].count("skipped") == committed
    assert killed.query(AUDIT) == reference.query(AUDIT)  # same files, counts, hashes
    assert killed.raw_counts() == reference.raw_counts()
    assert killed.query(REJECTS) == reference.query(REJECTS)
    assert killed.query("select file from raw._load_audit group by file having count(*) > 1") == []

"""A BI tool keeps reading the serving file while runs rebuild the warehouse and republish it.

Two readers run in their own processes (tests/serving_reader.py), as Metabase's DuckDB driver or a
notebook would: one holds a read-only connection open the whole time (a pooled connection), the
other opens a new one for every round (a client that reconnects). Each round reads every mart of
the file (row count and a hash of every row), so a file swapped in half-written, or a reader
blocked or refused, shows up as an error or as a snapshot that no complete publish produced.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import summarize
from orchestration.serving import publish
from tests.serving_reader import snapshot_of

READER = Path(__file__).with_name("serving_reader.py")


class Readers:
    """The two reader processes, started on `serving` and stopped by a file."""

    def __init__(self, serving: Path, workdir: Path):
        self.stop = workdir / "stop"
        self.reports = {mode: workdir / f"{mode}.json" for mode in ("held", "reopen")}
        self.processes = {
            mode: subprocess.Popen(
                [sys.executable, str(READER), str(serving), str(self.stop), str(report), mode],
                stdout=subprocess.PIPE,
                text=True,
            )
            for mode, report in self.reports.items()
        }
        for mode, process in self.processes.items():
            assert process.stdout.readline().strip() == "ready", f"{mode} reader did not start"

    def finish(self) -> dict[str, dict]:
        self.stop.touch()
        for process in self.processes.values():
            process.wait(timeout=300)
        return {
            mode: json.loads(report.read_text(encoding="utf-8"))
            for mode, report in self.reports.items()
        }

    def kill(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.kill()
                process.wait()


def _row_counts(warehouse: Path) -> tuple:
    summary = summarize(warehouse)
    return summary.raw_rows, summary.mart_rows, summary.rejected_rows


@pytest.fixture
def manifest_file(dbt_manifest, tmp_path) -> Path:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(dbt_manifest), encoding="utf-8")
    return path


def test_readers_keep_reading_during_a_full_run(built_sample, dbt_manifest, tmp_path):
    """`mspkpi run` (ingest, dbt build of every model and test, publish) on a copy of the sample
    warehouse, while both readers query the serving file: no error, every read a complete
    snapshot (the previous publish's or the run's), and the file was swapped under the reader
    that held it open, which read the previous run to the end."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_sample.database, warehouse)
    serving = tmp_path / "serving.duckdb"
    publish(warehouse, serving, manifest=dbt_manifest)
    before = snapshot_of(str(serving))
    counts_before = _row_counts(warehouse)
    first_inode = serving.stat().st_ino

    readers = Readers(serving, tmp_path)
    try:
        run = subprocess.run(
            [
                str(Path(sys.executable).with_name("mspkpi")),
                "run",
                "--raw-dir",
                str(built_sample.raw_dir),
                "--database",
                str(warehouse),
            ],
            env={**os.environ, "MSPKPI_SERVING_PATH": str(serving)},
            capture_output=True,
            text=True,
            check=False,
        )
        time.sleep(2)  # a few reads of the new file
        reports = readers.finish()
    finally:
        readers.kill()
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert f"serving file: {serving}" in run.stdout
    # the run is also the suite's idempotence check (one full rebuild serves both): the same
    # files again load nothing, no content loads twice, and every table keeps its row count
    assert "0 new deliveries" in run.stdout
    assert _row_counts(warehouse) == counts_before
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        assert (
            con.execute(
                "select count(*) from raw._load_audit where status = 'loaded' "
                "group by content_hash having count(*) > 1"
            ).fetchall()
            == []
        )
    finally:
        con.close()
    assert serving.stat().st_ino != first_inode  # the run swapped a new file in
    # the same as-of date (conftest) and data: the same marts, unless the models' code changed
    # since the session's build; either way a read is one publish or the other, whole
    after = snapshot_of(str(serving))

    held, reopen = reports["held"], reports["reopen"]
    for mode, report in reports.items():
        assert report["errors"] == [], mode
        assert report["reads"] >= 10, mode  # it kept reading throughout the run
    assert set(held["snapshots"]) == {before}
    assert held["inodes"] == [first_inode]  # it read the replaced file to the end
    assert set(reopen["snapshots"]) <= {before, after}
    assert reopen["inodes"][0] == first_inode and reopen["inodes"][-1] == serving.stat().st_ino


def test_readers_see_one_complete_publish_or_the_other(built_sample, manifest_file, tmp_path):
    """Publishes alternate between two warehouses whose marts differ while the readers loop: every
    read is exactly one of the two publishes, never a mix or a half-written file; the reconnecting
    reader sees both, the reader holding its connection sees only the one it opened."""
    first = tmp_path / "first.duckdb"
    second = tmp_path / "second.duckdb"
    shutil.copyfile(built_sample.database, first)
    shutil.copyfile(built_sample.database, second)
    con = duckdb.connect(str(second))
    for table in ("fct_tickets", "dim_clients", "kpi_sla_compliance_monthly", "kpi_mrr_monthly"):
        con.execute(f"delete from marts.{table} where rowid % 2 = 0")
    con.close()

    serving = tmp_path / "serving.duckdb"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    publish(second, serving, manifest=manifest)
    expected_second = snapshot_of(str(serving))
    publish(first, serving, manifest=manifest)
    expected_first = snapshot_of(str(serving))
    assert expected_first != expected_second

    writer_code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from orchestration.serving import publish\n"
        "first, second, serving, manifest = sys.argv[1:5]\n"
        "manifest = json.loads(Path(manifest).read_text())\n"
        "for i in range(6):\n"
        "    publish(Path(second if i % 2 == 0 else first), Path(serving), manifest=manifest)\n"
    )
    readers = Readers(serving, tmp_path)
    try:
        writer = subprocess.run(
            [
                sys.executable,
                "-c",
                writer_code,
                str(first),
                str(second),
                str(serving),
                str(manifest_file),
            ],
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parents[1],
        )
        reports = readers.finish()
    finally:
        readers.kill()
    assert writer.returncode == 0, writer.stderr[-3000:]
    assert snapshot_of(str(serving)) == expected_first  # the sixth publish was the first warehouse

    held, reopen = reports["held"], reports["reopen"]
    assert held["errors"] == [] and reopen["errors"] == []
    assert set(held["snapshots"]) == {expected_first}
    assert set(reopen["snapshots"]) == {expected_first, expected_second}
    assert len(reopen["inodes"]) >= 3  # it opened several of the published files

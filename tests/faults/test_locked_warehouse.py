"""The warehouse held open by a reader (a BI tool) while a run wants to write it.

DuckDB allows one writer per file, and a reader holding the file, even read-only, blocks it. A
run waits for the lock (MSPKPI_LOCK_TIMEOUT_SECONDS), says who holds it, and fails with what to
do when the wait is over; dbt (a subprocess that opens the same file) is only launched once the
lock is free.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration import pipeline
from orchestration.cli import main
from orchestration.pipeline import RunFailed, build_models
from orchestration.settings import Settings
from tests.faults.conftest import FaultWarehouse
from tests.faults.extracts import ticket, tickets_file

HOLD = (
    "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
    "print('holding', flush=True); sys.stdin.readline()"
)


@contextmanager
def reader_holding(database: Path) -> Iterator[subprocess.Popen]:
    """Another process with the warehouse open read-only until released (or the block ends)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(database)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        release(holder)


def release(holder: subprocess.Popen) -> None:
    if holder.poll() is None:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def holder_text(holder: subprocess.Popen, database: Path) -> str:
    """How a run names the holder: PID and command line, on one line, cut at 160 characters."""
    command = f"{sys.executable} -c {' '.join(HOLD.split())} {database}"
    shown = command if len(command) <= 160 else command[:157] + "..."
    return f"PID {holder.pid} ({shown})"


def test_a_run_waits_for_a_reader_then_loads(
    warehouse: FaultWarehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("MSPKPI_LOCK_TIMEOUT_SECONDS", "120")
    with reader_holding(warehouse.path) as holder:
        threading.Timer(3.0, release, [holder]).start()
        started = time.monotonic()

        results = warehouse.deliver(tickets_file("while-locked", ticket("FL1")))

        waited = time.monotonic() - started
    assert waited >= 2.5
    file = "psa/tickets/2026-11-02-while-locked.csv"
    assert [(r.file, r.status, r.loaded) for r in results] == [(file, "loaded", 1)]
    assert warehouse.new_audit() == [(file, "loaded", 1, 1, 0)]
    err = capsys.readouterr().err
    assert (
        f"warehouse {warehouse.path} locked by {holder_text(holder, warehouse.path)}; "
        "waiting 0 of 120 s (MSPKPI_LOCK_TIMEOUT_SECONDS) ..."
    ) in err


def test_a_run_gives_up_after_the_timeout_naming_the_holder_and_changes_nothing(
    warehouse: FaultWarehouse, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("MSPKPI_LOCK_TIMEOUT_SECONDS", "2")
    before = warehouse.raw_counts()
    (warehouse.raw_dir / "psa/tickets").mkdir(parents=True)
    (warehouse.raw_dir / "psa/tickets/new.csv").write_bytes(
        tickets_file("new", ticket("FL2"))["psa/tickets/2026-11-02-new.csv"]
    )
    args = ["ingest", "--raw-dir", str(warehouse.raw_dir), "--database", str(warehouse.path)]
    with reader_holding(warehouse.path) as holder:
        exit_code = main(args)

    assert exit_code == 1
    err = capsys.readouterr().err
    assert (
        f"mspkpi ingest failed: the warehouse {warehouse.path} is still locked by "
        f"{holder_text(holder, warehouse.path)} after waiting 2 s (MSPKPI_LOCK_TIMEOUT_SECONDS).\n"
        "DuckDB lets one process write the file, and no other may hold it open meanwhile, even "
        "read-only. Close the program holding it (a BI tool or SQL client: disconnect it from "
        "this file), or, if it is an earlier run that hangs, stop it "
        f"(`kill {holder.pid}`); then run again. To wait longer, raise "
        "MSPKPI_LOCK_TIMEOUT_SECONDS."
    ) in err
    assert warehouse.new_audit() == []
    assert warehouse.raw_counts() == before


def test_dbt_is_launched_only_once_the_lock_is_free(
    warehouse: FaultWarehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    launched: list[list[str]] = []

    def fake_run(command: list[str], **_kwargs: object) -> subprocess.CompletedProcess:
        launched.append(command)
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr(pipeline.subprocess, "run", fake_run)
    monkeypatch.setenv("MSPKPI_TARGET", "duckdb")
    monkeypatch.setenv("MSPKPI_LOCK_TIMEOUT_SECONDS", "1")
    settings = Settings(warehouse.raw_dir, warehouse.path, source_timezone="UTC")
    with reader_holding(warehouse.path), pytest.raises(RunFailed) as failure:
        build_models(settings)

    assert str(failure.value).startswith(
        f"dbt build not started: the warehouse {warehouse.path} is still locked by PID "
    )
    assert str(failure.value).endswith(
        "The deliveries of this run are loaded; `mspkpi run` again builds the models (it skips "
        "the files already loaded)."
    )
    assert launched == []

    build_models(settings)  # the reader is gone

    assert [command[1] for command in launched] == ["build"]


def test_the_writer_keeps_within_the_configured_memory_limit(tmp_path, monkeypatch):
    """Ingestion and the quality checks open the warehouse through pipeline.connect: they get the
    same DuckDB memory_limit as dbt's connection (MSPKPI_DUCKDB_MEMORY_LIMIT), not DuckDB's 80 %
    of the machine's memory."""
    monkeypatch.setenv("MSPKPI_DUCKDB_MEMORY_LIMIT", "1500MB")
    con = pipeline.connect(tmp_path / "warehouse.duckdb")
    try:
        # DuckDB shows 1,500,000,000 bytes in binary units: 1.397 GiB
        assert con.execute("select current_setting('memory_limit')").fetchone() == ("1.3 GiB",)
    finally:
        con.close()


def test_the_writer_uses_the_configured_string_compressions(tmp_path, monkeypatch):
    """pipeline.connect sets DuckDB's disabled_compression_methods as profiles.yml does for dbt:
    FSST and DICT_FSST by default; `none` or empty = every method (DuckDB's own choice)."""
    expected = {None: "FSST,DICT_FSST", "none": "", "": "", "fsst": "FSST"}
    for value, shown in expected.items():
        if value is None:
            monkeypatch.delenv("MSPKPI_DUCKDB_DISABLED_COMPRESSION", raising=False)
        else:
            monkeypatch.setenv("MSPKPI_DUCKDB_DISABLED_COMPRESSION", value)
        con = pipeline.connect(tmp_path / "warehouse.duckdb")
        try:
            setting = "select current_setting('disabled_compression_methods')"
            assert con.execute(setting).fetchone() == (shown,), value
        finally:
            con.close()

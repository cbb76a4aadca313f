"""A dry run of ingestion: the same checks in an in-memory DuckDB, nothing written anywhere."""

from __future__ import annotations

import tempfile
from pathlib import Path

import duckdb

from orchestration.contract import Contract, load_contract
from orchestration.ingest.delivery import LoadOptions
from orchestration.ingest.files import scan_raw_dir
from orchestration.ingest.load import check_raw_dir, load_raw_dir
from orchestration.ingest.results import Reject, ValidationReport
from orchestration.ingest.schema import RAW_SCHEMA, REJECTS_TABLE
from orchestration.ingest.sql import table


def validate_raw_dir(
    raw_dir: Path,
    *,
    source_timezone: str = "UTC",
    max_rejects: int = 10_000,
    contract: Contract | None = None,
) -> ValidationReport:
    """Check every file of `raw_dir` against the contract as a load would, without loading.

    Runs the loader in a throwaway in-memory DuckDB (spilling to a temporary directory) that keeps
    rejects but no rows, so the report lists exactly what a load would reject.
    """
    raw_dir = Path(raw_dir)
    contract = contract or load_contract()
    check_raw_dir(raw_dir)
    layout = scan_raw_dir(raw_dir, contract)
    options = LoadOptions(source_timezone, store_rows=False, name_rejects_table=False)
    with tempfile.TemporaryDirectory(prefix="mspkpi-validate-") as spill:
        con = duckdb.connect(":memory:", config={"temp_directory": spill})
        con.execute("set enable_progress_bar = false")
        try:
            results = load_raw_dir(con, raw_dir, options, contract=contract)
            rejects, reject_count = collected_rejects(con, max_rejects)
        finally:
            con.close()
    with_files = {result.entity for result in results}
    return ValidationReport(
        raw_dir=raw_dir,
        files=tuple(results),
        rejects=rejects,
        reject_count=reject_count,
        unknown_folders=layout.unknown_folders,
        entities_without_files=tuple(e.key for e in contract.entities if e.key not in with_files),
        ignored_files=layout.ignored_files,
    )


def collected_rejects(
    con: duckdb.DuckDBPyConnection, max_rejects: int
) -> tuple[tuple[Reject, ...], int]:
    rejects_table = table(RAW_SCHEMA, REJECTS_TABLE)
    total = con.execute(f"select count(*) from {rejects_table}").fetchone()[0]
    rows = con.execute(
        f"""
        select file, line, column_name, value, reason
        from {rejects_table}
        order by delivery_id, line, column_name nulls first
        limit ?
        """,
        [max_rejects],
    ).fetchall()
    return tuple(Reject(*row) for row in rows), total

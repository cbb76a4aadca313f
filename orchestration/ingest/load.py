"""Loading the raw directory: every new file of every entity, in name order, one delivery each."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.contract import Contract, Entity, load_contract
from orchestration.ingest.delivery import LoadOptions, drop_temp_objects, load_delivery
from orchestration.ingest.files import entity_files, scan_raw_dir
from orchestration.ingest.results import ContractViolation, DeliveryResult
from orchestration.ingest.rules import macro_statements
from orchestration.ingest.schema import ensure_raw_schema, ensure_tables
from orchestration.ingest.sql import literal

log = logging.getLogger(__name__)

Progress = Callable[[DeliveryResult], None]


def load_entity(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    entity: Entity,
    *,
    source_timezone: str = "UTC",
) -> list[DeliveryResult]:
    """Load every new file of `entity` under `raw_dir/<system>/<entity>/`, in name order."""
    raw_dir = Path(raw_dir)
    options = LoadOptions(source_timezone)
    check_raw_dir(raw_dir)
    check_timezone(con, options.source_timezone)
    ensure_tables(con, [entity])
    with loading_session(con, options.source_timezone):
        return load_files(con, raw_dir, entity, options)


def load_all(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    *,
    source_timezone: str = "UTC",
    progress: Progress | None = None,
    contract: Contract | None = None,
) -> list[DeliveryResult]:
    """Load every new file of every contract entity (contract order, then file name order)."""
    return load_raw_dir(con, Path(raw_dir), LoadOptions(source_timezone), progress, contract)


def load_raw_dir(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    options: LoadOptions,
    progress: Progress | None = None,
    contract: Contract | None = None,
) -> list[DeliveryResult]:
    contract = contract or load_contract()
    check_raw_dir(raw_dir)
    check_timezone(con, options.source_timezone)
    for folder in scan_raw_dir(raw_dir, contract).unknown_folders:
        log.warning("%s: folder not in the extract contract, its files are ignored", folder)
    ensure_raw_schema(con, contract)
    results: list[DeliveryResult] = []
    with loading_session(con, options.source_timezone):
        for entity in contract.entities:
            results += load_files(con, raw_dir, entity, options, progress)
    return results


def load_files(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    entity: Entity,
    options: LoadOptions,
    progress: Progress | None = None,
) -> list[DeliveryResult]:
    results: list[DeliveryResult] = []
    for delivery in entity_files(raw_dir, entity):
        result = load_delivery(con, delivery, options)
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def check_raw_dir(raw_dir: Path) -> None:
    if not raw_dir.is_dir():
        raise ContractViolation(
            f"raw directory {raw_dir} does not exist or is not a directory: "
            "create it or point MSPKPI_RAW_DIR at the landing folder"
        )


def check_timezone(con: duckdb.DuckDBPyConnection, source_timezone: str) -> None:
    try:
        con.execute("select timezone(?, timestamp '2000-01-01')", [source_timezone])
    except duckdb.Error as error:
        raise ContractViolation(
            f"unknown source time zone {source_timezone!r}: set MSPKPI_SOURCE_TIMEZONE to an "
            "IANA name such as Europe/Paris"
        ) from error


@contextmanager
def loading_session(con: duckdb.DuckDBPyConnection, source_timezone: str) -> Iterator[None]:
    """The connection settings a load relies on, restored afterwards: TimeZone = the source time
    zone (offset-less timestamps are read in it), preserve_insertion_order (line numbers follow
    the file order); and the temp macros of the typed expressions."""
    for statement in macro_statements():
        con.execute(statement)
    drop_temp_objects(con)  # left over by a delivery killed on this connection
    wanted = {"TimeZone": source_timezone, "preserve_insertion_order": True}
    previous = {
        name: con.execute("select current_setting(?)", [name]).fetchone()[0] for name in wanted
    }
    try:
        for name, value in wanted.items():
            con.execute(f"set {name} = {_setting(value)}")
        yield
    finally:
        for name, value in previous.items():
            con.execute(f"set {name} = {_setting(value)}")


def _setting(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return literal(value)

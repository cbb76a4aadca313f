"""Loading the raw directory: every new file of every entity, in name order, one delivery each.

The entities load side by side, `workers` at a time (MSPKPI_INGEST_WORKERS), each on its own
connection to the one database; an entity's files load one after the other, in name order."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
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
    workers: int = 1,
) -> list[DeliveryResult]:
    """Load every new file of every contract entity; the results in contract order, then file
    name order."""
    options = LoadOptions(source_timezone)
    return load_raw_dir(con, Path(raw_dir), options, progress, contract, workers=workers)


def load_raw_dir(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    options: LoadOptions,
    progress: Progress | None = None,
    contract: Contract | None = None,
    *,
    workers: int = 1,
) -> list[DeliveryResult]:
    contract = contract or load_contract()
    check_raw_dir(raw_dir)
    check_timezone(con, options.source_timezone)
    for folder in scan_raw_dir(raw_dir, contract).unknown_folders:
        log.warning("%s: folder not in the extract contract, its files are ignored", folder)
    ensure_raw_schema(con, contract)
    if workers <= 1:
        results: list[DeliveryResult] = []
        with loading_session(con, options.source_timezone):
            for entity in contract.entities:
                results += load_files(con, raw_dir, entity, options, progress)
        return results
    loaded = load_side_by_side(con, raw_dir, contract.entities, options, progress, workers)
    return [result for entity in contract.entities for result in loaded.get(entity.key, [])]


def load_side_by_side(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    entities: tuple[Entity, ...] | list[Entity],
    options: LoadOptions,
    progress: Progress | None,
    workers: int,
) -> dict[str, list[DeliveryResult]]:
    """Load the entities `workers` at a time, the largest (in bytes of files) first.

    One load keeps about one and a half of two cores busy: the Python line scan, DuckDB's
    single-threaded steps and the commits leave the rest idle, which the other entity's load
    fills. Each worker has its own connection (a cursor of `con`: its own temp tables and
    session settings). A failure stops the other workers after their current file and is
    raised once they have stopped; a delivery is one transaction, so none is left halfway."""
    waiting = sorted(entities, key=lambda entity: -_bytes_of(raw_dir, entity))
    lock = threading.Lock()
    stop = threading.Event()
    loaded: dict[str, list[DeliveryResult]] = {}

    def next_entity() -> Entity | None:
        with lock:
            return waiting.pop(0) if waiting and not stop.is_set() else None

    def work() -> None:
        cursor = con.cursor()
        try:
            with loading_session(cursor, options.source_timezone):
                while (entity := next_entity()) is not None:
                    loaded[entity.key] = load_files(
                        cursor, raw_dir, entity, options, progress, stop
                    )
        except BaseException:
            stop.set()
            raise
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ingest") as pool:
        futures = [pool.submit(work) for _ in range(min(workers, len(waiting)))]
        try:
            for future in futures:
                future.result()
        except BaseException:
            stop.set()
            raise
    return loaded


def _bytes_of(raw_dir: Path, entity: Entity) -> int:
    return sum(delivery.path.stat().st_size for delivery in entity_files(raw_dir, entity))


def load_files(
    con: duckdb.DuckDBPyConnection,
    raw_dir: Path,
    entity: Entity,
    options: LoadOptions,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> list[DeliveryResult]:
    results: list[DeliveryResult] = []
    for delivery in entity_files(raw_dir, entity):
        if stop is not None and stop.is_set():
            break
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
            # this connection's only: another may be loading beside it (load_side_by_side)
            con.execute(f"set session {name} = {_setting(value)}")
        yield
    finally:
        for name, value in previous.items():
            con.execute(f"set session {name} = {_setting(value)}")


def _setting(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return literal(value)

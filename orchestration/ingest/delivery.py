"""Loading one delivery file into its raw table, set-based in DuckDB.

1. Python reads what is cheap to stream: the content hash (a known hash is skipped), the header
   and, for CSV, where the blank lines are.
2. DuckDB reads the file with one explicit VARCHAR column per header field (CSV: `store_rejects`
   keeps malformed lines with their line number) and types and checks every value in the same
   streaming pass into a temp table, in file order.
3. A record's physical line is its ordinal + 1 (header) + the lines DuckDB skipped before it
   (malformed lines and blank lines), found by an ASOF join on the small table of skipped lines.
4. Duplicate keys are looked for among the otherwise valid rows; the first occurrence wins.
5. Raw rows, rejects and the audit row are written in ONE transaction.

Limitation: DuckDB counts a quoted value that spans several lines as one line, so line numbers
after a value with an embedded line break are short by the number of such breaks (exports of the
contract's entities normally have none). When the file has more physical lines than records, the
delivery's message says so. An unclosed quote makes the rest of the file one malformed record: it
is rejected and kept whole.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb

from orchestration.ingest import statements
from orchestration.ingest.files import (
    DeliveryFile,
    FileFacts,
    LineScan,
    csv_line_scan,
    inspect_file,
    read_csv_header,
)
from orchestration.ingest.header import Header, match_header
from orchestration.ingest.results import LOADED, REFUSED, SKIPPED, DeliveryResult
from orchestration.ingest.schema import AUDIT_TABLE, RAW_SCHEMA, add_column
from orchestration.ingest.sql import literal, table

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoadOptions:
    source_timezone: str = "UTC"
    store_rows: bool = True  # False in validate_raw_dir: count valid rows, keep rejects only
    name_rejects_table: bool = True  # point messages at raw._rejects (False in dry runs)


@dataclass(frozen=True)
class Counts:
    received: int
    loaded: int
    rejected: int


@dataclass(frozen=True)
class Staged:
    """What staging found in the temp tables, and the CSV's line scan."""

    parsed: int  # records DuckDB could split into fields
    bad: int  # of which break a column rule or a row check
    duplicates: int  # of which repeat the key of an earlier valid record
    malformed: int  # lines DuckDB could not split (each one received and rejected)
    gaps: int  # steps of skipped lines that shift the line numbers of later records
    refused: bool
    lines: LineScan | None

    @property
    def counts(self) -> Counts:
        received = self.parsed + self.malformed
        loaded = 0 if self.refused else self.parsed - self.bad - self.duplicates
        return Counts(received, loaded, received - loaded)


class Unreadable(Exception):
    """The file cannot be read at all: refused with this operator message, no rows counted."""


def load_delivery(
    con: duckdb.DuckDBPyConnection, delivery: DeliveryFile, options: LoadOptions
) -> DeliveryResult:
    facts = inspect_file(delivery)
    previous = already_processed(con, delivery.entity.key, facts.content_hash)
    if previous is not None:
        return skipped_result(delivery, facts, previous)
    started = utc_now()
    try:
        header = read_header(con, delivery)
        staged = stage(con, delivery, facts, header)
        return write(con, delivery, facts, header, staged, options, started)
    except Unreadable as problem:
        return write_unreadable(con, delivery, facts, str(problem), options, started)
    finally:
        drop_temp_objects(con)


def already_processed(
    con: duckdb.DuckDBPyConnection, entity: str, content_hash: str
) -> tuple | None:
    """The earlier delivery of the same bytes to the same entity, under whatever name."""
    return con.execute(
        f"""
        select file, delivery_id, status
        from {table(RAW_SCHEMA, AUDIT_TABLE)}
        where entity = ? and content_hash = ? and status in ('loaded', 'refused')
        order by delivery_id
        limit 1
        """,
        [entity, content_hash],
    ).fetchone()


def skipped_result(delivery: DeliveryFile, facts: FileFacts, previous: tuple) -> DeliveryResult:
    file, delivery_id, status = previous
    same = "this file" if file == delivery.relative else f"the same content as {file}"
    message = f"{delivery.relative}: {same} was already {status} (delivery {delivery_id}); skipped"
    return DeliveryResult(
        delivery.entity.key, delivery.relative, facts.content_hash, SKIPPED, 0, 0, 0, message
    )


# -- reading -----------------------------------------------------------------------------------


def read_header(con: duckdb.DuckDBPyConnection, delivery: DeliveryFile) -> Header:
    is_parquet = delivery.format == "parquet"
    names = parquet_columns(con, delivery) if is_parquet else csv_header(delivery)
    return match_header(names, delivery.entity)


def csv_header(delivery: DeliveryFile) -> list[str]:
    try:
        names = read_csv_header(delivery)
    except (UnicodeDecodeError, csv.Error, OSError, EOFError) as error:
        raise Unreadable(
            f"{delivery.relative}: the header (line 1) cannot be read ({error}); "
            "export the file as UTF-8 CSV and deliver it again"
        ) from error
    if not names or not any(name.strip() for name in names):
        raise Unreadable(
            f"{delivery.relative}: the file is empty or its header (line 1) is blank; "
            "deliver the export with its header row"
        )
    return names


def parquet_columns(con: duckdb.DuckDBPyConnection, delivery: DeliveryFile) -> list[str]:
    try:
        described = con.execute(
            f"describe select * from read_parquet({literal(str(delivery.path))})"
        ).fetchall()
    except duckdb.Error as error:
        raise Unreadable(
            f"{delivery.relative}: not a readable Parquet file ({first_line(error)}); "
            "export it again"
        ) from error
    return [row[0] for row in described]


def stage(
    con: duckdb.DuckDBPyConnection, delivery: DeliveryFile, facts: FileFacts, header: Header
) -> Staged:
    """Read, type and check the file into the temp tables, number its lines, find duplicates."""
    path = str(delivery.path)
    is_csv = delivery.format == "csv"
    if is_csv:
        source = statements.read_csv_sql(path, header)
    else:
        source = statements.read_parquet_sql(path, header)
    refused = header.refusal_reason() is not None
    try:
        lines = csv_line_scan(delivery, facts) if is_csv else None
        if refused:
            con.execute(statements.stage_unchecked_sql(source))
        else:
            con.execute(statements.stage_sql(source, delivery.entity, header))
    except (duckdb.Error, OSError, EOFError) as error:
        raise Unreadable(
            f"{delivery.relative}: cannot be read as {delivery.format.upper()} "
            f"({first_line(error)}); export the file again"
        ) from error
    con.execute(statements.malformed_sql(header) if is_csv else statements.empty_malformed_sql())
    con.execute(statements.gaps_sql(), {"blank_lines": list(lines.blank_lines) if lines else []})
    gaps = con.execute(statements.count_sql(statements.GAPS)).fetchone()[0]
    con.execute(statements.numbered_sql(has_gaps=gaps > 0))
    con.execute(statements.empty_dups_sql() if refused else statements.dups_sql(delivery.entity))
    parsed, bad, duplicates, malformed = con.execute(statements.tallies_sql()).fetchone()
    return Staged(parsed, bad, duplicates, malformed, gaps, refused, lines)


# -- writing -----------------------------------------------------------------------------------


def write(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    facts: FileFacts,
    header: Header,
    staged: Staged,
    options: LoadOptions,
    started: datetime,
) -> DeliveryResult:
    """Rows, rejects and audit of one delivery in ONE transaction."""
    refusal = header.refusal(delivery.relative)
    counts = staged.counts
    status = LOADED if refusal is None else REFUSED
    with transaction(con):
        delivery_id = next_delivery_id(con)
        keys = {
            "delivery_id": delivery_id,
            "entity": delivery.entity.key,
            "file": delivery.relative,
        }
        if refusal is None:
            write_rows(con, delivery, header, staged, keys, options, started)
            write_row_rejects(con, delivery, header, staged, keys)
        else:
            write_refused_rejects(con, header, staged, keys)
        if staged.malformed:
            con.execute(statements.insert_malformed_rejects_sql(), keys)
        message = refusal or operator_message(con, delivery, staged, delivery_id, options)
        audit(con, delivery, facts, status, counts, message, options, delivery_id, started)
    result = DeliveryResult(
        delivery.entity.key,
        delivery.relative,
        facts.content_hash,
        status,
        counts.received,
        counts.loaded,
        counts.rejected,
        message,
    )
    log.info("%s: %s, %s rows received, %s loaded, %s rejected", *_log_args(result))
    return result


def write_unreadable(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    facts: FileFacts,
    message: str,
    options: LoadOptions,
    started: datetime,
) -> DeliveryResult:
    counts = Counts(0, 0, 0)
    with transaction(con):
        delivery_id = next_delivery_id(con)
        audit(con, delivery, facts, REFUSED, counts, message, options, delivery_id, started)
    log.warning(message)
    return DeliveryResult(
        delivery.entity.key, delivery.relative, facts.content_hash, REFUSED, 0, 0, 0, message
    )


def next_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    audit_table = table(RAW_SCHEMA, AUDIT_TABLE)
    return con.execute(f"select coalesce(max(delivery_id), 0) + 1 from {audit_table}").fetchone()[0]


def write_rows(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    header: Header,
    staged: Staged,
    keys: dict,
    options: LoadOptions,
    started: datetime,
) -> None:
    """Insert the valid rows (in a dry run, only count them) and check the count."""
    if options.store_rows:
        for extra in header.extras:
            add_column(con, delivery.entity.raw_table, extra.raw_name, "VARCHAR")
        insert = statements.insert_raw_sql(
            delivery.entity, header, has_gaps=staged.gaps > 0, has_dups=staged.duplicates > 0
        )
        params = {"file": keys["file"], "delivery_id": keys["delivery_id"], "loaded_at": started}
        loaded = con.execute(insert, params).fetchone()[0]
    else:
        loaded = con.execute(statements.count_valid_sql()).fetchone()[0]
    if loaded != staged.counts.loaded:
        raise RuntimeError(
            f"{delivery.relative}: {loaded} valid rows but {staged.counts.loaded} were counted"
        )


def write_row_rejects(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    header: Header,
    staged: Staged,
    keys: dict,
) -> None:
    if staged.bad:
        con.execute(statements.insert_column_rejects_sql(delivery.entity, header), keys)
    if staged.duplicates:
        con.execute(statements.insert_duplicate_rejects_sql(delivery.entity, header), keys)


def write_refused_rejects(
    con: duckdb.DuckDBPyConnection, header: Header, staged: Staged, keys: dict
) -> None:
    """Every record of a refused file is rejected with the refusal as its reason."""
    if staged.parsed:
        reason = f"file refused: {header.refusal_reason()}"
        params = {**keys, "column": header.refusal_column(), "reason": reason}
        con.execute(statements.insert_refused_rejects_sql(header), params)


def operator_message(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    staged: Staged,
    delivery_id: int,
    options: LoadOptions,
) -> str | None:
    """What the operator should know about a loaded file, or None when all went well."""
    notes = [rejects_note(con, staged.counts, delivery_id, options), line_break_note(con, staged)]
    kept = [note for note in notes if note]
    return f"{delivery.relative}: " + "; ".join(kept) if kept else None


def rejects_note(
    con: duckdb.DuckDBPyConnection, counts: Counts, delivery_id: int, options: LoadOptions
) -> str | None:
    if counts.rejected == 0:
        return None
    line, column, reason = con.execute(statements.first_reject_sql(), [delivery_id]).fetchone()
    where = f"line {line}" + (f", column '{column}'" if column else "")
    listed = (
        f"see raw._rejects where delivery_id = {delivery_id}"
        if options.name_rejects_table
        else "see the rejects listed"
    )
    return (
        f"{counts.rejected} of {counts.received} rows rejected (first at {where}: {reason}); "
        f"the other {counts.loaded} rows are loaded. "
        f"{listed.capitalize()}, fix the rows in the source and deliver them again"
    )


def line_break_note(con: duckdb.DuckDBPyConnection, staged: Staged) -> str | None:
    """Physical lines that are neither header, blank, record nor malformed are line breaks
    inside quoted values: DuckDB does not count them, so later line numbers are short."""
    if staged.lines is None:
        return None
    spanned = staged.parsed
    if staged.malformed:  # a malformed record may span lines (an unclosed quote)
        spanned += con.execute(statements.malformed_lines_spanned_sql()).fetchone()[0]
    hidden = staged.lines.line_count - 1 - len(staged.lines.blank_lines) - spanned
    if hidden <= 0:
        return None
    return (
        f"{hidden} line break(s) inside quoted values: line numbers after the first such value "
        f"are short by up to {hidden}"
    )


def audit(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    facts: FileFacts,
    status: str,
    counts: Counts,
    message: str | None,
    options: LoadOptions,
    delivery_id: int,
    started: datetime,
) -> None:
    con.execute(
        statements.insert_audit_sql(),
        {
            "delivery_id": delivery_id,
            "entity": delivery.entity.key,
            "file": delivery.relative,
            "content_hash": facts.content_hash,
            "file_size_bytes": facts.size_bytes,
            "status": status,
            "received": counts.received,
            "loaded": counts.loaded,
            "rejected": counts.rejected,
            "message": message,
            "source_timezone": options.source_timezone,
            "started_at": started,
            "finished_at": utc_now(),
        },
    )


# -- helpers -----------------------------------------------------------------------------------


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """All or nothing: a delivery killed midway leaves no trace and loads again on the next run."""
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def drop_temp_objects(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"drop view if exists temp.main.{statements.NUMBERED}")
    for name in statements.TEMP_TABLES:
        con.execute(f"drop table if exists temp.main.{name}")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _log_args(result: DeliveryResult) -> tuple:
    return result.file, result.status, result.received, result.loaded, result.rejected

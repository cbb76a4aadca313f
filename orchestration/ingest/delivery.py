"""Loading one delivery file into its raw table, set-based in DuckDB.

1. Python reads what is cheap to stream: the content hash (a known hash is skipped), the header
   and, for CSV, where the blank lines are. A file already processed under the same name, with
   the same size and not modified since, is skipped without being read (see `unchanged_since`).
2. DuckDB reads the file with one explicit VARCHAR column per header field (CSV: `store_rejects`
   keeps malformed lines with their line number) and types and checks every value in the same
   streaming pass into a temp table, in file order.
3. A record's physical line is its ordinal + 1 (header) + the lines DuckDB skipped before it
   (malformed lines and blank lines), found by an ASOF join on the small table of skipped lines.
4. Duplicate keys are looked for among the otherwise valid rows; the first occurrence wins.
5. Raw rows, rejects and the audit row are written in ONE transaction.

A CSV that is not UTF-8 but Windows-1252 (Latin-1) is read as such (see `files`); one in UTF-16 is
refused. A file that does not end with a line break may have been cut short: its last line is
rejected rather than loaded with a value that could be truncated (`2026-01-05T09:00:00Z` cut to
`2026-01-05T09:00:00` would still be a valid, and wrong, timestamp). An empty file (zero bytes,
or a header without rows) is an empty delivery: audited with 0 rows, not an error.

Limitation: DuckDB counts a quoted value that spans several lines as one line, so line numbers
after a value with an embedded line break are short by the number of such breaks (exports of the
contract's entities normally have none). When the file has more physical lines than records, the
delivery's message says so. An unclosed quote makes the rest of the file one malformed record: it
is rejected and kept whole.
"""

from __future__ import annotations

import csv
import logging
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from tempfile import TemporaryDirectory

import duckdb

from orchestration.ingest import statements
from orchestration.ingest.files import (
    UTF16,
    WINDOWS_1252,
    DeliveryFile,
    FileFacts,
    LineScan,
    csv_line_scan,
    inspect_file,
    read_csv_header,
    transcode_to_utf8,
)
from orchestration.ingest.header import Header, match_header, with_delimiter_found
from orchestration.ingest.results import LOADED, REFUSED, SKIPPED, DeliveryResult
from orchestration.ingest.rules import FUTURE_TOLERANCE
from orchestration.ingest.schema import AUDIT_TABLE, RAW_SCHEMA, add_column
from orchestration.ingest.sql import literal, table

log = logging.getLogger(__name__)


class DeliveryIds:
    """The delivery ids of one load run, handed out in the order they are asked for.

    The entities of a run load side by side on their own connections (`load.load_raw_dir`), and
    one cannot see the audit rows another has not committed yet: the ids come from one counter,
    started at the audit table's largest id. Each entity's files still get increasing ids in
    file order, and every id of a run is larger than every id of the runs before it, which is
    all that the staging models' "latest delivery wins" and the incremental models'
    high-water marks rely on. An id whose delivery is rolled back is never used."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last: int | None = None

    def next(self, con: duckdb.DuckDBPyConnection) -> int:
        with self._lock:
            if self._last is None:
                audit_table = table(RAW_SCHEMA, AUDIT_TABLE)
                query = f"select coalesce(max(delivery_id), 0) from {audit_table}"
                self._last = con.execute(query).fetchone()[0]
            self._last += 1
            return self._last


@dataclass(frozen=True)
class LoadOptions:
    source_timezone: str = "UTC"
    store_rows: bool = True  # False in validate_raw_dir: count valid rows, keep rejects only
    name_rejects_table: bool = True  # point messages at raw._rejects (False in dry runs)
    now: datetime | None = None  # naive UTC "now" for future timestamps (None: the load's start)
    delivery_ids: DeliveryIds = field(default_factory=DeliveryIds, compare=False)


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
    unchanged = unchanged_since(con, delivery)
    if unchanged is not None:
        content_hash, size_bytes, previous = unchanged
        return skipped_result(delivery, FileFacts(content_hash, size_bytes, None), previous)
    facts = inspect_file(delivery)
    previous = already_processed(con, delivery.entity.key, facts.content_hash)
    if previous is not None:
        return skipped_result(delivery, facts, previous)
    started = utc_now()
    lines: LineScan | None = None
    try:
        with ExitStack() as cleanup:
            lines = text_scan(delivery, facts)
            check_encoding(delivery, lines)
            readable = delivery
            if lines is not None and lines.encoding == WINDOWS_1252:
                scratch = Path(cleanup.enter_context(TemporaryDirectory(prefix="mspkpi-ingest-")))
                readable = transcode_to_utf8(delivery, scratch / "utf-8.csv")
            header = read_header(con, readable, facts, lines)
            if header is None:
                return write_empty(con, delivery, facts, lines, options, started)
            not_after = (options.now or started) + FUTURE_TOLERANCE
            staged = stage(con, readable, lines, header, not_after)
        return write(con, delivery, facts, header, staged, options, started)
    except Unreadable as problem:
        return write_unreadable(con, delivery, facts, lines, str(problem), options, started)
    finally:
        drop_temp_objects(con)


def unchanged_since(
    con: duckdb.DuckDBPyConnection, delivery: DeliveryFile
) -> tuple[str, int, tuple] | None:
    """The content hash, size and earlier delivery of a file loaded or refused under this very
    name, with this very size, and not modified since that delivery started: the landing folder
    keeps every file it ever received, and hashing them all again on each run would read the
    whole history (7.5 GB at 10 M tickets) to find the day's few new files. A file rewritten
    since, or grown, or shrunk, is hashed as before."""
    stat = delivery.path.stat()
    modified_at = datetime.fromtimestamp(stat.st_mtime, UTC).replace(tzinfo=None)
    found = con.execute(
        f"""
        select content_hash, file, delivery_id, status
        from {table(RAW_SCHEMA, AUDIT_TABLE)}
        where
            entity = ? and file = ? and file_size_bytes = ? and started_at > ?
            and status in ('loaded', 'refused')
        order by delivery_id
        limit 1
        """,
        [delivery.entity.key, delivery.relative, stat.st_size, modified_at],
    ).fetchone()
    if found is None:
        return None
    content_hash, *previous = found
    return content_hash, stat.st_size, tuple(previous)


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


def text_scan(delivery: DeliveryFile, facts: FileFacts) -> LineScan | None:
    """A CSV's lines and encoding (None for Parquet); Unreadable for a broken .gz."""
    if delivery.format != "csv":
        return None
    try:
        return csv_line_scan(delivery, facts)
    except (OSError, EOFError) as error:
        raise Unreadable(
            f"{delivery.relative}: cannot be read as CSV ({first_line(error)}); "
            "export the file again"
        ) from error


def check_encoding(delivery: DeliveryFile, lines: LineScan | None) -> None:
    """A UTF-16 file (a spreadsheet's "Unicode text") is refused with what to export instead."""
    if lines is not None and lines.encoding == UTF16:
        raise Unreadable(
            f'{delivery.relative}: the file is UTF-16 text (a spreadsheet\'s "Unicode text" '
            'export), not CSV; export it as "CSV UTF-8 (comma delimited)" and deliver it again'
        )


def read_header(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    facts: FileFacts,
    lines: LineScan | None,
) -> Header | None:
    """The file's header matched to the contract, or None for an empty file."""
    if delivery.format == "parquet":
        if facts.size_bytes == 0:
            return None
        return match_header(parquet_columns(con, delivery), delivery.entity)
    assert lines is not None
    names = csv_header(delivery, lines)
    if names is None:
        return None
    header = match_header(names, delivery.entity)
    return with_delimiter_found(
        header,
        delivery.entity,
        lambda delimiter: read_csv_header_or_none(delivery, delimiter),
    )


def csv_header(delivery: DeliveryFile, lines: LineScan) -> list[str] | None:
    """The header names, or None when the file holds nothing but blank lines."""
    try:
        names = read_csv_header(delivery)
    except (csv.Error, OSError, EOFError) as error:
        raise Unreadable(
            f"{delivery.relative}: the header (line 1) cannot be read ({error}); "
            "export the file as UTF-8 CSV and deliver it again"
        ) from error
    if names and any(name.strip() for name in names):
        return names
    if lines.line_count - len(lines.blank_lines) <= 1:
        return None
    raise Unreadable(
        f"{delivery.relative}: the header (line 1) is blank; deliver the export with its "
        "header row on line 1"
    )


def read_csv_header_or_none(delivery: DeliveryFile, delimiter: str) -> list[str] | None:
    """The header read with another delimiter, None when it cannot be read that way."""
    try:
        return read_csv_header(delivery, delimiter)
    except (csv.Error, OSError, EOFError):
        return None


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
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    lines: LineScan | None,
    header: Header,
    not_after: datetime,
) -> Staged:
    """Read, type and check the file into the temp tables, number its lines, find duplicates."""
    path = str(delivery.path)
    if lines is not None:
        source = statements.read_csv_sql(path, header)
    else:
        source = statements.read_parquet_sql(path, header)
    refused = header.refusal_reason() is not None
    try:
        con.execute(statements.records_sql(source))
        if refused:
            con.execute(statements.stage_unchecked_sql())
        else:
            con.execute(statements.stage_sql(delivery.entity, header, not_after))
    except (duckdb.Error, OSError, EOFError) as error:
        raise Unreadable(
            f"{delivery.relative}: cannot be read as {delivery.format.upper()} "
            f"({first_line(error)}); export the file again"
        ) from error
    if lines is not None:
        con.execute(statements.malformed_sql(header))
        if not refused:
            reject_unterminated_last_line(con, header, lines)
    else:
        con.execute(statements.empty_malformed_sql())
    con.execute(statements.gaps_sql(), {"blank_lines": list(lines.blank_lines) if lines else []})
    gaps = con.execute(statements.count_sql(statements.GAPS)).fetchone()[0]
    con.execute(statements.numbered_sql(has_gaps=gaps > 0))
    con.execute(statements.written_sql())
    con.execute(statements.empty_dups_sql() if refused else statements.dups_sql(delivery.entity))
    parsed, bad, duplicates, malformed = con.execute(statements.tallies_sql()).fetchone()
    return Staged(parsed, bad, duplicates, malformed, gaps, refused, lines)


def reject_unterminated_last_line(
    con: duckdb.DuckDBPyConnection, header: Header, lines: LineScan
) -> None:
    """A file whose last line has no line break may have been cut while written or copied: that
    line is rejected (moved to MALFORMED on its physical line), never loaded as it reads."""
    if lines.ends_with_line_break or lines.line_count < 2:
        return
    last_malformed = con.execute(statements.last_malformed_line_sql()).fetchone()[0]
    if last_malformed is not None and last_malformed >= lines.line_count:
        con.execute(statements.note_truncated_malformed_sql())
    elif con.execute(statements.count_sql(statements.ROWS)).fetchone()[0]:
        for statement in statements.truncate_last_record_sql(header, lines.line_count):
            con.execute(statement)


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
        delivery_id = options.delivery_ids.next(con)
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
        audit(
            con,
            delivery,
            facts,
            status,
            counts,
            message,
            options,
            delivery_id,
            started,
            staged.lines.encoding if staged.lines else None,
        )
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
    lines: LineScan | None,
    message: str,
    options: LoadOptions,
    started: datetime,
) -> DeliveryResult:
    counts = Counts(0, 0, 0)
    encoding = lines.encoding if lines else None
    with transaction(con):
        delivery_id = options.delivery_ids.next(con)
        audit(
            con, delivery, facts, REFUSED, counts, message, options, delivery_id, started, encoding
        )
    log.warning(message)
    return DeliveryResult(
        delivery.entity.key, delivery.relative, facts.content_hash, REFUSED, 0, 0, 0, message
    )


def write_empty(
    con: duckdb.DuckDBPyConnection,
    delivery: DeliveryFile,
    facts: FileFacts,
    lines: LineScan | None,
    options: LoadOptions,
    started: datetime,
) -> DeliveryResult:
    """A file without even a header (zero bytes, or blank lines only): an empty delivery, audited
    as loaded with 0 rows, so that a day without data is visible and not an error."""
    message = (
        f"{delivery.relative}: empty file ({facts.size_bytes} bytes, no header): no rows to load"
    )
    encoding = lines.encoding if lines else None
    with transaction(con):
        delivery_id = options.delivery_ids.next(con)
        audit(
            con,
            delivery,
            facts,
            LOADED,
            Counts(0, 0, 0),
            message,
            options,
            delivery_id,
            started,
            encoding,
        )
    log.info(message)
    return DeliveryResult(
        delivery.entity.key, delivery.relative, facts.content_hash, LOADED, 0, 0, 0, message
    )


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
        insert = statements.insert_raw_sql(delivery.entity, header, has_dups=staged.duplicates > 0)
        params = {"file": keys["file"], "delivery_id": keys["delivery_id"], "loaded_at": started}
        with insertion_order_relaxed(con):
            loaded = con.execute(insert, params).fetchone()[0]
    else:
        loaded = con.execute(statements.count_valid_sql()).fetchone()[0]
    if loaded != staged.counts.loaded:
        raise RuntimeError(
            f"{delivery.relative}: {loaded} valid rows but {staged.counts.loaded} were counted"
        )


@contextmanager
def insertion_order_relaxed(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Let DuckDB write the raw rows in any order: keeping the file order across its threads took
    about a third of the insert (a ticket file of 263,000 rows: 0.55 s -> 0.38 s). The line numbers
    are already counted (RECORDS was filled in file order, which the load session keeps) and each
    row carries its own. The previous setting is restored afterwards. `session`: the setting is
    global otherwise, and the entity loading beside this one needs the file order."""
    previous = con.execute("select current_setting('preserve_insertion_order')").fetchone()[0]
    con.execute("set session preserve_insertion_order = false")
    try:
        yield
    finally:
        con.execute(f"set session preserve_insertion_order = {'true' if previous else 'false'}")


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
    notes = [
        empty_note(staged),
        encoding_note(delivery, staged, delivery_id),
        rejects_note(con, staged.counts, delivery_id, options),
        line_break_note(con, staged),
    ]
    kept = [note for note in notes if note]
    return f"{delivery.relative}: " + "; ".join(kept) if kept else None


def empty_note(staged: Staged) -> str | None:
    if staged.counts.received:
        return None
    return "no rows (a header only): nothing to load"


def encoding_note(delivery: DeliveryFile, staged: Staged, delivery_id: int) -> str | None:
    if staged.lines is None or staged.lines.encoding != WINDOWS_1252:
        return None
    return (
        "not UTF-8: read as Windows-1252 (Latin-1), the usual encoding of spreadsheet exports; "
        f"check that accented letters look right in raw.{delivery.entity.raw_table} where "
        f"_delivery_id = {delivery_id}, else export the file as UTF-8"
    )


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
    encoding: str | None,
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
            "encoding": encoding,
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
    for name in statements.TEMP_VIEWS:
        con.execute(f"drop view if exists temp.main.{name}")
    for name in statements.TEMP_TABLES:
        con.execute(f"drop table if exists temp.main.{name}")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _log_args(result: DeliveryResult) -> tuple:
    return result.file, result.status, result.received, result.loaded, result.rejected

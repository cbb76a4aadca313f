"""The SQL of one delivery, generated from the contract entity and the file's header.

Temp objects (dropped after each delivery):
- RECORDS   the file's records as read, every field VARCHAR `__c<position>`: a plain scan of the
            file, which DuckDB stores in file order (rowid = ordinal - 1).
- ROWS      one row per record: `__rowid` (the record's rowid in RECORDS), the typed contract
            columns under their names, one error column per field `__e<position>` and per row
            check `__k<i>`, and `__bad`. Typing can reorder rows (DuckDB plans an IN list of five
            or more values as a join, whose output is not in input order), so nothing reads
            ROWS' own rowid: each row carries the record's number.
- MALFORMED lines DuckDB's CSV reader rejected (wrong number of fields, bad quoting, not UTF-8,
            too long), and the last line of a file that does not end with a line break.
- GAPS      for the physical line numbers: how many lines were skipped before the n-th record.
- NUMBERED  view of ROWS with `__line` (physical line, header = 1).
- WRITTEN   view of NUMBERED with the record's fields as read, for what quotes them (rejects,
            extra columns); joined on `__rowid`, only where needed.
- DUPS      later occurrences of a primary key among otherwise valid rows.
"""

from __future__ import annotations

from datetime import datetime

from orchestration.contract import Column, Entity
from orchestration.ingest.header import Header, SourceColumn
from orchestration.ingest.rules import (
    check_expr,
    duplicate_reason_prefix,
    error_expr,
    trimmed,
    typed_expr,
)
from orchestration.ingest.schema import AUDIT_TABLE, RAW_SCHEMA, REJECTS_TABLE, SQL_TYPES
from orchestration.ingest.sql import ident, indent, join_lines, literal, table

RECORDS = "__ingest_records"
ROWS = "__ingest_rows"
MALFORMED = "__ingest_malformed"
DUCKDB_REJECTS = "__ingest_csv_rejects"
DUCKDB_SCANS = "__ingest_csv_scans"
GAPS = "__ingest_gaps"
NUMBERED = "__ingest_numbered"
WRITTEN = "__ingest_written"
DUPS = "__ingest_dups"
TEMP_TABLES = (RECORDS, ROWS, MALFORMED, DUCKDB_REJECTS, DUCKDB_SCANS, GAPS, DUPS)
TEMP_VIEWS = (WRITTEN, NUMBERED)

REJECT_COLUMNS = "delivery_id, entity, file, line, column_name, value, reason, record"
REJECT_KEYS = "$delivery_id as delivery_id, $entity as entity, $file as file"

# The longest line DuckDB reads (its default is 2,000,000 bytes): a free-text value of a few
# megabytes (a pasted log) still loads; a longer line is rejected with its size in the reason.
MAX_LINE_BYTES = 8 * 1024 * 1024

TRUNCATED_REASON = (
    "the file does not end with a line break, so its last line may be cut short (an export or "
    "copy interrupted); it is not loaded: deliver the complete file, whose last line ends with a "
    "line break"
)


# -- reading ---------------------------------------------------------------------------------


def read_csv_sql(path: str, header: Header) -> str:
    """Every field as VARCHAR, malformed lines to the DuckDB rejects tables (TEMP)."""
    columns = ", ".join(f"{literal(c.stage)}: 'VARCHAR'" for c in header.columns)
    options = [
        literal(path),
        "header = true",
        "auto_detect = false",
        "delim = ','",
        "quote = '\"'",
        "escape = '\"'",
        "null_padding = false",
        "strict_mode = true",
        f"max_line_size = {MAX_LINE_BYTES}",
        f"columns = {{{columns}}}",
        "store_rejects = true",
        f"rejects_table = {literal(DUCKDB_REJECTS)}",
        f"rejects_scan = {literal(DUCKDB_SCANS)}",
    ]
    return f"select * from read_csv(\n{indent(join_lines(options))}\n)"


def read_parquet_sql(path: str, header: Header) -> str:
    fields = [f"cast({ident(c.header)} as varchar) as {c.stage}" for c in header.columns]
    return f"select\n{indent(join_lines(fields))}\nfrom read_parquet({literal(path)})"


def records_sql(source: str) -> str:
    """The file's records into RECORDS, in file order: a plain scan, which DuckDB inserts in the
    order it reads (its order-preserving insert); see the module docstring for why ROWS is not."""
    return f"create temp table {RECORDS} as\n{source}"


def stage_sql(entity: Entity, header: Header, not_after: datetime | None = None) -> str:
    """Clean, type and check every record of RECORDS in one streaming pass into ROWS.

    Each layer is its own CTE so that a value is trimmed and typed once, however many rules
    read it; the row checks see the typed values under their contract names. A timestamp later
    than `not_after` (UTC) is rejected as in the future. The fields as read stay in RECORDS."""
    present = header.contract_columns
    cleaned = [f"{trimmed(s.stage)} as {s.value}" for s in present.values()]
    typed = [_typed_column(column, present.get(column.name)) for column in entity.columns]
    checked = header.checked_columns
    errors = [
        f"{error_expr(s.contract, s.stage, s.value, not_after=not_after)} as {s.error}"
        for s in checked
    ]
    errors += [f"{check_expr(check)} as __k{i}" for i, check in enumerate(entity.checks)]
    flags = [s.error for s in checked] + [f"__k{i}" for i in range(len(entity.checks))]
    bad = " or ".join(f"{flag} is not null" for flag in flags) or "false"
    read = [s.value for s in present.values()] + [c.stage for c in header.columns]
    return f"""create temp table {ROWS} as
with file_rows as (
    select rowid as __rowid, * from {RECORDS}
),
cleaned_rows as (
    select
        file_rows.*,
{indent(join_lines(cleaned), 8)}
    from file_rows
),
typed_rows as (
    select
        cleaned_rows.*,
{indent(join_lines(typed), 8)}
    from cleaned_rows
),
checked_rows as (
    select
        typed_rows.*,
{indent(join_lines(errors), 8) if errors else "        null as __no_error"}
    from typed_rows
)
select
    * exclude ({", ".join(read)}),
    {bad} as __bad
from checked_rows"""


def _typed_column(column: Column, field: SourceColumn | None) -> str:
    if field is None:  # an optional column the file does not have
        return f"cast(null as {SQL_TYPES[column.type]}) as {ident(column.name)}"
    return f"{typed_expr(column, field.stage, field.value)} as {ident(column.name)}"


def stage_unchecked_sql() -> str:
    """A refused file's records are only counted and kept."""
    return f"create temp table {ROWS} as\nselect rowid as __rowid, true as __bad from {RECORDS}"


# -- malformed lines and line numbers ----------------------------------------------------------


def malformed_sql(header: Header) -> str:
    """DuckDB's CSV rejects, one row per problem, with a reason an operator can act on."""
    names = "\n".join(
        f"            when {literal(c.stage)} then {literal(c.raw_name)}" for c in header.columns
    )
    not_utf8 = literal(
        "malformed line: not valid UTF-8, in a file that otherwise is (bytes of another encoding"
        " pasted in?); fix the line in the source or export the whole file as UTF-8"
    )
    too_long = literal(
        f", over the limit of {MAX_LINE_BYTES} bytes ({MAX_LINE_BYTES >> 20} MiB) per line: a value"
        " is far too long; shorten it in the source system and deliver the row again"
    )
    return f"""create temp table {MALFORMED} as
with problems as (
    select
        line,
        cast(error_type as varchar) as error_type,
        column_name,
        error_message,
        trim(csv_line, chr(13) || chr(10)) as record,
        regexp_extract(error_message, 'Found: (\\d+)', 1) as found,
        regexp_extract(error_message, 'Expected Number of Columns: (\\d+)', 1) as expected,
        regexp_extract(error_message, 'Actual Size: ?(\\d+)', 1) as line_bytes
    from {DUCKDB_REJECTS}
    -- DuckDB reports a short line once per missing column (found 4, 5 ... 11): keep the first
    qualify error_type <> 'MISSING COLUMNS' or row_number() over (
        partition by line, error_type order by try_cast(found as bigint)
    ) = 1
)
select
    line,
    case
        when error_type in ('TOO MANY COLUMNS', 'MISSING COLUMNS') then null
        else case column_name
{names}
        end
    end as column_name,
    case error_type
        when 'TOO MANY COLUMNS' then 'malformed line: ' || found || ' fields instead of '
            || expected || ' (a value that contains a comma must be in double quotes)'
        when 'MISSING COLUMNS' then 'malformed line: ' || found || ' fields instead of '
            || expected
        when 'UNQUOTED VALUE' then 'malformed line: bad quoting (a value that contains a double'
            || ' quote must be in double quotes, with the quote doubled)'
            || case
                when strpos(record, chr(10)) > 0 then '; the quote is never closed, so the next '
                    || (length(record) - length(replace(record, chr(10), '')))
                    || ' line(s) were read as part of this value'
                else ''
            end
        when 'INVALID UNICODE' then {not_utf8}
        when 'INVALID ENCODING' then {not_utf8}
        when 'LINE SIZE OVER MAXIMUM' then 'malformed line: '
            || coalesce(nullif(line_bytes, '') || ' bytes', 'too long') || {too_long}
        else 'malformed line: ' || error_message
    end as reason,
    cast(null as varchar) as value,
    record
from problems"""


def empty_malformed_sql() -> str:
    return (
        f"create temp table {MALFORMED} "
        "(line bigint, column_name varchar, reason varchar, value varchar, record varchar)"
    )


def last_malformed_line_sql() -> str:
    """The last physical line a malformed record reaches (an unclosed quote spans to the end)."""
    return f"""select max(line + length(record) - length(replace(record, chr(10), '')))
from {MALFORMED}"""


def truncate_last_record_sql(header: Header, line: int) -> list[str]:
    """Move the last record to MALFORMED as cut short, on physical `line` (the file's last)."""
    last = header.columns[-1]
    reason = literal(TRUNCATED_REASON)
    return [
        f"""insert into {MALFORMED} (line, column_name, reason, value, record)
select {line}, {literal(last.raw_name)}, {reason}, {last.stage}, {record_json(header)}
from {RECORDS}
where rowid = (select max(__rowid) from {ROWS})""",
        f"delete from {ROWS} where __rowid = (select max(__rowid) from {ROWS})",
    ]


def note_truncated_malformed_sql() -> str:
    """A malformed last line of a file without a final line break: say it may be cut short."""
    note = literal("; " + TRUNCATED_REASON.replace(", so its last line", ": this line"))
    return f"""update {MALFORMED}
set reason = reason || {note}
where line = (select max(line) from {MALFORMED})"""


def gaps_sql() -> str:
    """Skipped lines (malformed, $blank_lines) -> for each run of records, the lines skipped
    before it. With skipped line s_j (j = rank), g_j = s_j - 1 - j records come before it, so
    record k sits on line k + 1 + max(j : g_j < k). Lines after the last record change nothing
    (a blank line at the end of the file) and are left out."""
    return f"""create temp table {GAPS} as
with skipped as (
    select line from {MALFORMED}
    union
    select unnest(cast($blank_lines as bigint[])) as line
),
ranked as (
    select line, row_number() over (order by line) as skipped_so_far
    from skipped
)
select
    line - 1 - skipped_so_far as records_before,
    max(skipped_so_far) as skipped_so_far
from ranked
where line - 1 - skipped_so_far < (select count(*) from {ROWS})
group by all"""


def numbered_sql(has_gaps: bool) -> str:
    if not has_gaps:
        return f"""create temp view {NUMBERED} as
select staged.*, staged.__rowid + 2 as __line
from {ROWS} as staged"""
    return f"""create temp view {NUMBERED} as
select
    staged.*,
    staged.__rowid + 2 + coalesce(gaps.skipped_so_far, 0) as __line
from {ROWS} as staged
asof left join {GAPS} as gaps on staged.__rowid + 1 > gaps.records_before"""


def written_sql() -> str:
    return f"""create temp view {WRITTEN} as
select numbered.*, records.*
from {NUMBERED} as numbered
join {RECORDS} as records on records.rowid = numbered.__rowid"""


def dups_sql(entity: Entity) -> str:
    """Later occurrences of a key, among rows that are otherwise valid (the first one wins)."""
    keys = ", ".join(ident(name) for name in entity.primary_key)
    same_key = "\n    and ".join(
        f"staged.{ident(name)} is not distinct from repeated_keys.{ident(name)}"
        for name in entity.primary_key
    )
    return f"""create temp table {DUPS} as
with repeated_keys as (
    select {keys}, min(__rowid) as first_rowid
    from {ROWS}
    where not __bad
    group by all
    having count(*) > 1
)
select staged.__rowid as dup_rowid, repeated_keys.first_rowid
from {ROWS} as staged
join repeated_keys
    on {same_key}
where not staged.__bad and staged.__rowid > repeated_keys.first_rowid"""


def empty_dups_sql() -> str:
    return f"create temp table {DUPS} (dup_rowid bigint, first_rowid bigint)"


def count_sql(temp_table: str) -> str:
    return f"select count(*) from {temp_table}"


# -- counting ----------------------------------------------------------------------------------


def tallies_sql() -> str:
    """Parsed records, of which flagged bad, of which duplicates; malformed lines."""
    return f"""select
    (select count(*) from {ROWS}) as parsed,
    (select count(*) from {ROWS} where __bad) as bad,
    (select count(*) from {DUPS}) as duplicates,
    (select count(distinct line) from {MALFORMED}) as malformed"""


def count_valid_sql() -> str:
    return f"""select count(*)
from {ROWS}
where not __bad and __rowid not in (select dup_rowid from {DUPS})"""


def malformed_lines_spanned_sql() -> str:
    """Physical lines the malformed records cover (an unclosed quote spans to the end)."""
    return f"""select coalesce(sum(spanned), 0)
from (
    select line, max(1 + length(record) - length(replace(record, chr(10), ''))) as spanned
    from {MALFORMED}
    group by line
)"""


def first_reject_sql() -> str:
    return f"""select line, column_name, reason
from {table(RAW_SCHEMA, REJECTS_TABLE)}
where delivery_id = ?
order by line, column_name nulls first
limit 1"""


# -- writing -----------------------------------------------------------------------------------


def insert_raw_sql(entity: Entity, header: Header, *, has_dups: bool) -> str:
    """Valid, non-duplicate rows into the raw table ($file, $loaded_at, $delivery_id).

    In no particular order: each row carries its line (_source_line), which is what every reader
    orders by (the staging models' deduplication ends on it). See `delivery.write_rows`."""
    columns = [ident(c.name) for c in entity.columns]
    columns += [f"{c.stage} as {ident(c.raw_name)}" for c in header.extras]
    columns += [
        "$file as _source_file",
        "__line as _source_line",
        "$loaded_at as _loaded_at",
        "$delivery_id as _delivery_id",
    ]
    not_duplicate = f"\n    and __rowid not in (select dup_rowid from {DUPS})" if has_dups else ""
    # the fields of columns outside the contract are only in RECORDS
    rows = WRITTEN if header.extras else NUMBERED
    return f"""insert into {table(RAW_SCHEMA, entity.raw_table)} by name
select
{indent(join_lines(columns))}
from {rows}
where not __bad{not_duplicate}"""


def insert_column_rejects_sql(entity: Entity, header: Header) -> str:
    """One reject per broken value or failed row check of the rows flagged __bad."""
    present = header.contract_columns
    problems = [_problem(literal(s.raw_name), s.stage, s.error) for s in header.checked_columns]
    for i, check in enumerate(entity.checks):
        value = present[check.column].stage if check.column in present else "null"
        problems.append(_problem(literal(check.column), value, f"__k{i}"))
    return f"""insert into {table(RAW_SCHEMA, REJECTS_TABLE)} ({REJECT_COLUMNS})
select {REJECT_KEYS}, line, problem.column_name, problem.value, problem.reason, record
from (
    select
        __line as line,
        unnest([
{indent(join_lines(problems), 12)}
        ]) as problem,
        {record_json(header)} as record
    from {WRITTEN}
    where __bad
)
where problem.reason is not null
order by line"""


def insert_duplicate_rejects_sql(entity: Entity, header: Header) -> str:
    present = header.contract_columns
    values = ", ".join(
        f"coalesce(later.{present[name].stage}, '')" if name in present else "''"
        for name in entity.primary_key
    )
    reason = literal(duplicate_reason_prefix(entity))
    return f"""insert into {table(RAW_SCHEMA, REJECTS_TABLE)} ({REJECT_COLUMNS})
select
    {REJECT_KEYS},
    later.__line,
    {literal(", ".join(entity.primary_key))},
    concat_ws(', ', {values}),
    {reason} || earlier.__line,
    {record_json(header, "later")}
from {DUPS} as dups
join {WRITTEN} as later on later.__rowid = dups.dup_rowid
join {NUMBERED} as earlier on earlier.__rowid = dups.first_rowid
order by later.__line"""


def insert_refused_rejects_sql(header: Header) -> str:
    """Every parsed record of a refused file, with the refusal as reason ($column, $reason)."""
    return f"""insert into {table(RAW_SCHEMA, REJECTS_TABLE)} ({REJECT_COLUMNS})
select {REJECT_KEYS}, __line, $column, null, $reason, {record_json(header)}
from {WRITTEN}
order by __line"""


def insert_malformed_rejects_sql() -> str:
    return f"""insert into {table(RAW_SCHEMA, REJECTS_TABLE)} ({REJECT_COLUMNS})
select {REJECT_KEYS}, line, column_name, value, reason, record
from {MALFORMED}
order by line"""


def insert_audit_sql() -> str:
    columns = (
        "delivery_id, entity, file, content_hash, file_size_bytes, status, received, loaded,"
        " rejected, message, source_timezone, started_at, finished_at, encoding"
    )
    values = ", ".join("$" + name.strip() for name in columns.split(","))
    return f"insert into {table(RAW_SCHEMA, AUDIT_TABLE)} ({columns})\nvalues ({values})"


def record_json(header: Header, alias: str | None = None) -> str:
    """The whole record as a JSON object keyed by the header names as written in the file."""
    prefix = f"{alias}." if alias else ""
    pairs = ", ".join(f"{literal(c.header)}, {prefix}{c.stage}" for c in header.columns)
    return f"cast(json_object({pairs}) as varchar)"


def _problem(column: str, value: str, reason: str) -> str:
    return f"{{'column_name': {column}, 'value': {value}, 'reason': {reason}}}"

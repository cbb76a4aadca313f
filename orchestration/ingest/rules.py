"""The contract's column types as SQL: how a text value becomes a typed one, and why it could not.

Every value arrives as VARCHAR (DuckDB reads the file with explicit VARCHAR columns). Each type has
a temp SQL macro `ingest_<type>(v)` that takes the trimmed value (empty = NULL) and returns the
typed value, or NULL when it is not valid; the column's error expression then says which rule it
broke. Regular expressions come first so that DuckDB's lenient casts never accept what the
contract does not ('2026-1-1', '1,5', a 'Europe/Paris' suffix ...).

Timestamps are cast to TIMESTAMPTZ while the connection's TimeZone is the source time zone (see
`load.loading_session`), so a value with `Z` or an offset keeps it and a value without one is
read as wall-clock time there (ICU, built into DuckDB; a time in a DST gap or overlap gets the
standard-time offset). They are stored as naive TIMESTAMP in UTC (epoch arithmetic, no ICU call).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from orchestration.contract import Column, Entity, RowCheck
from orchestration.ingest.sql import ident, literal

TS_RE = r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?\s?([Zz]|[+-]\d{2}(:?\d{2})?)?"
DEC_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
SHOWN_CHARS = 60

SECONDS_MISSING_RE = r"^(\S{10}[Tt ]\d{2}:\d{2})([^:]|$)"

MACROS: dict[str, tuple[str, str]] = {
    # DuckDB's cast wants seconds before an offset and no space before it: normalise only the
    # values that fail the fast cast (coalesce evaluates its second argument only for those).
    "ingest_ts": (
        "v",
        f"""case
            when regexp_full_match(v, '{TS_RE}') then make_timestamp(epoch_us(coalesce(
                try_cast(v as timestamptz),
                try_cast(
                    regexp_replace(
                        regexp_replace(upper(v), '{SECONDS_MISSING_RE}', '\\1:00\\2'),
                        '\\s([Z+-])', '\\1'
                    ) as timestamptz
                )
            )))
        end""",
    ),
    "ingest_date": (
        "v",
        r"case when regexp_full_match(v, '\d{4}-\d{2}-\d{2}') then try_cast(v as date) end",
    ),
    "ingest_int": (
        "v",
        r"case when regexp_full_match(v, '[+-]?\d+') then try_cast(v as bigint) end",
    ),
    "ingest_dec": (
        "v",
        f"""case
            when regexp_full_match(v, '{DEC_RE}') and isfinite(try_cast(v as double))
                then try_cast(v as double)
        end""",
    ),
    "ingest_bool": (
        "v",
        """case
            when lower(v) in ('true', '1', 'yes') then true
            when lower(v) in ('false', '0', 'no') then false
        end""",
    ),
    "ingest_cur": ("v", "case when regexp_full_match(v, '[A-Za-z]{3}') then upper(v) end"),
    "ingest_hhmm": (
        "v",
        r"""case
            when regexp_full_match(v, '([01]?\d|2[0-3]):[0-5]\d(:00)?')
                then lpad(split_part(v, ':', 1), 2, '0') || ':' || split_part(v, ':', 2)
            when regexp_full_match(v, '24:00(:00)?') then '24:00'
        end""",
    ),
    "ingest_show": (
        "v",
        f"""'''' || case
            when length(v) > {SHOWN_CHARS} then left(v, {SHOWN_CHARS - 3}) || '...'
            else v
        end || ''''""",
    ),
}

EXPECTED: dict[str, str] = {
    "ts": "expected ISO-8601 such as 2026-01-31T14:05:00Z",
    "date": "expected YYYY-MM-DD",
    "int": "expected a whole number",
    "dec": "expected a number with '.' as decimal separator",
    "bool": "expected true/false, 1/0 or yes/no",
    "cur": "expected a 3-letter ISO-4217 code",
    "hhmm": "expected HH:MM from 00:00 to 24:00",
}

MISSING_REQUIRED = "missing required value"

# A timestamp later than the load by more than this is in the future: a typo in the year, a clock
# set wrong. A day absorbs any time zone mistake (offset-less values read in the wrong zone).
FUTURE_TOLERANCE = timedelta(days=1)


def macro_statements() -> list[str]:
    """CREATE statements for the temp macros the typed expressions use (per connection)."""
    return [
        f"create or replace temp macro {name}({params}) as (\n    {body}\n)"
        for name, (params, body) in MACROS.items()
    ]


def trimmed(raw: str) -> str:
    """The value the rules read: trimmed, and empty means NULL.

    DuckDB's `trim` (it removes the Unicode space separators: ' ', NBSP, U+2000-U+200A, U+3000
    ...) costs about five times a test of the ends; it runs only when the value starts or ends
    with a space or holds any non-ASCII character (`strlen`, in bytes, differs from `length`)."""
    needs_trim = (
        f"starts_with({raw}, ' ') or ends_with({raw}, ' ') or strlen({raw}) <> length({raw})"
    )
    return f"nullif(case when {needs_trim} then trim({raw}) else {raw} end, '')"


def typed_expr(column: Column, raw: str, value: str) -> str:
    """SQL turning a field into the column's typed value (NULL if it is not valid).

    `raw` is the field as read, `value` the same trimmed with empty as NULL (`trimmed(raw)`)."""
    if column.type == "text":
        return raw
    if column.type == "id":
        return value
    if column.type == "enum":
        allowed = ", ".join(literal(v.lower()) for v in column.values)
        return f"case when lower({value}) in ({allowed}) then lower({value}) end"
    return f"ingest_{column.type}({value})"


def can_fail(column: Column) -> bool:
    """Whether a value of the column can break the contract (an optional text never can)."""
    return column.required or column.type not in ("id", "text")


def error_expr(column: Column, raw: str, value: str, *, not_after: datetime | None = None) -> str:
    """SQL giving why the column's value breaks the contract, or NULL when it does not.

    Evaluated where the column's typed value is in scope under its contract name. Only for a
    column that `can_fail`. With `not_after` (a naive UTC time: the load time plus
    FUTURE_TOLERANCE), a later timestamp is rejected: every ts column of the contract records
    something that already happened, and a future `updated_at` would win the "latest version"
    rule over every later correction."""
    typed = ident(column.name)
    when_missing = literal(MISSING_REQUIRED) if column.required else "null"
    branches = [f"when {value} is null then {when_missing}"]
    if column.type == "enum":
        allowed = ", ".join(v.lower() for v in column.values)
        reason = f"'unknown value ' || ingest_show({raw}) || {literal(f' (allowed: {allowed})')}"
        branches.append(f"when {typed} is null then {reason}")
    elif column.type in EXPECTED:
        prefix = literal(f"invalid {column.type}: ")
        suffix = literal(f" ({EXPECTED[column.type]})")
        branches.append(f"when {typed} is null then {prefix} || ingest_show({raw}) || {suffix}")
    if column.type == "ts" and not_after is not None:
        limit = not_after.strftime("%Y-%m-%d %H:%M:%S")
        hours = round(FUTURE_TOLERANCE / timedelta(hours=1))
        reason = literal(f" is later than {limit} UTC, {hours} hours after the load")
        branches.append(
            f"when {typed} > timestamp {literal(limit)} "
            f"then 'in the future: ' || ingest_show({raw}) || {reason}"
        )
    range_test = _range_test(column, typed)
    if range_test:
        reason = f"'out of range: ' || ingest_show({raw}) || {literal(' ' + _range_text(column))}"
        branches.append(f"when {range_test} then {reason}")
    body = "\n        ".join(branches)
    return f"case\n        {body}\n    end"


def check_expr(check: RowCheck) -> str:
    """SQL giving the check's reason when the row fails it. A predicate that is NULL (a value it
    reads is missing or already invalid) does not fail: the column error says it already."""
    return f"case when ({check.sql}) is false then {literal(check.reason)} end"


def _range_test(column: Column, typed: str) -> str | None:
    if column.type not in ("int", "dec"):
        return None
    tests = []
    if column.min is not None:
        tests.append(f"{typed} < {column.min}")
    if column.max is not None:
        tests.append(f"{typed} > {column.max}")
    return " or ".join(tests) or None


def _range_text(column: Column) -> str:
    low, high = _number(column.min), _number(column.max)
    if low is not None and high is not None:
        return f"(allowed {low} to {high})"
    return f"(minimum {low})" if low is not None else f"(maximum {high})"


def _number(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if float(value).is_integer() else str(value)


def duplicate_reason_prefix(entity: Entity) -> str:
    return f"duplicate key ({', '.join(entity.primary_key)}) in file, first at line "

"""The type rules (SQL macros) one value at a time, and the Python line scan."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestration.contract import Column
from orchestration.ingest.files import scan_lines
from orchestration.ingest.load import loading_session
from orchestration.ingest.rules import error_expr, trimmed, typed_expr


def typed(column: Column, raw: str | None, timezone: str = "UTC") -> tuple:
    """(error, typed value) of one raw value, as the loader computes them."""
    con = duckdb.connect()
    with loading_session(con, timezone):
        typed_sql = typed_expr(column, "raw", trimmed("raw"))
        error_sql = error_expr(column, "raw", trimmed("raw"))
        return con.execute(
            f'select {error_sql}, "{column.name}" '
            f'from (select raw, {typed_sql} as "{column.name}" '
            "from (select cast(? as varchar) as raw))",
            [raw],
        ).fetchone()


def value(column: Column, raw: str | None, timezone: str = "UTC") -> object:
    error, result = typed(column, raw, timezone)
    return result if error is None else ("error", error)


TS = Column("at", "ts", "", required=True)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-15T09:00:00Z", dt.datetime(2026, 1, 15, 9)),
        ("2026-01-15t09:00:00z", dt.datetime(2026, 1, 15, 9)),
        ("2026-01-15T09:00Z", dt.datetime(2026, 1, 15, 9)),
        ("2026-01-15 09:00:00.123456+01:00", dt.datetime(2026, 1, 15, 8, 0, 0, 123456)),
        ("2026-01-15T09:00:00+0530", dt.datetime(2026, 1, 15, 3, 30)),
        ("2026-01-15T09:00:00-05", dt.datetime(2026, 1, 15, 14)),
        ("2026-01-15T09:00:00 +02:00", dt.datetime(2026, 1, 15, 7)),
        ("  2026-01-15T09:00:00Z  ", dt.datetime(2026, 1, 15, 9)),
        ("2026-01-15T09:00", dt.datetime(2026, 1, 15, 8)),  # Paris winter, UTC+1
        ("2026-03-29 09:00:00", dt.datetime(2026, 3, 29, 7)),  # Paris summer, UTC+2
        ("2026-01-15", ("error", "invalid ts: '2026-01-15' "
                                 "(expected ISO-8601 such as 2026-01-31T14:05:00Z)")),
        ("2026-1-15 09:00:00", ("error", "invalid ts: '2026-1-15 09:00:00' "
                                         "(expected ISO-8601 such as 2026-01-31T14:05:00Z)")),
        ("2026-02-30T09:00:00Z", ("error", "invalid ts: '2026-02-30T09:00:00Z' "
                                           "(expected ISO-8601 such as 2026-01-31T14:05:00Z)")),
        ("2026-01-15 09:00:00 Europe/Paris", ("error", "invalid ts: '2026-01-15 09:00:00 "
                                                       "Europe/Paris' (expected ISO-8601 such as "
                                                       "2026-01-31T14:05:00Z)")),
        ("", ("error", "missing required value")),
        (None, ("error", "missing required value")),
    ],
)  # fmt: skip
def test_timestamps(raw: str | None, expected: object) -> None:
    assert value(TS, raw, "Europe/Paris") == expected


@pytest.mark.parametrize(
    ("column", "raw", "expected"),
    [
        (Column("n", "int", ""), "-42", -42),
        (Column("n", "int", ""), "1.5", ("error", "invalid int: '1.5' (expected a whole number)")),
        (Column("n", "int", ""), "99999999999999999999",
         ("error", "invalid int: '99999999999999999999' (expected a whole number)")),
        (Column("n", "int", "", min=1, max=5), "0",
         ("error", "out of range: '0' (allowed 1 to 5)")),
        (Column("n", "int", "", max=5), "6", ("error", "out of range: '6' (maximum 5)")),
        (Column("n", "int", ""), "", None),
        (Column("x", "dec", ""), "1234.5", 1234.5),
        (Column("x", "dec", ""), "-.25", -0.25),
        (Column("x", "dec", ""), "1e-05", 0.00001),
        (Column("x", "dec", ""), "1e999",
         ("error", "invalid dec: '1e999' (expected a number with '.' as decimal separator)")),
        (Column("x", "dec", ""), "NaN",
         ("error", "invalid dec: 'NaN' (expected a number with '.' as decimal separator)")),
        (Column("x", "dec", "", min=0.5), "0.25", ("error", "out of range: '0.25' (minimum 0.5)")),
        (Column("d", "date", ""), "2026-12-31", dt.date(2026, 12, 31)),
        (Column("d", "date", ""), "31/12/2026",
         ("error", "invalid date: '31/12/2026' (expected YYYY-MM-DD)")),
        (Column("b", "bool", ""), "YES", True),
        (Column("b", "bool", ""), "0", False),
        (Column("b", "bool", ""), "t",
         ("error", "invalid bool: 't' (expected true/false, 1/0 or yes/no)")),
        (Column("c", "cur", ""), " eur ", "EUR"),
        (Column("c", "cur", ""), "EURO",
         ("error", "invalid cur: 'EURO' (expected a 3-letter ISO-4217 code)")),
        (Column("e", "enum", "", values=("p1", "p2")), " P2", "p2"),
        (Column("e", "enum", "", values=("p1", "p2")), "p5",
         ("error", "unknown value 'p5' (allowed: p1, p2)")),
        (Column("h", "hhmm", ""), "7:30", "07:30"),
        (Column("h", "hhmm", ""), "23:59:00", "23:59"),
        (Column("h", "hhmm", ""), "24:00", "24:00"),
        (Column("h", "hhmm", ""), "24:01",
         ("error", "invalid hhmm: '24:01' (expected HH:MM from 00:00 to 24:00)")),
        (Column("i", "id", ""), "  A-1 ", "A-1"),
        (Column("t", "text", ""), "  as written ", "  as written "),
        (Column("t", "text", "", required=True), "   ", ("error", "missing required value")),
    ],
)  # fmt: skip
def test_other_types(column: Column, raw: str, expected: object) -> None:
    assert value(column, raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abc", "abc"),
        ("  abc ", "abc"),
        ("a b", "a b"),  # inner spaces stay
        ("\u00a0abc\u3000", "abc"),  # no-break and ideographic spaces, as DuckDB's trim
        ("\u2009Zoë", "Zoë"),
        ("Zoë ", "Zoë"),
        ("Zoë", "Zoë"),
        ("\tabc", "\tabc"),  # a tab is no space to trim
        ("   ", None),
        ("", None),
    ],
)
def test_values_are_trimmed_of_spaces_and_empty_is_null(raw: str, expected: str | None) -> None:
    """`trimmed` skips DuckDB's trim for the ASCII values that neither start nor end with a
    space: the result is trim's whatever the value."""
    con = duckdb.connect()
    sql = f"select {trimmed('raw')}, nullif(trim(raw), '') from (select cast(? as varchar) as raw)"
    assert con.execute(sql, [raw]).fetchone() == (expected, expected)


@given(st.text(alphabet=" a\u00a0\u2003\u3000é\t", max_size=6))
def test_trimmed_is_trim_for_any_value(raw: str) -> None:
    con = duckdb.connect()
    same = f"{trimmed('raw')} is not distinct from nullif(trim(raw), '')"
    sql = f"select {same} from (select cast(? as varchar) as raw)"
    assert con.execute(sql, [raw]).fetchone() == (True,)


def test_long_values_are_shortened_in_reasons() -> None:
    error, _ = typed(Column("n", "int", ""), "9" * 30 + "x" * 50)
    assert error == f"invalid int: '{'9' * 30 + 'x' * 27}...' (expected a whole number)"


@given(st.text(alphabet="a\r\n", max_size=40), st.integers(1, 7))
def test_line_scan_matches_a_plain_split(text: str, chunk_size: int) -> None:
    data = text.encode()
    chunks = [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)]

    scan = scan_lines(chunks)

    lines = text.split("\n")
    terminated = len(lines) - 1  # lines followed by a line feed
    if lines[-1] == "":
        lines.pop()  # the terminator of the last line does not start a new one
    assert scan.line_count == len(lines)
    assert scan.blank_lines == tuple(
        number
        for number, line in enumerate(lines, 1)
        if line in ("", "\r") and 1 < number <= terminated  # empty, not the header, terminated
    )

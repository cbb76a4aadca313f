"""Ingestion of extract files into the raw schema: types, rejects, refusals, idempotency."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.ingest import (
    ContractViolation,
    DeliveryResult,
    ensure_raw_schema,
    load_all,
    load_entity,
)
from orchestration.ingest import delivery as delivery_module
from orchestration.pipeline import RunFailed, ingest_workers

TICKETS = load_contract().entity("psa/tickets")
TS_HINT = "(expected ISO-8601 such as 2026-01-31T14:05:00Z)"


def write(raw_dir: Path, relative: str, text: str | bytes) -> Path:
    path = raw_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def connect(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(con)
    return con


def audit_hash(con: duckdb.DuckDBPyConnection, file: str) -> str:
    return con.execute(
        "select content_hash from raw._load_audit where file = ?", [file]
    ).fetchone()[0]


def rows(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def rejects(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        "select file, line, column_name, value, reason from raw._rejects "
        "order by delivery_id, line, column_name nulls first",
    )


def audit(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return rows(
        con,
        "select delivery_id, file, status, received, loaded, rejected from raw._load_audit "
        "order by delivery_id",
    )


# -- a valid file ----------------------------------------------------------------------------

VALID_TICKETS = (
    "ticket_id,client_id,created_at,priority,ticket_type,source,sla_policy_id,board,tier,"
    "first_response_at,resolved_at,status,reopened_count,is_proactive,updated_at\n"
    "T1,C1,2026-01-05T09:00:00Z,P1,incident,phone,SLA1,Service Desk,1,"
    "2026-01-05T09:10:00+01:00,2026-01-05T11:00:00Z,Closed,0,yes,2026-01-05T11:00:00Z\n"
    "T2, C2 ,2026-01-06 10:30:00,p3,Service_Request,portal,,,2,"
    ",,Open,,0,2026-01-06T10:30:00.250Z\n"
)


def test_valid_file_loads_typed_values_and_metadata(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    path = write(raw_dir, "psa/tickets/2026-01.csv", VALID_TICKETS)
    con = connect(tmp_path)

    [result] = load_entity(con, raw_dir, TICKETS)

    content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
    assert result == DeliveryResult(
        "psa/tickets", "psa/tickets/2026-01.csv", content_hash, "loaded", 2, 2, 0, None
    )
    types = dict(
        rows(
            con,
            "select column_name, data_type from duckdb_columns() where table_name = 'psa__tickets'",
        )
    )
    assert types["created_at"] == "TIMESTAMP"
    assert types["tier"] == "BIGINT"
    assert types["is_proactive"] == "BOOLEAN"
    assert types["_source_line"] == "BIGINT"
    loaded = rows(
        con,
        "select ticket_id, client_id, created_at, priority, ticket_type, sla_policy_id, board,"
        " tier, first_response_at, resolved_at, reopened_count, is_proactive, updated_at,"
        " _source_file, _source_line, _delivery_id from raw.psa__tickets order by ticket_id",
    )
    assert loaded == [
        ("T1", "C1", dt.datetime(2026, 1, 5, 9), "p1", "incident", "SLA1", "Service Desk", 1,
         dt.datetime(2026, 1, 5, 8, 10), dt.datetime(2026, 1, 5, 11), 0, True,
         dt.datetime(2026, 1, 5, 11), "psa/tickets/2026-01.csv", 2, 1),
        ("T2", "C2", dt.datetime(2026, 1, 6, 10, 30), "p3", "service_request", None, None, 2,
         None, None, None, False, dt.datetime(2026, 1, 6, 10, 30, 0, 250000),
         "psa/tickets/2026-01.csv", 3, 1),
    ]  # fmt: skip
    [(loaded_at, started_at, size, tz)] = rows(
        con,
        "select distinct t._loaded_at, a.started_at, a.file_size_bytes, a.source_timezone "
        "from raw.psa__tickets t join raw._load_audit a on a.delivery_id = t._delivery_id",
    )
    assert loaded_at == started_at
    assert size == len(VALID_TICKETS.encode())
    assert tz == "UTC"
    assert audit(con) == [(1, "psa/tickets/2026-01.csv", "loaded", 2, 2, 0)]
    assert rejects(con) == []


def test_dec_date_cur_hhmm_and_a_row_check(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir,
        "psa/agreements/a.csv",
        "agreement_id,client_id,agreement_type,billing_cycle,amount,currency,start_date,"
        "end_date,updated_at\n"
        "A1,C1,managed_services,monthly,1200.50,eur,2026-01-01,,2026-01-01T00:00:00Z\n"
        "A2,C1,project,one_time,1.5e3,USD,2026-02-01,2026-02-30,2026-01-01T00:00:00Z\n"
        'A3,C1,project,one_time,"1,5",USD,2026-02-01,,2026-01-01T00:00:00Z\n'
        "A4,C1,project,one_time,-1,US,2026-2-1,,2026-01-01T00:00:00Z\n",
    )
    write(
        raw_dir,
        "psa/calendars/c.csv",
        "calendar_id,timezone,weekday,opens_at,closes_at\n"
        "CAL,Europe/Paris,1,8:00,18:00:00\n"
        "CAL,Europe/Paris,2,00:00,24:00\n"
        "CAL,Europe/Paris,3,18:00,08:00\n"
        "CAL,Europe/Paris,4,24:30,25:00\n",
    )
    con = connect(tmp_path)

    load_all(con, raw_dir)

    assert rows(con, "select agreement_id, amount, currency, start_date, end_date "
                     "from raw.psa__agreements") == [
        ("A1", 1200.5, "EUR", dt.date(2026, 1, 1), None),
    ]  # fmt: skip
    assert rows(
        con, "select weekday, opens_at, closes_at from raw.psa__calendars order by weekday"
    ) == [
        (1, "08:00", "18:00"),
        (2, "00:00", "24:00"),
    ]
    assert rejects(con) == [
        ("psa/agreements/a.csv", 3, "end_date", "2026-02-30",
         "invalid date: '2026-02-30' (expected YYYY-MM-DD)"),
        ("psa/agreements/a.csv", 4, "amount", "1,5",
         "invalid dec: '1,5' (expected a number with '.' as decimal separator)"),
        ("psa/agreements/a.csv", 5, "amount", "-1", "out of range: '-1' (minimum 0)"),
        ("psa/agreements/a.csv", 5, "currency", "US",
         "invalid cur: 'US' (expected a 3-letter ISO-4217 code)"),
        ("psa/agreements/a.csv", 5, "start_date", "2026-2-1",
         "invalid date: '2026-2-1' (expected YYYY-MM-DD)"),
        ("psa/calendars/c.csv", 4, "closes_at", "08:00", "closes_at must be after opens_at"),
        ("psa/calendars/c.csv", 5, "closes_at", "25:00",
         "invalid hhmm: '25:00' (expected HH:MM from 00:00 to 24:00)"),
        ("psa/calendars/c.csv", 5, "opens_at", "24:30",
         "invalid hhmm: '24:30' (expected HH:MM from 00:00 to 24:00)"),
    ]  # fmt: skip
    # A2 has 1.5e3 (valid) but an impossible end date; only the date is reported
    assert audit(con) == [
        (1, "psa/agreements/a.csv", "loaded", 4, 1, 3),
        (2, "psa/calendars/c.csv", "loaded", 4, 2, 2),
    ]


# -- broken rows -------------------------------------------------------------------------------

HEADER = (
    "ticket_id,client_id,created_at,priority,ticket_type,source,status,tier,resolved_at,updated_at"
)
UPDATED = "2026-01-05T09:00:00Z"
BROKEN_TICKETS = (
    "\n".join(
        [
            HEADER,  # line 1
            f"T1,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,1,,{UPDATED}",  # 2 good
            f"T2,C1,2026-13-01T10:00,p2,incident,phone,Open,1,,{UPDATED}",  # 3 bad ts
            f"T3,C1,2026-01-05T09:00:00Z,urgent,incident,phone,Open,1,,{UPDATED}",  # 4 enum
            f"T4,,2026-01-05T09:00:00Z,p2,incident,phone,Open,1,,{UPDATED}",  # 5 missing
            f"T1,C1,2026-01-05T09:00:00Z,p1,incident,phone,Closed,1,,{UPDATED}",  # 6 dup of 2
            f"T5,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,4,,{UPDATED}",  # 7 range
            f"T6,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,1,,{UPDATED},extra",  # 8 fields
            f"T7,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,1,2026-01-05T08:00:00Z,{UPDATED}",
            "",  # 10 blank line: skipped, neither received nor rejected
            f"T8,C1,2026-01-05T09:00:00Z,p4,incident,email,Open,3,,{UPDATED}",  # 11 good
            f"T9,C1,bad,urgent,incident,phone,Open,1,,{UPDATED}",  # 12 two broken values
            f'T10,C1,2026-01-05T09:00:00Z,p1,"inci"dent,phone,Open,1,,{UPDATED}',  # 13 quoting
            f"T11,C1,2026-01-05T09:00:00Z,p2,alert,rmm_alert,Open,1,,{UPDATED}",  # 14 good
        ]
    )
    + "\n"
)


def test_broken_rows_are_rejected_with_file_line_column_and_reason(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/2026-01.csv", BROKEN_TICKETS)
    con = connect(tmp_path)

    [result] = load_entity(con, raw_dir, TICKETS)

    file = "psa/tickets/2026-01.csv"
    assert rejects(con) == [
        (file, 3, "created_at", "2026-13-01T10:00", f"invalid ts: '2026-13-01T10:00' {TS_HINT}"),
        (file, 4, "priority", "urgent", "unknown value 'urgent' (allowed: p1, p2, p3, p4)"),
        (file, 5, "client_id", None, "missing required value"),
        (file, 6, "ticket_id", "T1", "duplicate key (ticket_id) in file, first at line 2"),
        (file, 7, "tier", "4", "out of range: '4' (allowed 1 to 3)"),
        (file, 8, None, None, "malformed line: 11 fields instead of 10 "
                              "(a value that contains a comma must be in double quotes)"),
        (file, 9, "resolved_at", "2026-01-05T08:00:00Z", "resolved_at is before created_at"),
        (file, 12, "created_at", "bad", f"invalid ts: 'bad' {TS_HINT}"),
        (file, 12, "priority", "urgent", "unknown value 'urgent' (allowed: p1, p2, p3, p4)"),
        (file, 13, "ticket_type", None, "malformed line: bad quoting (a value that contains a "
                                        "double quote must be in double quotes, with the quote "
                                        "doubled)"),
    ]  # fmt: skip
    assert (result.received, result.loaded, result.rejected) == (12, 3, 9)
    assert result.loaded + result.rejected == result.received
    assert result.status == "loaded"
    assert result.message == (
        f"{file}: 9 of 12 rows rejected (first at line 3, column 'created_at': invalid ts: "
        f"'2026-13-01T10:00' {TS_HINT}); the other 3 rows are loaded. See raw._rejects where "
        "delivery_id = 1, fix the rows in the source and deliver them again"
    )
    assert audit(con) == [(1, file, "loaded", 12, 3, 9)]
    assert rows(
        con, "select ticket_id, status, _source_line from raw.psa__tickets order by _source_line"
    ) == [
        ("T1", "Open", 2),
        ("T8", "Open", 11),
        ("T11", "Open", 14),
    ]


def test_rejects_keep_the_whole_record(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/2026-01.csv", BROKEN_TICKETS)
    con = connect(tmp_path)

    load_entity(con, raw_dir, TICKETS)

    records = dict(rows(con, "select line, record from raw._rejects where line in (5, 8)"))
    assert records[5] == (
        '{"ticket_id":"T4","client_id":null,"created_at":"2026-01-05T09:00:00Z",'
        '"priority":"p2","ticket_type":"incident","source":"phone","status":"Open","tier":"1",'
        '"resolved_at":null,"updated_at":"2026-01-05T09:00:00Z"}'
    )
    assert records[8] == f"T6,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,1,,{UPDATED},extra"


def test_unclosed_quote_swallows_the_rest_of_the_file_into_one_reject(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir,
        "psa/holidays/h.csv",
        'calendar_id,holiday_date,name\nCAL,2026-01-01,"New year\nCAL,2026-05-01,Labour day\n',
    )
    con = connect(tmp_path)

    [result] = load_all(con, raw_dir)

    assert (result.received, result.loaded, result.rejected) == (1, 0, 1)
    [(line, column, reason, record)] = rows(
        con, "select line, column_name, reason, record from raw._rejects"
    )
    assert (line, column) == (2, "name")
    assert reason.endswith("; the quote is never closed, so the next 1 line(s) were read as "
                           "part of this value")  # fmt: skip
    assert record == 'CAL,2026-01-01,"New year\nCAL,2026-05-01,Labour day'


def test_line_breaks_inside_quoted_values_are_kept_and_flagged(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir,
        "psa/holidays/h.csv",
        'calendar_id,holiday_date,name\nCAL,2026-01-01,"New\nyear"\nCAL,2026-01-02,ok\n',
    )
    con = connect(tmp_path)

    [result] = load_all(con, raw_dir)

    assert (result.received, result.loaded, result.rejected) == (2, 2, 0)
    assert result.message == (
        "psa/holidays/h.csv: 1 line break(s) inside quoted values: line numbers after the first "
        "such value are short by up to 1"
    )
    assert rows(con, "select name, _source_line from raw.psa__holidays order by _source_line") == [
        ("New\nyear", 2),
        ("ok", 3),  # physically on line 4: the documented limitation
    ]


def test_a_file_larger_than_the_read_buffer_keeps_its_line_numbers(tmp_path: Path) -> None:
    """DuckDB reads a file of more than 32 MB on several threads. Typing the values reordered
    the rows (an IN list of five values or more is planned as a join), and the line numbers,
    taken from the order of the typed rows, were wrong for whole blocks of the file."""
    board = "B" * 150  # 36 MB in 170,000 records
    records = [
        f"T{n},C1,2026-01-05T09:00:00Z,p2,incident,phone,Open,1,,{UPDATED},{board}"
        for n in range(1, 170_001)
    ]
    records[0] = records[0].replace(",p2,", ",urgent,")  # line 2
    records[150_000] = records[150_000].replace(",incident,", ",bogus,")  # line 150,002
    records[160_000] = records[10].replace("Open", "Closed")  # line 160,002: T11 again
    raw_dir = tmp_path / "raw"
    path = write(raw_dir, "psa/tickets/big.csv", "\n".join([f"{HEADER},board", *records]) + "\n")
    assert path.stat().st_size > 32 * 2**20
    con = connect(tmp_path)

    [result] = load_entity(con, raw_dir, TICKETS)

    assert (result.received, result.loaded, result.rejected) == (170_000, 169_997, 3)
    assert [reject[1:3] for reject in rejects(con)] == [
        (2, "priority"),
        (150_002, "ticket_type"),
        (160_002, "ticket_id"),
    ]
    assert rejects(con)[2][4] == "duplicate key (ticket_id) in file, first at line 12"
    # T<n> is on line n + 1
    assert rows(
        con,
        "select count(*), count(*) filter (where _source_line <> "
        "cast(substr(ticket_id, 2) as integer) + 1) from raw.psa__tickets",
    ) == [(169_997, 0)]


# -- refused files ----------------------------------------------------------------------------


def test_file_missing_a_required_column_is_refused_whole(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir,
        "psa/tickets/2026-01.csv",
        "ticket_id,client_id,priority,ticket_type,source,status,updated_at\n"
        f"T1,C1,p1,incident,phone,Open,{UPDATED}\n"
        f"T2,C1,p1,incident,phone,Open,{UPDATED},extra\n"
        f"T3,C1,p1,incident,phone,Open,{UPDATED}\n",
    )
    con = connect(tmp_path)

    [result] = load_entity(con, raw_dir, TICKETS)

    assert result.status == "refused"
    assert result.message == (
        "psa/tickets/2026-01.csv: required column 'created_at' is missing from the header "
        "(line 1); nothing was loaded from this file: add the column to the export and deliver "
        "the file again"
    )
    assert (result.received, result.loaded, result.rejected) == (3, 0, 3)
    assert rows(con, "select count(*) from raw.psa__tickets") == [(0,)]
    assert audit(con) == [(1, "psa/tickets/2026-01.csv", "refused", 3, 0, 3)]
    reason = "file refused: required column 'created_at' is missing from the header (line 1)"
    assert [(line, column, why.startswith(reason)) for _, line, column, _, why in rejects(con)] == [
        (2, "created_at", True),
        (3, None, False),  # the malformed line keeps its own reason
        (4, "created_at", True),
    ]


def test_file_with_a_column_twice_is_refused(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/holidays/h.csv", "calendar_id,holiday_date,NAME,name\nCAL,2026-01-01,a,b\n")
    con = connect(tmp_path)

    [result] = load_all(con, raw_dir)

    assert (result.status, result.received, result.rejected) == ("refused", 1, 1)
    assert result.message == (
        "psa/holidays/h.csv: column 'name' appears more than once in the header (line 1); "
        "nothing was loaded from this file: keep one of them and deliver the file again"
    )


def test_empty_file_is_an_empty_delivery_not_an_error(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/empty.csv", "")
    con = connect(tmp_path)

    [result] = load_entity(con, raw_dir, TICKETS)

    assert (result.status, result.received, result.loaded, result.rejected) == ("loaded", 0, 0, 0)
    assert result.message == (
        "psa/tickets/empty.csv: empty file (0 bytes, no header): no rows to load"
    )
    assert audit(con) == [(1, "psa/tickets/empty.csv", "loaded", 0, 0, 0)]


def test_corrupt_parquet_is_refused(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/broken.parquet", b"PAR1 not really")
    con = connect(tmp_path)

    [result] = load_entity(con, raw_dir, TICKETS)

    assert result.status == "refused"
    assert result.message is not None
    assert result.message.startswith("psa/tickets/broken.parquet: not a readable Parquet file")


# -- idempotency ------------------------------------------------------------------------------


def test_loading_twice_changes_nothing_even_under_another_name(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/2026-01.csv", BROKEN_TICKETS)
    con = connect(tmp_path)
    load_all(con, raw_dir)
    before = (
        rows(con, "select count(*) from raw.psa__tickets"),
        rows(con, "select count(*) from raw._rejects"),
        audit(con),
    )

    again = load_all(con, raw_dir)
    write(raw_dir, "psa/tickets/2026-01-copy.csv", BROKEN_TICKETS)
    copy = load_all(con, raw_dir)

    assert [(r.file, r.status, r.received) for r in again] == [
        ("psa/tickets/2026-01.csv", "skipped", 0)
    ]
    assert [(r.file, r.status) for r in copy] == [
        ("psa/tickets/2026-01-copy.csv", "skipped"),
        ("psa/tickets/2026-01.csv", "skipped"),
    ]
    assert copy[0].message == (
        "psa/tickets/2026-01-copy.csv: the same content as psa/tickets/2026-01.csv was already "
        "loaded (delivery 1); skipped"
    )
    after = (
        rows(con, "select count(*) from raw.psa__tickets"),
        rows(con, "select count(*) from raw._rejects"),
        audit(con),
    )
    assert after == before


def test_an_unchanged_file_is_skipped_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The landing folder keeps every file it ever received: one already loaded under the same
    name and size, and not modified since, is skipped on its audit row, never hashed again."""
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/2026-01.csv", VALID_TICKETS)
    con = connect(tmp_path)
    load_all(con, raw_dir)
    read = []
    monkeypatch.setattr(delivery_module, "inspect_file", lambda d: read.append(d.relative))

    again = load_all(con, raw_dir)

    assert read == []
    assert [(r.file, r.status, r.content_hash) for r in again] == [
        ("psa/tickets/2026-01.csv", "skipped", audit_hash(con, "psa/tickets/2026-01.csv"))
    ]
    assert again[0].message == (
        "psa/tickets/2026-01.csv: this file was already loaded (delivery 1); skipped"
    )


def test_a_file_rewritten_since_its_delivery_is_read_again(tmp_path: Path) -> None:
    """Same name, same size, new bytes written after the delivery: hashed, and loaded as the new
    delivery it is."""
    raw_dir = tmp_path / "raw"
    path = write(raw_dir, "psa/tickets/2026-01.csv", VALID_TICKETS)
    con = connect(tmp_path)
    load_all(con, raw_dir)
    rewritten = VALID_TICKETS.replace("T2, C2", "T3, C2")  # the same length
    assert rewritten != VALID_TICKETS and len(rewritten) == len(VALID_TICKETS)
    path.write_text(rewritten)

    again = load_all(con, raw_dir)

    assert [(r.file, r.status) for r in again] == [("psa/tickets/2026-01.csv", "loaded")]
    assert again[0].content_hash == hashlib.sha256(rewritten.encode()).hexdigest()


def test_same_bytes_for_another_entity_are_another_delivery(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/empty.csv", "")
    write(raw_dir, "psa/clients/empty.csv", "")
    con = connect(tmp_path)

    results = load_all(con, raw_dir)

    assert [(r.file, r.status) for r in results] == [
        ("psa/clients/empty.csv", "loaded"),
        ("psa/tickets/empty.csv", "loaded"),
    ]


def test_refused_file_is_not_retried_until_its_content_changes(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/a.csv", "ticket_id,status\nT1,Open\n")
    con = connect(tmp_path)
    assert [r.status for r in load_all(con, raw_dir)] == ["refused"]
    assert [r.status for r in load_all(con, raw_dir)] == ["skipped"]

    write(raw_dir, "psa/tickets/a.csv", VALID_TICKETS)

    assert [r.status for r in load_all(con, raw_dir)] == ["loaded"]
    assert [row[2] for row in audit(con)] == ["refused", "loaded"]


def test_files_load_in_name_order_with_increasing_delivery_ids(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    second = VALID_TICKETS.replace("T1,", "T3,").replace("T2,", "T4,")
    write(raw_dir, "psa/tickets/2026-02.csv", second)
    write(raw_dir, "psa/tickets/2026-01.csv", VALID_TICKETS)
    write(raw_dir, "psa/tickets/notes.txt", "not a delivery")
    con = connect(tmp_path)
    seen: list[str] = []

    load_all(con, raw_dir, progress=lambda result: seen.append(result.file))

    assert seen == ["psa/tickets/2026-01.csv", "psa/tickets/2026-02.csv"]
    assert [(row[0], row[1]) for row in audit(con)] == [
        (1, "psa/tickets/2026-01.csv"),
        (2, "psa/tickets/2026-02.csv"),
    ]


def test_a_delivery_that_fails_midway_leaves_nothing_and_loads_on_rerun(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/2026-01.csv", BROKEN_TICKETS)
    con = connect(tmp_path)

    def crash(*_args: object) -> None:
        raise KeyboardInterrupt("killed after the rows and rejects were written")

    monkeypatch.setattr("orchestration.ingest.delivery.audit", crash)
    with pytest.raises(KeyboardInterrupt):
        load_all(con, raw_dir)
    assert rows(con, "select count(*) from raw.psa__tickets") == [(0,)]
    assert rows(con, "select count(*) from raw._rejects") == [(0,)]
    assert audit(con) == []

    monkeypatch.undo()
    [result] = load_all(con, raw_dir)
    assert (result.status, result.loaded, result.rejected) == ("loaded", 3, 9)
    assert rows(con, "select count(*) from raw.psa__tickets") == [(3,)]


# -- entities side by side --------------------------------------------------------------------

HOLIDAYS = "calendar_id,holiday_date,name\nCAL,2026-01-01,New year\nCAL,2026-13-01,Typo\n"


def side_by_side_raw_dir(raw_dir: Path) -> None:
    write(raw_dir, "psa/tickets/2026-01.csv", BROKEN_TICKETS)
    write(raw_dir, "psa/tickets/2026-02.csv", VALID_TICKETS.replace("T1,", "T3,"))
    write(raw_dir, "psa/holidays/2026.csv", HOLIDAYS)
    write(raw_dir, "psa/holidays/2027.csv", HOLIDAYS.replace("2026-01-01", "2027-01-01"))
    write(raw_dir, "psa/calendars/c.csv", "calendar_id,name,timezone\nCAL,Paris,Europe/Paris\n")


def loaded_rows(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every raw table's rows and rejects without the delivery ids (they interleave)."""
    tables = {
        "tickets": "select ticket_id, status, _source_file, _source_line from raw.psa__tickets",
        "holidays": "select name, _source_file, _source_line from raw.psa__holidays",
        "calendars": "select calendar_id, _source_file from raw.psa__calendars",
        "rejects": "select file, line, column_name, reason from raw._rejects",
        "audit": "select file, status, received, loaded, rejected from raw._load_audit",
    }
    return {name: sorted(rows(con, sql)) for name, sql in tables.items()}


def test_entities_loaded_side_by_side_give_what_one_at_a_time_gives(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    side_by_side_raw_dir(raw_dir)
    one = duckdb.connect(str(tmp_path / "one.duckdb"))
    two = duckdb.connect(str(tmp_path / "two.duckdb"))

    in_turn = load_all(one, raw_dir)
    seen: list[str] = []
    side_by_side = load_all(two, raw_dir, workers=2, progress=lambda r: seen.append(r.file))

    assert loaded_rows(two) == loaded_rows(one)
    # ten of tickets, one holiday in each file, the calendar file refused (columns missing)
    assert len(loaded_rows(two)["rejects"]) == 13

    # the results in contract order, then file order, whichever entity finished first (their
    # messages name delivery ids, which interleave)
    def counted(results: list[DeliveryResult]) -> list[tuple]:
        return [(r.file, r.status, r.received, r.loaded, r.rejected) for r in results]

    assert counted(side_by_side) == counted(in_turn)
    assert sorted(seen) == sorted(result.file for result in in_turn)
    # the ids are 1..5, each entity's in file order
    ids = rows(two, "select file, delivery_id from raw._load_audit order by file")
    assert sorted(delivery_id for _, delivery_id in ids) == [1, 2, 3, 4, 5]
    for entity in ("psa/holidays/", "psa/tickets/"):
        own = [delivery_id for file, delivery_id in ids if file.startswith(entity)]
        assert own == sorted(own)
    # the session settings of the workers did not leak into the caller's connection
    assert two.execute("select current_setting('preserve_insertion_order')").fetchone() == (True,)


def test_delivery_ids_continue_after_the_last_run(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/calendars/c.csv", "calendar_id,name,timezone\nCAL,Paris,Europe/Paris\n")
    con = connect(tmp_path)
    load_all(con, raw_dir)
    side_by_side_raw_dir(raw_dir)

    load_all(con, raw_dir, workers=2)

    # c.csv (refused) is not read again: same name, size and time
    assert [delivery_id for delivery_id, *_ in audit(con)] == [1, 2, 3, 4, 5]


def test_a_failing_entity_stops_the_others_and_is_raised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw_dir = tmp_path / "raw"
    side_by_side_raw_dir(raw_dir)
    con = connect(tmp_path)
    real_audit = delivery_module.audit

    def crash_on_holidays(con, delivery, *args):
        if delivery.entity.key == "psa/holidays":
            raise RuntimeError("disk full")
        return real_audit(con, delivery, *args)

    monkeypatch.setattr("orchestration.ingest.delivery.audit", crash_on_holidays)
    with pytest.raises(RuntimeError, match="disk full"):
        load_all(con, raw_dir, workers=2)

    # no holiday delivery half-written; the others committed whole, or not started
    assert rows(con, "select count(*) from raw.psa__holidays") == [(0,)]
    for file, status, received, loaded, rejected in loaded_rows(con)["audit"]:
        assert not file.startswith("psa/holidays/")
        assert (status, loaded + rejected) == ("loaded", received)
    monkeypatch.undo()
    load_all(con, raw_dir, workers=2)
    assert len(loaded_rows(con)["audit"]) == 5


# -- file formats and headers ------------------------------------------------------------------


def test_header_is_case_insensitive_and_extra_columns_are_kept(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir,
        "psa/holidays/h.csv",
        " Calendar_ID ,HOLIDAY_DATE,Name,Local Name,\nCAL,2026-01-01,New year,Jour de l'an,x\n",
    )
    write(
        raw_dir,
        "psa/holidays/i.csv",
        "calendar_id,holiday_date,region\nCAL,2026-05-01,FR\n",
    )
    con = connect(tmp_path)

    load_all(con, raw_dir)

    assert rows(
        con,
        "select calendar_id, holiday_date, name, local_name, column_5, region, _source_file "
        "from raw.psa__holidays order by _delivery_id",
    ) == [
        ("CAL", dt.date(2026, 1, 1), "New year", "Jour de l'an", "x", None, "psa/holidays/h.csv"),
        ("CAL", dt.date(2026, 5, 1), None, None, None, "FR", "psa/holidays/i.csv"),
    ]  # fmt: skip


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir, "psa/holidays/h.csv", "\ufeffcalendar_id,holiday_date,name\nCAL,2026-01-01,Été\n"
    )
    con = connect(tmp_path)

    [result] = load_all(con, raw_dir)

    assert (result.status, result.loaded) == ("loaded", 1)
    assert rows(con, "select calendar_id, name from raw.psa__holidays") == [("CAL", "Été")]


def test_csv_gz_and_parquet_load_like_csv(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(raw_dir, "psa/tickets/a.csv.gz", gzip.compress(BROKEN_TICKETS.encode()))
    parquet = raw_dir / "psa/holidays/h.parquet"
    parquet.parent.mkdir(parents=True)
    con = connect(tmp_path)
    con.execute(
        f"""copy (
            select * from (values
                ('CAL', date '2026-01-01', 'New year'),
                ('CAL', date '2026-01-01', 'Again'),
                (null, date '2026-05-01', 'Labour day')
            ) t(calendar_id, holiday_date, name)
        ) to '{parquet}' (format parquet)"""
    )

    results = load_all(con, raw_dir)

    assert [(r.file, r.received, r.loaded, r.rejected) for r in results] == [
        ("psa/holidays/h.parquet", 3, 1, 2),
        ("psa/tickets/a.csv.gz", 12, 3, 9),
    ]
    assert rows(con, "select line, column_name, reason from raw._rejects where delivery_id = 1 "
                     "order by line") == [
        (3, "calendar_id, holiday_date", "duplicate key (calendar_id, holiday_date) in file, "
                                         "first at line 2"),
        (4, "calendar_id", "missing required value"),
    ]  # fmt: skip
    assert rows(con, "select count(distinct line) from raw._rejects where delivery_id = 2") == [
        (9,)
    ]


def test_offsetless_timestamps_are_read_in_the_source_timezone(tmp_path: Path) -> None:
    raw_dir = tmp_path / "raw"
    write(
        raw_dir,
        "surveys/csat_responses/r.csv",
        "response_id,ticket_id,responded_at,rating\n"
        "R1,T1,2026-03-29 09:00:00,5\n"  # CEST: UTC+2
        "R2,T1,2026-01-15T09:00,4\n"  # CET: UTC+1
        "R3,T1,2026-01-15T09:00:00Z,3\n"  # explicit UTC stays UTC
        "R4,T1,2026-01-15T09:00-05:00,2\n"  # explicit offset wins over the source zone
        "R5,T1,2026-01-15 09:00:00 +0530,1\n",
    )
    con = connect(tmp_path)
    before = rows(con, "select current_setting('TimeZone')")

    load_all(con, raw_dir, source_timezone="Europe/Paris")

    assert rows(
        con,
        "select response_id, responded_at from raw.surveys__csat_responses order by response_id",
    ) == [
        ("R1", dt.datetime(2026, 3, 29, 7, 0)),
        ("R2", dt.datetime(2026, 1, 15, 8, 0)),
        ("R3", dt.datetime(2026, 1, 15, 9, 0)),
        ("R4", dt.datetime(2026, 1, 15, 14, 0)),
        ("R5", dt.datetime(2026, 1, 15, 3, 30)),
    ]
    assert rows(con, "select source_timezone from raw._load_audit") == [("Europe/Paris",)]
    assert rows(con, "select current_setting('TimeZone')") == before


# -- not about rows ---------------------------------------------------------------------------


def test_missing_raw_dir_and_unknown_timezone_raise(tmp_path: Path) -> None:
    con = connect(tmp_path)
    with pytest.raises(ContractViolation, match="does not exist"):
        load_all(con, tmp_path / "nowhere")
    with pytest.raises(ContractViolation, match="unknown source time zone 'Mars/Olympus'"):
        load_all(con, tmp_path, source_timezone="Mars/Olympus")


def test_audit_refuses_inconsistent_counts(tmp_path: Path) -> None:
    con = connect(tmp_path)
    with pytest.raises(duckdb.ConstraintException):
        con.execute(
            "insert into raw._load_audit values (1, 'psa/tickets', 'f.csv', 'h', 1, 'loaded',"
            " 3, 1, 1, null, 'UTC', now()::timestamp, now()::timestamp, 'utf-8')"
        )


def test_ensure_raw_schema_is_idempotent_and_creates_every_entity(tmp_path: Path) -> None:
    con = connect(tmp_path)
    ensure_raw_schema(con)
    tables = {name for (name,) in rows(con, "select table_name from duckdb_tables() "
                                            "where schema_name = 'raw'")}  # fmt: skip
    expected = {e.raw_table for e in load_contract().entities} | {"_load_audit", "_rejects"}
    assert tables == expected


def not_null_columns(con: duckdb.DuckDBPyConnection, raw_table: str) -> set[str]:
    sql = f"select name from pragma_table_info('raw.{raw_table}') where \"notnull\""
    return {name for (name,) in rows(con, sql)}


def test_a_raw_table_makes_exactly_the_required_columns_not_null(tmp_path: Path) -> None:
    """The contract's required columns are NOT NULL (what the sources' not_null tests checked):
    the engine refuses a row without one however it is written."""
    con = connect(tmp_path)
    for entity in load_contract().entities:
        required = {column.name for column in entity.columns if column.required}
        assert not_null_columns(con, entity.raw_table) == required, entity.raw_table
    assert {"ticket_id", "client_id", "created_at"} <= not_null_columns(con, TICKETS.raw_table)
    with pytest.raises(duckdb.ConstraintException, match="NOT NULL constraint failed"):
        con.execute("insert into raw.psa__tickets (ticket_id) values ('T1')")


def test_an_older_raw_table_gets_the_contract_nullability(tmp_path: Path) -> None:
    """A warehouse created before the constraints (every column nullable) gets them on the next
    load; a required column that some old row lacks stays nullable; an optional one loses them."""
    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    ensure_raw_schema(con)
    required = not_null_columns(con, TICKETS.raw_table)
    for name in required:
        con.execute(f"alter table raw.psa__tickets alter column {name} drop not null")
    con.execute("alter table raw.psa__tickets alter column closed_at set not null")
    # a row with every required value but created_at (and the optional closed_at)
    literals = {"ts": "timestamp '2026-01-01'", "date": "date '2026-01-01'", "int": "1"}
    literals |= {"dec": "1.5", "bool": "true"}
    values = {
        column.name: literals.get(column.type, "'x'")
        for column in TICKETS.columns
        if column.required or column.name == "closed_at"
    }
    values["created_at"] = "null"
    con.execute(
        f"insert into raw.psa__tickets ({', '.join(values)}) values ({', '.join(values.values())})"
    )
    ensure_raw_schema(con)
    assert not_null_columns(con, TICKETS.raw_table) == required - {"created_at"}
    con.execute("delete from raw.psa__tickets where created_at is null")
    ensure_raw_schema(con)
    assert not_null_columns(con, TICKETS.raw_table) == required


@pytest.mark.parametrize("before", [True, False])
def test_the_raw_insert_relaxes_the_insertion_order_and_restores_it(before: bool) -> None:
    con = duckdb.connect()
    con.execute(f"set preserve_insertion_order = {str(before).lower()}")
    setting = "select current_setting('preserve_insertion_order')"
    with delivery_module.insertion_order_relaxed(con):
        assert con.execute(setting).fetchone()[0] is False
    assert con.execute(setting).fetchone()[0] is before


@pytest.mark.parametrize(("value", "workers"), [("", 2), ("1", 1), ("3", 3), ("0", 1)])
def test_ingest_workers_come_from_the_environment(
    value: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MSPKPI_INGEST_WORKERS", value)
    assert ingest_workers() == workers


def test_a_bad_ingest_workers_value_says_what_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MSPKPI_INGEST_WORKERS", "two")
    with pytest.raises(RunFailed, match="MSPKPI_INGEST_WORKERS='two' is not a whole number"):
        ingest_workers()

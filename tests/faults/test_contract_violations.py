"""Rows that break the extract contract, and files that are empty or miss a column.

Wrong types and unknown values reject the row (one reject per broken value, the row counted once);
a key repeated in a file rejects the later row; a key repeated in a later delivery is a new
version (staging keeps the latest: test_previous_marts_survive.py); a file without a required
column is refused whole; an empty file is an empty delivery, audited and not an error.
"""

from __future__ import annotations

from tests.faults.conftest import FaultWarehouse
from tests.faults.extracts import BAD_INPUTS

TS_HINT = "(expected ISO-8601 such as 2026-01-31T14:05:00Z)"


def test_wrong_types_reject_each_broken_value_and_count_the_row_once(
    warehouse: FaultWarehouse,
) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["wrong_types"].files())

    file = "psa/tickets/2026-11-02-wrong-types.csv"
    # FW1 (line 2) is valid; FW6 (line 7) breaks two values and is one rejected row
    assert warehouse.new_audit() == [(file, "loaded", 6, 1, 5)]
    assert warehouse.rejects(file) == [
        (3, "created_at", "20/10/2026 09:00", f"invalid ts: '20/10/2026 09:00' {TS_HINT}"),
        (4, "tier", "two", "invalid int: 'two' (expected a whole number)"),
        (5, "is_proactive", "maybe", "invalid bool: 'maybe' (expected true/false, 1/0 or yes/no)"),
        (6, "client_id", None, "missing required value"),
        (7, "created_at", "2026-10-20", f"invalid ts: '2026-10-20' {TS_HINT}"),
        (7, "tier", "4", "out of range: '4' (allowed 1 to 3)"),
    ]  # fmt: skip
    assert warehouse.message(file) == (
        f"{file}: 5 of 6 rows rejected (first at line 3, column 'created_at': invalid ts: "
        f"'20/10/2026 09:00' {TS_HINT}); the other 1 rows are loaded. See raw._rejects where "
        f"delivery_id = {warehouse.before + 1}, fix the rows in the source and deliver them again"
    )
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_unknown_enum_values_are_rejected_and_case_is_not(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["unknown_enum"].files())

    file = "psa/tickets/2026-11-02-unknown-enum.csv"
    assert warehouse.new_audit() == [(file, "loaded", 3, 1, 2)]
    assert warehouse.rejects(file) == [
        (3, "priority", "urgent", "unknown value 'urgent' (allowed: p1, p2, p3, p4)"),
        (4, "source", "fax", "unknown value 'fax' (allowed: phone, email, portal, chat, "
                             "rmm_alert, self_service)"),
    ]  # fmt: skip
    # 'P1' and 'INCIDENT' are allowed values in another case: loaded, stored lower-case
    assert warehouse.query(
        "select ticket_id, priority, ticket_type from raw.psa__tickets where _source_file = ?",
        [file],
    ) == [("FE1", "p1", "incident")]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_a_key_twice_in_one_delivery_keeps_the_first(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["duplicate_in_file"].files())

    file = "psa/tickets/2026-11-02-duplicate-in-file.csv"
    assert warehouse.new_audit() == [(file, "loaded", 3, 2, 1)]
    assert warehouse.rejects(file) == [
        (4, "ticket_id", "FD1", "duplicate key (ticket_id) in file, first at line 2"),
    ]
    assert warehouse.query(
        "select ticket_id, status from raw.psa__tickets where _source_file = ? order by 1", [file]
    ) == [("FD1", "Open"), ("FD2", "Resolved")]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 2}


def test_a_key_again_in_a_later_delivery_is_a_new_version(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["duplicate_across_deliveries"].files())

    first, second = (
        "psa/tickets/2026-11-02-duplicate-a.csv",
        "psa/tickets/2026-11-03-duplicate-b.csv",
    )
    assert warehouse.new_audit() == [(first, "loaded", 1, 1, 0), (second, "loaded", 1, 1, 0)]
    assert warehouse.query(
        "select status, _delivery_id from raw.psa__tickets where ticket_id = 'FX1' order by 2"
    ) == [("Open", warehouse.before + 1), ("Resolved", warehouse.before + 2)]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 2}


def test_a_file_without_a_required_column_is_refused_whole(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["missing_required_column"].files())

    file = "psa/tickets/2026-11-02-missing-column.csv"
    reason = "required column 'created_at' is missing from the header (line 1)"
    assert warehouse.new_audit() == [(file, "refused", 2, 0, 2)]
    assert warehouse.rejects(file) == [
        (2, "created_at", None, f"file refused: {reason}"),
        (3, "created_at", None, f"file refused: {reason}"),
    ]
    assert warehouse.message(file) == (
        f"{file}: {reason}; nothing was loaded from this file: add the column to the export and "
        "deliver the file again"
    )
    assert warehouse.raw_counts() == before


def test_a_zero_byte_file_is_an_empty_delivery(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    [result] = warehouse.deliver(BAD_INPUTS["zero_bytes"].files())

    file = "psa/tickets/2026-11-02-zero-bytes.csv"
    assert warehouse.new_audit() == [(file, "loaded", 0, 0, 0)]
    assert (
        result.message
        == warehouse.message(file)
        == (f"{file}: empty file (0 bytes, no header): no rows to load")
    )
    assert warehouse.rejects(file) == []
    assert warehouse.raw_counts() == before
    # delivered again (the same empty bytes under another name): skipped, not audited twice
    assert warehouse.deliver({"psa/tickets/2026-11-03-zero-bytes.csv": b""}) == []
    assert len(warehouse.new_audit()) == 1


def test_a_header_without_rows_is_an_empty_delivery(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["header_only"].files())

    file = "psa/tickets/2026-11-02-header-only.csv"
    assert warehouse.new_audit() == [(file, "loaded", 0, 0, 0)]
    assert warehouse.message(file) == f"{file}: no rows (a header only): nothing to load"
    assert warehouse.raw_counts() == before

"""Time that runs the wrong way: resolved before created, timestamps in the future, status changes
delivered out of order.

Decisions (DECISIONLOG): resolved before created breaks the contract's row check and is rejected;
a timestamp more than 24 hours after the load is rejected (a future `updated_at` would win the
"latest version" rule over every later correction); status changes are events with their own
time, so their order in files and deliveries does not matter: the loader keeps them all and the
SLA engine orders them by `changed_at` (test_previous_marts_survive.py checks the pauses).
"""

from __future__ import annotations

from datetime import timedelta

from tests.faults.conftest import FaultWarehouse
from tests.faults.extracts import BAD_INPUTS


def test_resolved_before_created_is_rejected(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["resolved_before_created"].files())

    file = "psa/tickets/2026-11-02-resolved-before-created.csv"
    assert warehouse.new_audit() == [(file, "loaded", 2, 1, 1)]
    assert warehouse.rejects(file) == [
        (2, "resolved_at", "2026-10-19T15:00:00+02:00", "resolved_at is before created_at"),
    ]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_timestamps_more_than_a_day_ahead_are_rejected(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["future_timestamps"].files())

    file = "psa/tickets/2026-11-02-future.csv"
    started_at = warehouse.scalar("select started_at from raw._load_audit where file = ?", [file])
    limit = (started_at + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    later = f"is later than {limit} UTC, 24 hours after the load"
    assert warehouse.new_audit() == [(file, "loaded", 3, 1, 2)]
    assert warehouse.rejects(file) == [
        (2, "created_at", "2099-10-20T09:00:00Z", f"in the future: '2099-10-20T09:00:00Z' {later}"),
        (3, "updated_at", "2062-10-20T15:00:00Z", f"in the future: '2062-10-20T15:00:00Z' {later}"),
    ]  # fmt: skip
    # FF3 was updated an hour from now (a source clock slightly ahead): within the day, loaded
    assert warehouse.query(
        "select ticket_id from raw.psa__tickets where _source_file = ?", [file]
    ) == [("FF3",)]
    assert warehouse.raw_counts() == {**before, "psa__tickets": before["psa__tickets"] + 1}


def test_status_changes_out_of_order_all_load(warehouse: FaultWarehouse) -> None:
    before = warehouse.raw_counts()

    warehouse.deliver(BAD_INPUTS["out_of_order_status_changes"].files())

    first = "psa/ticket_status_changes/2026-11-02-out-of-order-a.csv"
    second = "psa/ticket_status_changes/2026-11-03-out-of-order-b.csv"
    assert warehouse.new_audit() == [(first, "loaded", 2, 2, 0), (second, "loaded", 2, 2, 0)]
    # kept as delivered (newest first); the order by changed_at is the models' business
    assert warehouse.query(
        "select cast(changed_at as varchar), to_status, _delivery_id from "
        "raw.psa__ticket_status_changes where ticket_id = 'FOO1' order by _delivery_id, "
        "_source_line"
    ) == [
        ("2026-10-07 10:00:00", "Resolved", warehouse.before + 1),
        ("2026-10-06 08:00:00", "In Progress", warehouse.before + 1),
        ("2026-10-05 09:00:00", "Waiting on Client", warehouse.before + 2),
        ("2026-10-05 07:30:00", "In Progress", warehouse.before + 2),
    ]
    assert warehouse.raw_counts() == {
        **before,
        "psa__ticket_status_changes": before["psa__ticket_status_changes"] + 4,
    }

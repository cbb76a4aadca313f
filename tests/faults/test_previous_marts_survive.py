"""The marts a good run built stay queryable, with the same values, whatever bad input comes next;
and the cases the models handle (status changes out of order, a key delivered again, a ticket
after the build's as-of time) give the right figures.

One dbt build for the module (seeds and models, not their tests: those belong to the end-to-end
suite): the small sample plus the model cases below, with MSPKPI_AS_OF = 2026-11-01.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from orchestration.pipeline import dbt_command, dbt_environment
from orchestration.settings import Settings
from tests.faults.conftest import FaultWarehouse, SampleTemplate, copy_warehouse
from tests.faults.extracts import (
    AS_OF,
    BAD_INPUTS,
    STATUS_CHANGE_COLUMNS,
    TICKET_COLUMNS,
    Files,
    csv_bytes,
    status_changes_in_order,
    ticket,
)

# FIN1 and FOO1 are the same p3 ticket (Monday 2026-10-05 09:00 Paris to Wednesday 12:00);
# FIN1's status changes come in order, FOO1's newest first and the latest two a delivery early.
SLA_TWINS = {
    "created_at": "2026-10-05T09:00:00+02:00",
    "resolved_at": "2026-10-07T12:00:00+02:00",
    "updated_at": "2026-10-07T12:00:00+02:00",
}


def model_cases() -> Files:
    tickets = [
        ticket("FIN1", **SLA_TWINS),
        ticket("FOO1", **SLA_TWINS),
        # a ticket opened after the build's as-of time (2026-11-01 00:00) but before the load
        ticket("FZ1", created_at="2026-11-01T12:00:00Z", resolved_at="", status="Open",
               updated_at="2026-11-01T12:00:00Z"),
        # FY1: its newer version (resolved, 15:00) comes in the earlier delivery
        ticket("FY1"),
    ]  # fmt: skip
    older_fy1 = ticket("FY1", status="Open", resolved_at="", updated_at="2026-10-20T09:00:00+02:00")
    return {
        "psa/tickets/2026-11-01-model-cases.csv": csv_bytes(TICKET_COLUMNS, tickets),
        "psa/tickets/2026-11-04-older-version.csv": csv_bytes(TICKET_COLUMNS, [older_fy1]),
        "psa/ticket_status_changes/2026-11-01-in-order.csv": csv_bytes(
            STATUS_CHANGE_COLUMNS, status_changes_in_order("FIN1")
        ),
        **BAD_INPUTS["out_of_order_status_changes"].files(),  # FOO1's
        **BAD_INPUTS["duplicate_across_deliveries"].files(),  # FX1: the newer version comes last
    }


@pytest.fixture(scope="module")
def built(
    sample_template: SampleTemplate, tmp_path_factory: pytest.TempPathFactory
) -> FaultWarehouse:
    """The sample's raw warehouse plus the model cases, built by dbt (seeds and models)."""
    folder = tmp_path_factory.mktemp("built")
    warehouse = copy_warehouse(sample_template.database, folder / "good")
    results = warehouse.deliver(model_cases())
    assert [(r.status, r.rejected) for r in results] == [("loaded", 0)] * 7
    settings = Settings(warehouse.raw_dir, warehouse.path, source_timezone="UTC")
    environment = {
        **dbt_environment(settings),
        "MSPKPI_AS_OF": AS_OF,
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
    }
    args = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]
    completed = subprocess.run(
        dbt_command(args), env=environment, capture_output=True, text=True, check=False
    )
    assert completed.returncode == 0, completed.stdout[-5000:]
    return warehouse


def test_status_changes_out_of_order_give_the_same_pauses_and_sla(
    built: FaultWarehouse,
) -> None:
    pauses = built.query(
        "select ticket_id, pause_started_at, pause_ended_at "
        "from intermediate.int_ticket_sla_pauses where ticket_id in ('FIN1', 'FOO1') order by 1"
    )
    # waiting on the client from Monday 11:00 to Tuesday 10:00 Paris (UTC+2)
    assert pauses == [
        ("FIN1", dt.datetime(2026, 10, 5, 9, 0), dt.datetime(2026, 10, 6, 8, 0)),
        ("FOO1", dt.datetime(2026, 10, 5, 9, 0), dt.datetime(2026, 10, 6, 8, 0)),
    ]
    sla = built.query(
        "select ticket_id, paused_business_minutes, resolution_business_minutes, "
        "is_resolution_within_sla from marts.fct_tickets where ticket_id in ('FIN1', 'FOO1') "
        "order by 1"
    )
    # Paris hours 08:00-18:00 on weekdays. Paused: Monday 11:00-18:00 (420) + Tuesday 08:00-10:00
    # (120) = 540. Open: Monday 09:00-18:00 (540) + Tuesday (600) + Wednesday 08:00-12:00 (240)
    # = 1,380, minus the pause = 840 business minutes: within SLA-PARIS-P3's 1,440.
    assert sla == [("FIN1", 540, 840, True), ("FOO1", 540, 840, True)]


def test_a_key_delivered_again_keeps_its_latest_version(built: FaultWarehouse) -> None:
    assert built.query(
        "select ticket_id, count(*) from raw.psa__tickets where ticket_id in ('FX1', 'FY1') "
        "group by 1 order by 1"
    ) == [("FX1", 2), ("FY1", 2)]
    # the latest updated_at wins, whichever delivery came last
    assert built.query(
        "select ticket_id, status, cast(updated_at as varchar) from staging.stg_psa__tickets "
        "where ticket_id in ('FX1', 'FY1') order by 1"
    ) == [("FX1", "Resolved", "2026-10-20 13:00:00"), ("FY1", "Resolved", "2026-10-20 13:00:00")]


def test_a_ticket_after_the_as_of_time_is_kept_but_not_measured(built: FaultWarehouse) -> None:
    # MSPKPI_AS_OF pinned in the past (a reproducible build) can be earlier than loaded events:
    # fct_tickets keeps the ticket; the SLA engine measures nothing before it exists
    assert built.query(
        "select created_at, resolution_business_minutes, is_breached_open, is_resolved "
        "from marts.fct_tickets where ticket_id = 'FZ1'"
    ) == [(dt.datetime(2026, 11, 1, 12, 0), None, False, False)]


@pytest.fixture(scope="module")
def built_marts(built: FaultWarehouse) -> dict[str, tuple[int, int]]:
    return built.marts()


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_every_bad_input_leaves_the_marts_queryable_and_unchanged(
    built: FaultWarehouse, built_marts: dict[str, tuple[int, int]], case: str, tmp_path: Path
) -> None:
    warehouse = copy_warehouse(built.path, tmp_path / "after")

    results = warehouse.deliver(BAD_INPUTS[case].files())

    audit = warehouse.new_audit()
    assert [row[0] for row in audit] == [result.file for result in results]
    for _file, status, received, loaded, rejected in audit:
        assert status in ("loaded", "refused")
        assert loaded + rejected == received
    assert warehouse.marts() == built_marts
    # views too (staging reads raw): the copy keeps the file name its views are qualified with
    assert warehouse.count("staging.stg_psa__tickets") >= warehouse.count("marts.fct_tickets")


def test_the_marts_are_there_to_compare(
    built: FaultWarehouse, built_marts: dict[str, tuple[int, int]]
) -> None:
    """Guards the test above against comparing nothing."""
    marts = built_marts
    assert len(marts) >= 30
    assert marts["fct_tickets"][0] == built.count("staging.stg_psa__tickets")
    assert os.path.basename(built.path) == "warehouse.duckdb"

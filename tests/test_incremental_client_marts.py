"""The incremental client marts: kpi_service_review_periods rebuilds the client periods that the
data delivered since its last build touches, in the tickets' old versions as well as their new
ones; kpi_sla_compliance_monthly rebuilds each touched client's months from the first month of a
changed or open ticket; kpi_client_scorecard rebuilds the client-months whose values differ from
its own. Each result is what `--full-refresh` builds from the same rows.

One small sample (8 clients, August to October 2026) gets a setup delivery of five tickets and is
built as of 2 November 2026. The next delivery reopens an August ticket and resolves it again in
October, moves a September ticket from a client of its own (served by that ticket alone) to
another client, adds a second technician to a September ticket, answers an August ticket's CSAT
survey in October (and corrects its first response) and opens a new ticket in November; the marts
then run incrementally as of 1 December 2026, which completes November and serves December.
Before that run, the stored scorecard rows of one client-month the delivery touches and of one it
does not get a planted trend: a rebuilt row loses it, a row kept keeps it.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import ingest
from orchestration.sample import generate_sample
from tests.incremental_warehouse import Warehouse, write_delivery
from tests.incremental_warehouse import run_dbt as run_incremental_dbt

SETUP_FILE = "incsr-1-setup.csv"
UPDATE_FILE = "incsr-2-update.csv"
FIRST_AS_OF = "2026-11-02T12:00:00"
SECOND_AS_OF = "2026-12-01T06:00:00"
MART = "kpi_service_review_periods"
LOG = "int_ticket_months_logged"
SLA = "kpi_sla_compliance_monthly"
SCORECARD = "kpi_client_scorecard"
INCREMENTAL_SCHEMA = "after_incremental_run"
MODELS = (LOG, MART, SLA, SCORECARD)
PLANTED_TREND = "planted"

REOPENED = "T99970001"  # client A, resolved in August; reopened and resolved again in October
MOVED = "T99970002"  # client GONE in September; moved to client A
SECOND_TECHNICIAN = "T99970003"  # client A, resolved in September; a second technician logs time
LATE_CSAT = "T99970004"  # client B, resolved in August; its CSAT response comes in October,
# and its first response is corrected (B's August changes, and September reads it as previous)
NEW = "T99970005"  # client B, the update's new ticket (November)
GONE = "C99970001"  # a client no extract knows, served by MOVED alone


@dataclass(frozen=True)
class Run:
    warehouse: Warehouse
    clients: tuple[str, str, str]  # A, B, and a client the update does not touch
    before: dict[tuple, dict]  # (client, period_type, period_start_on) -> row before the update
    high_water_mark: int  # max(_tickets_delivery_id) of the mart before the update
    staged_before: dict[str, int]  # the last delivery of each staging input before the update
    log_sql: str  # int_ticket_months_logged as the incremental run compiled it
    scorecard_before: set[tuple[str, str]]  # the scorecard's (client, month) before the update
    sla_high_water_mark: int  # max(_tickets_delivery_id) of the SLA mart before the update


def run_dbt(warehouse: Warehouse, as_of: str, *args: str, select: tuple[str, ...]) -> None:
    run_incremental_dbt(warehouse, *args, select=select, environment={"MSPKPI_AS_OF": as_of})


def ticket(ticket_id: str, client_id: str, created_at: str, **fields: str) -> dict:
    return {
        "ticket_id": ticket_id,
        "client_id": client_id,
        "created_at": created_at,
        "priority": "p3",
        "ticket_type": "incident",
        "source": "email",
        "sla_policy_id": "SLA-PARIS-P3",
        "board": "Service Desk",
        "tier": "1",
        "status": "Resolved" if fields.get("resolved_at") else "New",
        "reopened_count": "0",
        "is_proactive": "false",
        "updated_at": fields.get("resolved_at", created_at),
        **fields,
    }


def time_entry(time_entry_id: str, ticket_id: str, technician_id: str, started_at: str) -> dict:
    return {
        "time_entry_id": time_entry_id,
        "ticket_id": ticket_id,
        "technician_id": technician_id,
        "started_at": started_at,
        "hours": "0.5",
        "billable": "true",
    }


def sample_clients(raw_dir: Path) -> list[str]:
    clients_file = sorted((raw_dir / "psa/clients").glob("*.csv"))[0]
    with clients_file.open(encoding="utf-8", newline="") as handle:
        return [row["client_id"] for row in csv.DictReader(handle)]


def rows_by_period(warehouse: Warehouse, relation: str) -> dict[tuple, dict]:
    return {
        (row["client_id"], row["period_type"], str(row["period_start_on"])): row
        for row in warehouse.records(f"select * from {relation}")
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("incremental_service_review")
    warehouse = Warehouse(root, root / "warehouse.duckdb", root / "raw")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    generate_sample(warehouse.raw_dir, clients=8, months=3, seed=11)
    client_a, client_b, untouched = sample_clients(warehouse.raw_dir)[:3]

    write_delivery(
        warehouse.raw_dir,
        "psa/tickets",
        SETUP_FILE,
        [
            ticket(
                REOPENED,
                client_a,
                "2026-08-10T08:00:00Z",
                first_response_at="2026-08-10T08:30:00Z",
                resolved_at="2026-08-12T10:00:00Z",
            ),
            ticket(
                MOVED,
                GONE,
                "2026-09-05T08:00:00Z",
                first_response_at="2026-09-05T08:30:00Z",
                resolved_at="2026-09-06T10:00:00Z",
            ),
            ticket(
                SECOND_TECHNICIAN,
                client_a,
                "2026-09-10T08:00:00Z",
                first_response_at="2026-09-10T08:15:00Z",
                resolved_at="2026-09-10T11:00:00Z",
            ),
            ticket(
                LATE_CSAT,
                client_b,
                "2026-08-20T08:00:00Z",
                first_response_at="2026-08-20T09:00:00Z",
                resolved_at="2026-08-21T10:00:00Z",
            ),
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "psa/time_entries",
        SETUP_FILE,
        [time_entry("TE99970001", SECOND_TECHNICIAN, "E0001", "2026-09-10T09:00:00Z")],
    )
    ingest(warehouse.settings())
    run_dbt(warehouse, FIRST_AS_OF, "seed", select=("resource_type:seed",))
    run_dbt(warehouse, FIRST_AS_OF, "run", select=(f"+{MART}", f"+{SCORECARD}"))
    before = rows_by_period(warehouse, f"marts.{MART}")
    [(sla_high_water_mark,)] = warehouse.query(f"select max(_tickets_delivery_id) from marts.{SLA}")
    scorecard_before = set(
        warehouse.query(
            f"select distinct client_id, cast(month_start_on as varchar) from marts.{SCORECARD}"
        )
    )
    [(high_water_mark,)] = warehouse.query(f"select max(_tickets_delivery_id) from marts.{MART}")
    [staged_before] = warehouse.records(
        "select (select max(_delivery_id) from staging.stg_psa__tickets) as tickets, "
        "(select max(_delivery_id) from staging.stg_surveys__csat_responses) as csat_responses"
    )

    write_delivery(
        warehouse.raw_dir,
        "psa/tickets",
        UPDATE_FILE,
        [
            ticket(
                REOPENED,
                client_a,
                "2026-08-10T08:00:00Z",
                first_response_at="2026-08-10T08:30:00Z",
                resolved_at="2026-10-20T10:00:00Z",
                reopened_count="1",
            ),
            ticket(
                MOVED,
                client_a,
                "2026-09-05T08:00:00Z",
                first_response_at="2026-09-05T08:30:00Z",
                resolved_at="2026-09-06T10:00:00Z",
                updated_at="2026-11-03T08:00:00Z",
            ),
            ticket(NEW, client_b, "2026-11-20T08:00:00Z"),
            # B's August only: its first response came an hour later than first delivered
            ticket(
                LATE_CSAT,
                client_b,
                "2026-08-20T08:00:00Z",
                first_response_at="2026-08-20T10:00:00Z",
                resolved_at="2026-08-21T10:00:00Z",
                updated_at="2026-11-03T09:00:00Z",
            ),
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "psa/time_entries",
        UPDATE_FILE,
        [time_entry("TE99970002", SECOND_TECHNICIAN, "E0002", "2026-09-10T10:00:00Z")],
    )
    write_delivery(
        warehouse.raw_dir,
        "surveys/csat_responses",
        UPDATE_FILE,
        [
            {
                "response_id": "CS99970001",
                "ticket_id": LATE_CSAT,
                "rating": "2",
                "responded_at": "2026-10-05T12:00:00Z",
            }
        ],
    )
    ingest(warehouse.settings())
    con = duckdb.connect(str(warehouse.database))
    try:
        # a client-month the delivery touches (A's September gains the moved ticket) and one it
        # does not (the untouched client's August)
        con.execute(
            f"update marts.{SCORECARD} set trend = ? where (client_id = ? and month_start_on = "
            f"'2026-09-01') or (client_id = ? and month_start_on = '2026-08-01')",
            [PLANTED_TREND, client_a, untouched],
        )
    finally:
        con.close()
    run_dbt(warehouse, SECOND_AS_OF, "run", select=(f"+{MART}", f"+{SCORECARD}"))
    log_sql = (
        warehouse.root / f"target/compiled/mspkpi/models/intermediate/service_desk/{LOG}.sql"
    ).read_text()
    con = duckdb.connect(str(warehouse.database))
    try:
        con.execute(f"create schema {INCREMENTAL_SCHEMA}")
        con.execute(f"create table {INCREMENTAL_SCHEMA}.{MART} as from marts.{MART}")
        con.execute(f"create table {INCREMENTAL_SCHEMA}.{LOG} as from intermediate.{LOG}")
        for mart in (SLA, SCORECARD):
            con.execute(f"create table {INCREMENTAL_SCHEMA}.{mart} as from marts.{mart}")
    finally:
        con.close()
    run_dbt(warehouse, SECOND_AS_OF, "run", "--full-refresh", select=MODELS)
    return Run(
        warehouse,
        (client_a, client_b, untouched),
        before,
        high_water_mark,
        staged_before,
        log_sql,
        scorecard_before,
        sla_high_water_mark,
    )


def after(run: Run) -> dict[tuple, dict]:
    return rows_by_period(run.warehouse, f"{INCREMENTAL_SCHEMA}.{MART}")


def assert_equals_its_full_refresh(run: Run, mart: str, columns: str = "*", where: str = "true"):
    """The mart after the incremental run (copied into INCREMENTAL_SCHEMA) and after the full
    refresh hold the same rows, EXCEPT ALL both ways."""
    for left, right in (
        (f"{INCREMENTAL_SCHEMA}.{mart}", f"marts.{mart}"),
        (f"marts.{mart}", f"{INCREMENTAL_SCHEMA}.{mart}"),
    ):
        differences = run.warehouse.query(
            f"select count(*) from (select {columns} from {left} where {where} "
            f"except all select {columns} from {right} where {where})"
        )
        assert differences == [(0,)], f"{left} has rows {right} has not"


def test_the_incremental_run_equals_a_full_refresh(run):
    # every column but the bookkeeping ones, which a full refresh sets to the last deliveries
    assert_equals_its_full_refresh(
        run, MART, "* exclude (_tickets_delivery_id, _csat_responses_delivery_id)"
    )


def test_the_old_month_of_a_reopened_ticket_loses_its_resolution(run):
    client_a = run.clients[0]
    august, october = (client_a, "month", "2026-08-01"), (client_a, "month", "2026-10-01")
    assert (
        after(run)[august]["tickets_resolved_count"]
        == run.before[august]["tickets_resolved_count"] - 1
    )
    assert (
        after(run)[october]["tickets_resolved_count"]
        == run.before[october]["tickets_resolved_count"] + 1
    )


def test_a_client_served_by_a_moved_ticket_alone_loses_its_periods(run):
    assert {key for key in run.before if key[0] == GONE} == {
        (GONE, "month", "2026-09-01"),
        (GONE, "quarter", "2026-07-01"),
        (GONE, "half_year", "2026-07-01"),
        (GONE, "year", "2026-01-01"),
    }
    assert not [key for key in after(run) if key[0] == GONE]


def test_a_second_technician_ends_a_first_contact_resolution(run):
    september = (run.clients[0], "month", "2026-09-01")
    # the moved ticket joins client A's September as a first-contact resolution: +1 -1
    assert (
        after(run)[september]["tickets_resolved_first_contact_count"]
        == run.before[september]["tickets_resolved_first_contact_count"]
    )
    assert (
        after(run)[september]["tickets_resolved_count"]
        == run.before[september]["tickets_resolved_count"] + 1
    )


def test_a_late_csat_response_counts_in_its_own_month(run):
    october = (run.clients[1], "month", "2026-10-01")
    assert after(run)[october]["csat_response_count"] == (
        run.before[october]["csat_response_count"] + 1
    )
    assert (
        after(run)[october]["positive_csat_response_count"]
        == (run.before[october]["positive_csat_response_count"])
    )


def test_the_log_keeps_every_client_month_a_ticket_was_in(run):
    logged = set(
        run.warehouse.query(
            f"select ticket_id, client_id, cast(month_start_on as varchar) "
            f"from {INCREMENTAL_SCHEMA}.{LOG} where ticket_id in (?, ?)",
            [REOPENED, MOVED],
        )
    )
    client_a = run.clients[0]
    assert logged == {
        (REOPENED, client_a, "2026-08-01"),
        (REOPENED, client_a, "2026-10-01"),
        (MOVED, GONE, "2026-09-01"),
        (MOVED, client_a, "2026-09-01"),
    }


def test_the_log_keeps_a_csat_month_apart_from_the_ticket_months(run):
    logged = set(
        run.warehouse.query(
            f"select client_id, cast(month_start_on as varchar), event_source "
            f"from {INCREMENTAL_SCHEMA}.{LOG} where ticket_id = ?",
            [LATE_CSAT],
        )
    )
    assert logged == {
        (run.clients[1], "2026-08-01", "ticket"),
        (run.clients[1], "2026-10-01", "csat_response"),
    }


def test_the_log_reads_each_input_after_its_own_last_delivery(run):
    # the CSAT files load after the tickets': one mark for both would read every response again
    assert run.staged_before["csat_responses"] > run.staged_before["tickets"]
    assert f"where _delivery_id > {run.staged_before['tickets']}" in run.log_sql
    assert (
        f"where csat_responses._delivery_id > {run.staged_before['csat_responses']}" in run.log_sql
    )


def test_only_the_periods_touched_are_rebuilt(run):
    client_a, client_b, untouched = run.clients
    rebuilt = {
        key for key, row in after(run).items() if row["_tickets_delivery_id"] > run.high_water_mark
    }
    # every client: December is newly served, November has just completed (and so have Q4,
    # H2 and 2026's rows that hold them); the tickets add A's August, September and October,
    # B's August and October, and the periods after each
    touched = {
        (client, "month", month)
        for client in (client_a,)
        for month in ("2026-08-01", "2026-09-01", "2026-10-01")
    } | {(client_b, "month", month) for month in ("2026-08-01", "2026-09-01", "2026-10-01")}
    assert touched <= rebuilt
    # a client the delivery does not touch keeps its August, September and third-quarter rows
    for key in (
        (untouched, "month", "2026-08-01"),
        (untouched, "month", "2026-09-01"),
        (untouched, "quarter", "2026-07-01"),
    ):
        assert key in run.before
        assert key not in rebuilt
    assert (untouched, "month", "2026-12-01") in rebuilt
    assert (untouched, "month", "2026-11-01") in rebuilt


def test_the_incremental_scorecard_equals_a_full_refresh(run):
    # but for the planted trend of the client-month the run rightly kept
    untouched = run.clients[2]
    kept = f"not (client_id = '{untouched}' and month_start_on = '2026-08-01')"
    assert_equals_its_full_refresh(run, SCORECARD, where=kept)


def test_the_scorecard_rebuilds_the_client_months_that_changed_only(run):
    client_a, _, untouched = run.clients
    trends = dict(
        run.warehouse.query(
            f"select client_id || ' ' || cast(month_start_on as varchar), "
            f"count(case when trend = ? then 1 end) from {INCREMENTAL_SCHEMA}.{SCORECARD} "
            f"where (client_id = ? and month_start_on = '2026-09-01') "
            f"or (client_id = ? and month_start_on = '2026-08-01') group by 1",
            [PLANTED_TREND, client_a, untouched],
        )
    )
    # A's September changed (the moved ticket): rebuilt, the planted trend is gone; the untouched
    # client's August (16 KPIs) kept its rows, planted trend included
    assert trends == {f"{client_a} 2026-09-01": 0, f"{untouched} 2026-08-01": 16}


def test_a_client_month_no_mart_holds_any_more_leaves_the_scorecard(run):
    assert (GONE, "2026-09-01") in run.scorecard_before
    gone = run.warehouse.query(
        f"select count(*) from {INCREMENTAL_SCHEMA}.{SCORECARD} where client_id = ?", [GONE]
    )
    assert gone == [(0,)]


def test_the_incremental_sla_compliance_equals_a_full_refresh(run):
    assert_equals_its_full_refresh(run, SLA, "* exclude (_tickets_delivery_id)")


def test_sla_compliance_rebuilds_a_touched_client_from_its_changed_ticket_s_month(run):
    rebuilt = {
        (client, month)
        for client, month, delivery in run.warehouse.query(
            f"select distinct client_id, cast(month_start_on as varchar), _tickets_delivery_id "
            f"from {INCREMENTAL_SCHEMA}.{SLA}"
        )
        if delivery > run.sla_high_water_mark
    }
    client_a, client_b, untouched = run.clients
    # A: the reopened ticket was created in August; B: the corrected ticket too
    for client in (client_a, client_b):
        for month in ("2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"):
            assert (client, month) in rebuilt
    # every client: November has just completed, December is new
    assert {(untouched, "2026-11-01"), (untouched, "2026-12-01")} <= rebuilt
    assert (untouched, "2026-08-01") not in rebuilt
    assert not [key for key in rebuilt if key[0] == GONE]

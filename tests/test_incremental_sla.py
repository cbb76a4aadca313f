"""The SLA engine (int_ticket_sla_metrics) and fct_tickets are incremental: one more delivery
re-measures the tickets it touches plus every open ticket (their figures run until the as-of time),
and the result is exactly what `--full-refresh` rebuilds from the same raw rows.

One small sample (8 clients, 3 months) gets a setup delivery of five tickets whose timestamps we
chose, so that their figures can be worked out by hand, and is built once as of Monday 2026-11-02
12:00 UTC. Then the next delivery lands with a new ticket, a status change that pauses an open
ticket, the late resolution of an open ticket, an OLDER version of a resolved ticket and a
corrected status change that removes a pause, and the models run incrementally as of Wednesday
2026-11-04 12:00 UTC.

How the expected figures are worked out: every ticket is on SLA-PARIS-P2 (response 60, resolution
480 business minutes) or SLA-PARIS-P3 (240, 1440) of CAL-PARIS, open Monday to Friday 08:00-18:00
Europe/Paris (600 minutes a day), which is UTC+1 from 25 October 2026 (end of summer time) on. No
holiday of the calendar falls in the two weeks (Toussaint, 1 November, is a Sunday). Times in the
comments are Paris time, UTC in the rows.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.pipeline import ingest
from orchestration.sample import generate_sample
from tests.incremental_warehouse import Warehouse, write_delivery
from tests.incremental_warehouse import run_dbt as run_incremental_dbt

# Delivery file names sort after every file of the generator (dated names): they load last, in
# this order.
SETUP_FILE = "incsla-1-setup.csv"
UPDATE_FILE = "incsla-2-update.csv"
FIRST_AS_OF = "2026-11-02T12:00:00"  # Monday 13:00 in Paris
SECOND_AS_OF = "2026-11-04T12:00:00"  # Wednesday 13:00 in Paris
INCREMENTAL_SCHEMA = "after_incremental_run"
COMPARED = {"int_ticket_sla_metrics": "intermediate", "fct_tickets": "marts"}
PAUSES = "int_ticket_sla_pauses"
EQUAL_TO_FULL_REFRESH = {**COMPARED, PAUSES: "intermediate"}
PAUSES_KEY_TEST = "unique_combination_of_columns_int_ticket_sla_pauses_ticket_id__pause_started_at"
METRICS_KEY_TEST = "unique_int_ticket_sla_metrics_ticket_id"
TICKETS_KEY_TEST = "unique_fct_tickets_ticket_id"
# the checks that a run missed no ticket: once passed, they read the tickets that may have changed
MISSED_TICKET_TESTS = {
    "sla_metrics_measured_from_the_latest_deliveries": "int_ticket_sla_metrics",
    "fct_tickets_built_from_the_latest_deliveries": "fct_tickets",
}

PAUSED = "T99980001"  # open; the update pauses it
LATE_RESOLVED = "T99980002"  # open; the update resolves it
OLDER_VERSION = "T99980003"  # resolved; the update brings an older version that must not win
OPEN_BREACHING = "T99980004"  # open; no new data, breached by the later as-of time alone
NEW = "T99980005"  # the update's new ticket
UNPAUSED = "T99980006"  # open and paused; the update corrects its paused status to a running one

SLA_COLUMNS = (
    "response_business_minutes",
    "resolution_business_minutes",
    "paused_business_minutes",
    "is_response_within_sla",
    "is_resolution_within_sla",
    "is_breached_open",
    "is_sla_active",
    "resolution_due_at",
    "as_of_at",
)


@dataclass(frozen=True)
class Run:
    warehouse: Warehouse
    before: dict[str, dict[str, dict]]  # model -> ticket -> row before the update
    deliveries: dict[str, int]  # file -> delivery id (max over its entities)
    high_water_marks: dict[str, int]  # model -> max(_delivery_id) before the update
    compiled_sql: dict[str, str]  # each model's SQL as the incremental run compiled it
    pauses_before: dict[str, list[tuple]]  # ticket -> its pauses before the update
    pauses_key_test_sql: str  # the pauses' key test as the incremental build compiled it
    missed_ticket_tests_sql: dict[
        str, str
    ]  # MISSED_TICKET_TESTS as the incremental build compiled them
    pauses_high_water_mark: int  # max(_delivery_id) of the pauses before the update
    metrics_key_test_sql: str  # the SLA metrics' key test as the incremental build compiled it
    tickets_key_test: dict  # fct_tickets' key test's result in the incremental build
    recorded_tests: list[str]  # the record's keys after the incremental build
    recorded_after_rebuild: list[str]  # the same after the SLA models' `run --full-refresh`


def run_dbt(
    warehouse: Warehouse, as_of: str, *args: str, select: tuple[str, ...] = ("+fct_tickets",)
) -> None:
    """dbt on the test's own warehouse, as of the given instant."""
    run_incremental_dbt(warehouse, *args, select=select, environment={"MSPKPI_AS_OF": as_of})


def ticket(ticket_id: str, client_id: str, policy: str, created_at: str, **fields: str) -> dict:
    return {
        "ticket_id": ticket_id,
        "client_id": client_id,
        "created_at": created_at,
        "priority": policy[-2:].lower(),
        "ticket_type": "incident",
        "source": "email",
        "sla_policy_id": policy,
        "board": "Service Desk",
        "tier": "1",
        "status": "In Progress",
        "reopened_count": "0",
        "is_proactive": "false",
        "updated_at": created_at,
        **fields,
    }


def status_change(ticket_id: str, changed_at: str, to_status: str, paused: bool) -> dict:
    return {
        "ticket_id": ticket_id,
        "changed_at": changed_at,
        "to_status": to_status,
        "sla_paused": "true" if paused else "false",
    }


def rows_by_ticket(warehouse: Warehouse, relation: str) -> dict[str, dict]:
    ids = [PAUSED, LATE_RESOLVED, OLDER_VERSION, OPEN_BREACHING, NEW, UNPAUSED]
    rows = warehouse.records(f"select * from {relation} where ticket_id in (?, ?, ?, ?, ?, ?)", ids)
    return {row["ticket_id"]: row for row in rows}


def first_client_id(raw_dir: Path) -> str:
    """A client of the sample, for the tickets the test delivers (fct_tickets tests the key)."""
    clients_file = sorted((raw_dir / "psa/clients").glob("*.csv"))[0]
    with clients_file.open(encoding="utf-8", newline="") as handle:
        return next(csv.DictReader(handle))["client_id"]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("incremental_sla")
    warehouse = Warehouse(root, root / "warehouse.duckdb", root / "raw")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    generate_sample(warehouse.raw_dir, clients=8, months=3, seed=7)
    client = first_client_id(warehouse.raw_dir)

    # Setup delivery, before the first build (as of Monday 2 November 13:00).
    write_delivery(
        warehouse.raw_dir,
        "psa/tickets",
        SETUP_FILE,
        [
            ticket(
                PAUSED,
                client,
                "SLA-PARIS-P3",
                "2026-11-02T08:00:00Z",
                first_response_at="2026-11-02T08:30:00Z",
            ),
            ticket(
                LATE_RESOLVED,
                client,
                "SLA-PARIS-P3",
                "2026-11-02T07:30:00Z",
                first_response_at="2026-11-02T07:45:00Z",
            ),
            ticket(
                OLDER_VERSION,
                client,
                "SLA-PARIS-P3",
                "2026-10-26T08:00:00Z",
                first_response_at="2026-10-26T09:00:00Z",
                resolved_at="2026-10-27T10:00:00Z",
                status="Resolved",
                updated_at="2026-10-27T10:00:00Z",
            ),
            ticket(
                OPEN_BREACHING,
                client,
                "SLA-PARIS-P2",
                "2026-11-02T08:00:00Z",
                first_response_at="2026-11-02T08:20:00Z",
            ),
            ticket(
                UNPAUSED,
                client,
                "SLA-PARIS-P3",
                "2026-11-02T08:00:00Z",
                first_response_at="2026-11-02T08:30:00Z",
            ),
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "psa/ticket_status_changes",
        SETUP_FILE,
        [
            status_change(PAUSED, "2026-11-02T08:00:00Z", "In Progress", paused=False),
            status_change(LATE_RESOLVED, "2026-11-02T07:30:00Z", "In Progress", paused=False),
            status_change(OLDER_VERSION, "2026-10-26T08:00:00Z", "In Progress", paused=False),
            status_change(OLDER_VERSION, "2026-10-27T10:00:00Z", "Resolved", paused=False),
            status_change(UNPAUSED, "2026-11-02T08:00:00Z", "In Progress", paused=False),
            status_change(UNPAUSED, "2026-11-02T10:00:00Z", "Waiting on client", paused=True),
        ],
    )
    ingest(warehouse.settings())
    run_dbt(warehouse, FIRST_AS_OF, "run")
    # these tests pass once: the next build tests the later deliveries only
    run_dbt(
        warehouse,
        FIRST_AS_OF,
        "test",
        select=(PAUSES_KEY_TEST, METRICS_KEY_TEST, TICKETS_KEY_TEST, *MISSED_TICKET_TESTS),
    )
    pauses_before = pauses_by_ticket(warehouse, f"intermediate.{PAUSES}")
    [(pauses_high_water_mark,)] = warehouse.query(
        f"select max(_delivery_id) from intermediate.{PAUSES}"
    )
    before = {
        model: rows_by_ticket(warehouse, f"{schema}.{model}") for model, schema in COMPARED.items()
    }
    high_water_marks = {
        model: warehouse.query(f"select max(_delivery_id) from {schema}.{model}")[0][0]
        for model, schema in COMPARED.items()
    }

    # The next delivery (built as of Wednesday 4 November 13:00).
    write_delivery(
        warehouse.raw_dir,
        "psa/tickets",
        UPDATE_FILE,
        [
            ticket(
                LATE_RESOLVED,
                client,
                "SLA-PARIS-P3",
                "2026-11-02T07:30:00Z",
                first_response_at="2026-11-02T07:45:00Z",
                resolved_at="2026-11-03T09:00:00Z",
                status="Resolved",
                updated_at="2026-11-03T09:00:00Z",
            ),
            # a version from before the stored one (updated at its creation): it must not win
            ticket(
                OLDER_VERSION,
                client,
                "SLA-PARIS-P3",
                "2026-10-26T08:00:00Z",
                status="New",
                updated_at="2026-10-26T08:00:00Z",
            ),
            ticket(NEW, client, "SLA-PARIS-P3", "2026-11-04T08:00:00Z", status="New"),
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "psa/ticket_status_changes",
        UPDATE_FILE,
        [
            status_change(PAUSED, "2026-11-02T14:00:00Z", "Waiting on client", paused=True),
            status_change(LATE_RESOLVED, "2026-11-03T09:00:00Z", "Resolved", paused=False),
            status_change(NEW, "2026-11-04T08:00:00Z", "New", paused=False),
            # the same change (ticket and instant) delivered again: it was not a pause after all
            status_change(UNPAUSED, "2026-11-02T10:00:00Z", "In Progress", paused=False),
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "psa/time_entries",
        UPDATE_FILE,
        [
            {
                "time_entry_id": "TE99980001",
                "ticket_id": LATE_RESOLVED,
                "technician_id": "E0001",
                "started_at": "2026-11-03T08:00:00Z",
                "hours": "1.25",
                "billable": "true",
            }
        ],
    )
    results = ingest(warehouse.settings())
    loaded = {result.file: result for result in results if result.status == "loaded"}
    assert sorted(loaded) == [
        f"psa/ticket_status_changes/{UPDATE_FILE}",
        f"psa/tickets/{UPDATE_FILE}",
        f"psa/time_entries/{UPDATE_FILE}",
    ], loaded
    assert all(result.rejected == 0 for result in loaded.values()), loaded
    deliveries = dict(
        warehouse.query(
            "select regexp_extract(file, '[^/]+$'), max(delivery_id) from raw._load_audit "
            "where file like '%incsla-%' group by 1"
        )
    )
    # incremental, with the two checks that a run missed no ticket (the other data tests of the
    # models run in the suite's full build)
    run_dbt(
        warehouse,
        SECOND_AS_OF,
        "build",
        "--indirect-selection",
        "empty",
        select=(
            "+fct_tickets",
            "sla_metrics_measured_from_the_latest_deliveries",
            "fct_tickets_built_from_the_latest_deliveries",
            PAUSES_KEY_TEST,
            METRICS_KEY_TEST,
            TICKETS_KEY_TEST,
        ),
    )
    compiled = warehouse.root / "target/compiled/mspkpi/models"
    compiled_sql = {
        "int_ticket_sla_metrics": (
            compiled / "intermediate/sla/int_ticket_sla_metrics.sql"
        ).read_text(),
        "fct_tickets": (compiled / "marts/core/fct_tickets.sql").read_text(),
    }
    results = json.loads((warehouse.root / "target/run_results.json").read_text())["results"]
    compiled_tests = {
        result["unique_id"].split(".")[2]: result["compiled_code"]
        for result in results
        if result["unique_id"].startswith("test.")
    }
    [pauses_key_test_sql] = [sql for name, sql in compiled_tests.items() if PAUSES_KEY_TEST in name]
    [metrics_key_test_sql] = [
        sql for name, sql in compiled_tests.items() if name.startswith(METRICS_KEY_TEST)
    ]
    missed_ticket_tests_sql = {name: compiled_tests[name] for name in MISSED_TICKET_TESTS}
    [tickets_key_test] = [r for r in results if r["unique_id"].split(".")[2] == TICKETS_KEY_TEST]
    recorded_tests = recorded_test_keys(warehouse)
    # Keep the incremental result aside, then rebuild the same raw rows from scratch in place.
    con = duckdb.connect(str(warehouse.database))
    try:
        con.execute(f"create schema {INCREMENTAL_SCHEMA}")
        for model, schema in EQUAL_TO_FULL_REFRESH.items():
            con.execute(f"create table {INCREMENTAL_SCHEMA}.{model} as from {schema}.{model}")
    finally:
        con.close()
    # The staging tables' own incremental run equals their full rebuild (test_incremental_staging)
    # and the calendar tables were rebuilt as of the same instant: the SLA models are rebuilt.
    run_dbt(
        warehouse,
        SECOND_AS_OF,
        "run",
        "--full-refresh",
        select=tuple(EQUAL_TO_FULL_REFRESH),
    )
    recorded_after_rebuild = recorded_test_keys(warehouse)
    return Run(
        warehouse,
        before,
        deliveries,
        high_water_marks,
        compiled_sql,
        pauses_before,
        pauses_key_test_sql,
        missed_ticket_tests_sql,
        pauses_high_water_mark,
        metrics_key_test_sql,
        tickets_key_test,
        recorded_tests,
        recorded_after_rebuild,
    )


def recorded_test_keys(warehouse: Warehouse) -> list[str]:
    return [key for (key,) in warehouse.query("select test_id from quality.tested_deliveries")]


def pauses_by_ticket(warehouse: Warehouse, relation: str) -> dict[str, list[tuple]]:
    pauses: dict[str, list[tuple]] = {}
    for ticket_id, started_at, ended_at in warehouse.query(
        f"select ticket_id, pause_started_at, pause_ended_at from {relation} "
        "where ticket_id in (?, ?) order by 1, 2",
        [PAUSED, UNPAUSED],
    ):
        pauses.setdefault(ticket_id, []).append((started_at, ended_at))
    return pauses


def after(run: Run, model: str) -> dict[str, dict]:
    return rows_by_ticket(run.warehouse, f"{INCREMENTAL_SCHEMA}.{model}")


def sla_figures(run: Run, ticket_id: str) -> dict[str, object]:
    row = after(run, "int_ticket_sla_metrics")[ticket_id]
    return {column: row[column] for column in SLA_COLUMNS}


def test_the_models_are_incremental_tables(run):
    kinds = dict(
        run.warehouse.query(
            "select table_name, table_type from information_schema.tables "
            "where table_name in ('int_ticket_sla_metrics', 'fct_tickets', "
            "'int_ticket_sla_pauses', 'int_tickets_joined_to_sla_policies')"
        )
    )
    assert kinds == {
        "int_ticket_sla_metrics": "BASE TABLE",
        "fct_tickets": "BASE TABLE",
        "int_ticket_sla_pauses": "BASE TABLE",
        "int_tickets_joined_to_sla_policies": "VIEW",
    }
    # the incremental run measured a filtered set, the pauses' rule applied to it (not the table)
    metrics_sql = run.compiled_sql["int_ticket_sla_metrics"]
    assert "tickets_to_measure" in metrics_sql
    assert '."int_ticket_sla_pauses"' not in metrics_sql
    assert "tickets_to_build" in run.compiled_sql["fct_tickets"]


def test_a_status_change_pauses_an_open_ticket(run):
    # Created Monday 09:00, first response 09:30 -> 30 (<= 240). Paused Monday 15:00 (14:00 UTC),
    # still paused at the as-of time Wednesday 13:00: paused = Monday 15:00-18:00 180 + Tuesday
    # 600 + Wednesday 08:00-13:00 300 = 1080; elapsed = Monday 09:00-18:00 540 + 600 + 300 - 1080
    # = 360 (<= 1440: active). Due: 1440 + 1080 = 2520 from Monday 09:00 = Monday 540, Tuesday
    # 600, Wednesday 600, Thursday 600, then 180 on Friday: Friday 11:00 (10:00 UTC).
    assert sla_figures(run, PAUSED) == {
        "response_business_minutes": 30,
        "resolution_business_minutes": None,
        "paused_business_minutes": 1080,
        "is_response_within_sla": True,
        "is_resolution_within_sla": None,
        "is_breached_open": False,
        "is_sla_active": True,
        "resolution_due_at": datetime(2026, 11, 6, 10, 0),
        "as_of_at": datetime(2026, 11, 4, 12, 0),
    }


def test_a_late_resolution_closes_the_clock(run):
    # Created Monday 08:30 (07:30 UTC), first response 08:45 -> 15. Resolved Tuesday 10:00 (09:00
    # UTC): Monday 08:30-18:00 570 + Tuesday 08:00-10:00 120 = 690 (<= 1440: within). Due: 1440
    # from Monday 08:30 = Monday 570, Tuesday 600, then 270 on Wednesday: 12:30 (11:30 UTC).
    assert sla_figures(run, LATE_RESOLVED) == {
        "response_business_minutes": 15,
        "resolution_business_minutes": 690,
        "paused_business_minutes": 0,
        "is_response_within_sla": True,
        "is_resolution_within_sla": True,
        "is_breached_open": False,
        "is_sla_active": False,
        "resolution_due_at": datetime(2026, 11, 4, 11, 30),
        "as_of_at": None,
    }
    # before the update it was open, judged at the first as-of time Monday 13:00 (270 of 1440)
    before = run.before["int_ticket_sla_metrics"][LATE_RESOLVED]
    assert (before["is_sla_active"], before["as_of_at"]) == (True, datetime(2026, 11, 2, 12, 0))
    fact = after(run, "fct_tickets")[LATE_RESOLVED]
    assert fact["resolved_at"] == datetime(2026, 11, 3, 9, 0)
    # the update's time entry (1.25 billable hours) is its only one
    assert (fact["logged_hours"], fact["billable_hours"], fact["time_entry_count"]) == (
        Decimal("1.2500"),
        Decimal("1.2500"),
        1,
    )


def test_an_older_version_of_a_resolved_ticket_changes_nothing(run):
    # Created Monday 26 October 09:00 (08:00 UTC; summer time ended the day before), first
    # response 10:00 -> 60. Resolved Tuesday 27 at 11:00 (10:00 UTC): Monday 09:00-18:00 540 +
    # Tuesday 08:00-11:00 180 = 720 (<= 1440). Due: 1440 = Monday 540, Tuesday 600, then 300 on
    # Wednesday 28: 13:00 (12:00 UTC). The late version (updated at creation, unresolved) loses.
    assert sla_figures(run, OLDER_VERSION) == {
        "response_business_minutes": 60,
        "resolution_business_minutes": 720,
        "paused_business_minutes": 0,
        "is_response_within_sla": True,
        "is_resolution_within_sla": True,
        "is_breached_open": False,
        "is_sla_active": False,
        "resolution_due_at": datetime(2026, 10, 28, 12, 0),
        "as_of_at": None,
    }
    # not even re-measured: its rows are the ones of the first build, delivery included
    for model in COMPARED:
        row = after(run, model)[OLDER_VERSION]
        assert row == run.before[model][OLDER_VERSION]
        assert row["_delivery_id"] <= run.high_water_marks[model]


def test_the_new_ticket_is_measured(run):
    # Created Wednesday 09:00 (08:00 UTC), no response yet; at the as-of time Wednesday 13:00:
    # 240 so far (<= 1440: active). Due: 1440 = Wednesday 540, Thursday 600, then 300 on Friday:
    # 13:00 (12:00 UTC).
    assert sla_figures(run, NEW) == {
        "response_business_minutes": None,
        "resolution_business_minutes": None,
        "paused_business_minutes": 0,
        "is_response_within_sla": None,
        "is_resolution_within_sla": None,
        "is_breached_open": False,
        "is_sla_active": True,
        "resolution_due_at": datetime(2026, 11, 6, 12, 0),
        "as_of_at": datetime(2026, 11, 4, 12, 0),
    }


def test_an_open_ticket_is_judged_again_at_the_new_as_of_time(run):
    # A p2 (480) created Monday 09:00 (08:00 UTC), no new data. At Monday 13:00 it had run 240
    # (active); at Wednesday 13:00 540 + 600 + 300 = 1440 > 480: breached. Due: Monday 09:00 + 480
    # = 17:00 (16:00 UTC).
    flags = ("is_breached_open", "is_sla_active", "resolution_due_at", "as_of_at")
    for model in COMPARED:
        before = run.before[model][OPEN_BREACHING]
        now = after(run, model)[OPEN_BREACHING]
        assert [before[flag] for flag in flags[:3]] == [False, True, datetime(2026, 11, 2, 16, 0)]
        assert [now[flag] for flag in flags[:3]] == [True, False, datetime(2026, 11, 2, 16, 0)]
    assert sla_figures(run, OPEN_BREACHING)["as_of_at"] == datetime(2026, 11, 4, 12, 0)
    assert run.before["int_ticket_sla_metrics"][OPEN_BREACHING]["as_of_at"] == datetime(
        2026, 11, 2, 12, 0
    )


def test_rows_carry_the_delivery_they_were_measured_from(run):
    update = run.deliveries[UPDATE_FILE]
    # the update's two files are two deliveries; each ticket's row names the one it came from
    for model in COMPARED:
        delivery_ids = {key: row["_delivery_id"] for key, row in after(run, model).items()}
        assert run.high_water_marks[model] < delivery_ids[PAUSED] <= update
        assert run.high_water_marks[model] < delivery_ids[LATE_RESOLVED] <= update
        assert run.high_water_marks[model] < delivery_ids[NEW] <= update
        # measured from deliveries before the update's run (the ids of one run's entities
        # interleave: they load side by side)
        assert delivery_ids[OLDER_VERSION] <= run.high_water_marks[model]
        assert delivery_ids[OPEN_BREACHING] <= run.high_water_marks[model]


def test_a_corrected_status_change_removes_its_pause(run):
    # before: paused from 11:00 (10:00 UTC) to the as-of time 13:00, still running
    assert run.pauses_before == {UNPAUSED: [(datetime(2026, 11, 2, 10, 0), None)]}
    assert run.before["int_ticket_sla_metrics"][UNPAUSED]["paused_business_minutes"] == 120
    # after: the stored pause is gone (the ticket has no pause left to replace it with), and the
    # pause the update brings to PAUSED is there: Monday 15:00 (14:00 UTC), still running
    assert pauses_by_ticket(run.warehouse, f"{INCREMENTAL_SCHEMA}.{PAUSES}") == {
        PAUSED: [(datetime(2026, 11, 2, 14, 0), None)]
    }
    assert sla_figures(run, UNPAUSED)["paused_business_minutes"] == 0


@pytest.mark.parametrize("test_name", sorted(MISSED_TICKET_TESTS))
def test_the_missed_ticket_checks_read_only_what_changed_since_they_passed(run, test_name):
    # they passed (the incremental build succeeded) on the tickets of the later deliveries and
    # the open ones, found from the delivery their model had when they last passed
    mark = run.high_water_marks[MISSED_TICKET_TESTS[test_name]]
    sql = run.missed_ticket_tests_sql[test_name]
    assert "tickets_to_check" in sql
    assert f"where _delivery_id > {mark} or resolved_at is null" in sql


def test_the_pauses_key_test_reads_only_the_new_deliveries(run):
    assert f"where _delivery_id > {run.pauses_high_water_mark})" in run.pauses_key_test_sql


def test_the_sla_metrics_key_test_reads_the_new_deliveries_and_the_open_tickets(run):
    # open tickets are measured again at each as-of time with the delivery id they had
    mark = run.high_water_marks["int_ticket_sla_metrics"]
    expected = f"where (_delivery_id > {mark} or as_of_at is not null))"
    assert expected in run.metrics_key_test_sql


def test_the_tickets_key_test_reads_the_new_deliveries_and_the_open_tickets(run):
    # fct_tickets rebuilds its open tickets at every run, with the delivery id they had
    mark = run.high_water_marks["fct_tickets"]
    expected = f"where (_delivery_id > {mark} or resolved_at is null))"
    assert expected in run.tickets_key_test["compiled_code"]
    assert run.tickets_key_test["status"] == "pass"


@pytest.mark.parametrize("model", sorted(EQUAL_TO_FULL_REFRESH))
def test_incremental_run_equals_full_refresh(run, model):
    schema = EQUAL_TO_FULL_REFRESH[model]
    for left, right in (
        (f"{INCREMENTAL_SCHEMA}.{model}", f"{schema}.{model}"),
        (f"{schema}.{model}", f"{INCREMENTAL_SCHEMA}.{model}"),
    ):
        differences = run.warehouse.query(
            f"select count(*) from (select * from {left} except all select * from {right})"
        )
        assert differences == [(0,)], f"{left} has rows {right} has not"
    counts = run.warehouse.query(
        f"select (select count(*) from {schema}.{model}), "
        f"(select count(*) from {INCREMENTAL_SCHEMA}.{model})"
    )[0]
    assert counts[0] == counts[1] > 0


@pytest.mark.parametrize("test_name", sorted(MISSED_TICKET_TESTS))
def test_a_record_is_keyed_on_the_sql_of_the_test_and_of_its_model(run, test_name):
    # an edited singular test keeps its name, a model its unique_id: the digest of their
    # checksums tells the versions that passed from later ones (macro tested_deliveries_key)
    nodes = json.loads((run.warehouse.root / "target" / "manifest.json").read_text())["nodes"]
    test = nodes[f"test.mspkpi.{test_name}"]
    model = nodes[f"model.mspkpi.{MISSED_TICKET_TESTS[test_name]}"]
    assert test.get("attached_node") is None  # a singular test: no model of its own
    checksums = [test["checksum"]["checksum"], "", model["checksum"]["checksum"]]
    digest = hashlib.md5(",".join(checksums).encode()).hexdigest()[:16]
    keys = [key for key in run.recorded_tests if key.startswith(f"test.mspkpi.{test_name}")]
    assert keys == [f"test.mspkpi.{test_name}:{digest}"]
    # the SLA models rebuilt whole (run --full-refresh, no tests) forgot it
    assert not [key for key in run.recorded_after_rebuild if test_name in key]

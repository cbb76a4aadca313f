"""The data tests of the incremental staging models check the deliveries that no passing run has
checked yet (macros/incremental/tested_deliveries.sql).

A small sample's tickets and status changes are built and tested once, which records the last
delivery each passing test covered. Then one more delivery lands with a status change of a ticket
that does not exist: the incremental build's relationships test reads only that delivery's rows,
finds the one orphan, fails and records nothing, while the tests that passed move on to the new
delivery. A full refresh reads every row again. So does the next `dbt test` after the models were
rebuilt whole without their tests (`dbt run --full-refresh`): the rebuild forgot the records.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass

import pytest

from orchestration.pipeline import dbt_command, dbt_environment, ingest
from orchestration.sample import generate_sample
from tests.incremental_warehouse import Warehouse, write_delivery

MODELS = (
    "stg_psa__tickets",
    "stg_psa__ticket_status_changes",
    "stg_psa__sla_policies",
    "int_tickets_joined_to_sla_policies",
)
ENTITIES = ("psa/tickets", "psa/ticket_status_changes", "psa/sla_policies")
ORPHAN_TICKET_ID = "T00000000"
RELATIONSHIPS = "relationships_stg_psa__ticket_status_changes_ticket_id"
UNIQUE_KEY = "unique_combination_of_columns_stg_psa__ticket_status_changes"
# a view over every ticket whose tests follow the deliveries of stg_psa__tickets
SLA_VIEW_UNIQUE = "unique_int_tickets_joined_to_sla_policies_ticket_id"


@dataclass(frozen=True)
class Runs:
    warehouse: Warehouse
    first: dict[str, int]  # test name -> delivery recorded after the first build
    first_max_delivery: int  # max(_delivery_id) of the status changes after the first build
    day_delivery: int  # delivery id of the day's status changes
    day_exit_code: int
    day: dict[str, int]  # records after the incremental build
    day_failures: dict[str, int]  # failing rows of each test in the incremental build
    day_sql: dict[str, str]  # each test's compiled SQL in the incremental build
    refreshed: dict[str, int]  # records after `dbt build --full-refresh`
    refreshed_sql: dict[str, str]
    after_run: dict[str, int]  # records after an incremental `dbt run`
    after_rebuild: dict[str, int]  # records after `dbt run --full-refresh`
    retested: dict[str, int]  # records after the `dbt test` that follows
    retested_sql: dict[str, str]


def build(warehouse: Warehouse, *args: str, command: str = "build") -> int:
    env = {
        **dbt_environment(warehouse.settings()),
        "DBT_TARGET_PATH": str(warehouse.root / "target"),
        "DBT_LOG_PATH": str(warehouse.root / "logs"),
    }
    # only the tests whose every parent is selected: not those reaching clients or employees
    selection = ["--select", *MODELS, "--indirect-selection", "cautious"]
    dbt = dbt_command([command, *args, "--target", "duckdb", *selection])
    return subprocess.run(dbt, env=env, capture_output=True, text=True, check=False).returncode


def records(warehouse: Warehouse) -> dict[str, int]:
    rows = warehouse.query("select test_id, delivery_id from quality.tested_deliveries")
    return {test_id.split(".")[2]: delivery_id for test_id, delivery_id in rows}


def run_results(warehouse: Warehouse) -> tuple[dict[str, int], dict[str, str]]:
    results = json.loads((warehouse.root / "target" / "run_results.json").read_text())["results"]
    tests = [r for r in results if r["unique_id"].startswith("test.")]
    failures = {r["unique_id"].split(".")[2]: r["failures"] for r in tests}
    sql = {r["unique_id"].split(".")[2]: r["compiled_code"] for r in tests}
    return failures, sql


def named(mapping: dict, prefix: str):
    (key,) = [key for key in mapping if key.startswith(prefix)]
    return mapping[key]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("tested_deliveries")
    warehouse = Warehouse(root, root / "warehouse.duckdb", root / "raw")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    generate_sample(warehouse.raw_dir, clients=4, months=2, seed=11)
    for folder in warehouse.raw_dir.glob("*/*"):
        if folder.relative_to(warehouse.raw_dir).as_posix() not in ENTITIES:
            shutil.rmtree(folder)
    ingest(warehouse.settings())
    assert build(warehouse) == 0
    first = records(warehouse)
    first_max = warehouse.query(
        "select max(_delivery_id) from staging.stg_psa__ticket_status_changes"
    )[0][0]

    write_delivery(
        warehouse.raw_dir,
        "psa/ticket_status_changes",
        "2026-11-01.csv",
        [
            {
                "ticket_id": ORPHAN_TICKET_ID,
                "changed_at": "2026-11-01T09:00:00Z",
                "from_status": "",
                "to_status": "New",
                "sla_paused": "false",
            }
        ],
    )
    ingest(warehouse.settings())
    day_delivery = warehouse.query(
        "select delivery_id from raw._load_audit where file like '%2026-11-01.csv'"
    )[0][0]
    day_exit_code = build(warehouse)
    day = records(warehouse)
    day_failures, day_sql = run_results(warehouse)

    build(warehouse, "--full-refresh")
    refreshed = records(warehouse)
    _, refreshed_sql = run_results(warehouse)

    assert build(warehouse, command="run") == 0
    after_run = records(warehouse)
    assert build(warehouse, "--full-refresh", command="run") == 0
    after_rebuild = records(warehouse)
    build(warehouse, command="test")
    retested = records(warehouse)
    _, retested_sql = run_results(warehouse)
    return Runs(
        warehouse,
        first,
        first_max,
        day_delivery,
        day_exit_code,
        day,
        day_failures,
        day_sql,
        refreshed,
        refreshed_sql,
        after_run,
        after_rebuild,
        retested,
        retested_sql,
    )


def test_a_passing_run_records_the_last_delivery_of_each_tested_model(runs):
    [(tickets_max,)] = runs.warehouse.query(
        "select max(_delivery_id) from staging.stg_psa__tickets"
    )
    assert named(runs.first, "unique_stg_psa__tickets_ticket_id") == tickets_max
    assert named(runs.first, UNIQUE_KEY) == runs.first_max_delivery
    assert named(runs.first, RELATIONSHIPS) == runs.first_max_delivery
    assert named(runs.first, SLA_VIEW_UNIQUE) == tickets_max
    # every data test of the incremental models that the build ran: tickets 1 unique + 10
    # not_null + the relationship to the SLA policies (the others reach unselected models),
    # status changes 1 key + 4 not_null + 1 relationship; and the SLA view's 1 unique + 2
    # not_null, which follow the tickets
    assert len(runs.first) == 21


def test_the_next_run_reads_only_the_deliveries_after_the_record(runs):
    sql = named(runs.day_sql, RELATIONSHIPS)
    assert f"where _delivery_id > {runs.first_max_delivery})" in sql
    # the SLA view's tests read the tickets delivered after the tickets' record
    tickets_mark = named(runs.first, "unique_stg_psa__tickets_ticket_id")
    assert f"where _delivery_id > {tickets_mark})" in named(runs.day_sql, SLA_VIEW_UNIQUE)


def test_the_orphan_of_the_new_delivery_fails_its_test(runs):
    assert runs.day_delivery > runs.first_max_delivery
    assert runs.day_exit_code == 1
    assert named(runs.day_failures, RELATIONSHIPS) == 1
    # a failing test keeps its record: the next run reads the orphan's delivery again
    assert named(runs.day, RELATIONSHIPS) == runs.first_max_delivery


def test_the_tests_that_passed_move_on_to_the_new_delivery(runs):
    assert named(runs.day_failures, UNIQUE_KEY) == 0
    assert named(runs.day, UNIQUE_KEY) == runs.day_delivery
    # the tickets got no delivery: their record stays where it was
    assert named(runs.day, "unique_stg_psa__tickets_ticket_id") == named(
        runs.first, "unique_stg_psa__tickets_ticket_id"
    )


def test_a_full_refresh_reads_every_row(runs):
    sql = named(runs.refreshed_sql, RELATIONSHIPS)
    assert "where 1 = 1)" in sql
    assert "where 1 = 1)" in named(runs.refreshed_sql, SLA_VIEW_UNIQUE)
    assert named(runs.refreshed, UNIQUE_KEY) == runs.day_delivery
    # the rebuild forgot the failing test's record, and the test failed again: none
    assert not [test for test in runs.refreshed if test.startswith(RELATIONSHIPS)]
    assert len(runs.refreshed) == len(runs.first) - 1


def test_an_incremental_run_keeps_the_records(runs):
    assert runs.after_run == runs.refreshed


def test_a_model_rebuilt_whole_forgets_its_tests_records(runs):
    # `dbt run --full-refresh` rebuilt the tickets and the status changes without testing them:
    # every record of their tests is gone, the SLA view's too (they follow the tickets)
    assert runs.refreshed
    assert runs.after_rebuild == {}


def test_the_tests_after_a_rebuild_read_every_row(runs):
    for test in (UNIQUE_KEY, RELATIONSHIPS, SLA_VIEW_UNIQUE):
        assert "where 1 = 1)" in named(runs.retested_sql, test)
    # the tests that passed record again; the orphan's relationship test still fails
    assert runs.retested == runs.refreshed


def test_a_generic_test_is_keyed_on_the_sql_of_its_model(runs):
    # an edit of the model (a view's new logic applies to every row) gives the test a new key
    nodes = json.loads((runs.warehouse.root / "target" / "manifest.json").read_text())["nodes"]
    [(key,)] = runs.warehouse.query(
        "select test_id from quality.tested_deliveries where test_id like ?",
        [f"test.mspkpi.{SLA_VIEW_UNIQUE}.%"],
    )
    unique_id, digest = key.split(":")
    view = nodes["model.mspkpi.int_tickets_joined_to_sla_policies"]["checksum"]["checksum"]
    tickets = nodes["model.mspkpi.stg_psa__tickets"]["checksum"]["checksum"]
    # no file of its own; the view it is attached to; the tickets whose deliveries it follows
    assert digest == hashlib.md5(f",{view},{tickets}".encode()).hexdigest()[:16]
    assert nodes[unique_id]["attached_node"] == "model.mspkpi.int_tickets_joined_to_sla_policies"

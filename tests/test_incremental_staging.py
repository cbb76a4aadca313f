"""The six large staging models are incremental tables: one more delivery is merged into the
stored current state with the same "latest version wins" order as a full build, and the result is
exactly what `--full-refresh` rebuilds from the same raw rows.

One small sample (8 clients, 3 months) is ingested and built once; then one delivery of the next
day lands in the landing folder with the cases that matter (a newer version of a ticket, a late
and OLDER version of another, a new ticket, a corrected status change, a new status change and a
new time entry, a new and a corrected CSAT response), is ingested, and the six models run
incrementally.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.pipeline import ingest
from orchestration.sample import generate_sample
from tests.incremental_warehouse import Warehouse
from tests.incremental_warehouse import run_dbt as run_incremental_dbt
from tests.incremental_warehouse import write_delivery as write_delivery_file

MODELS = (
    "stg_psa__tickets",
    "stg_psa__ticket_status_changes",
    "stg_psa__time_entries",
    "stg_psa__rmm_alerts",
    "stg_psa__invoice_lines",
    "stg_surveys__csat_responses",
)
ENTITIES = (
    "psa/tickets",
    "psa/ticket_status_changes",
    "psa/time_entries",
    "psa/rmm_alerts",
    "psa/invoice_lines",
    "surveys/csat_responses",
)
# The next day's delivery, named as the generator names daily files: after every monthly file
# (`2026-10.csv` < `2026-11-01.csv`), so it loads last.
DAY_FILE = "2026-11-01.csv"
NEW_TICKET_ID = "T99990001"
NEW_TIME_ENTRY_ID = "TE99990001"
NEW_CSAT_RESPONSE_ID = "CS99990001"
INCREMENTAL_SCHEMA = "after_incremental_run"


@dataclass(frozen=True)
class Incremental:
    warehouse: Warehouse
    before: dict[str, tuple]  # staged rows before the new delivery, by label
    high_water_marks: dict[str, int]  # max(_delivery_id) of each model before it
    row_counts: dict[str, int]  # rows of each model before it
    day_deliveries: dict[str, int]  # entity key -> delivery id of the day's file
    ticket_a: str  # gets a newer version
    ticket_b: str  # gets a late, older version that must not win
    status_change_key: tuple[str, datetime]  # an existing status change re-delivered, corrected
    compiled_sql: dict[str, str]  # each model's SQL as the incremental run compiled it
    csat_response: tuple  # the stored row of the CSAT response the day corrects


def run_dbt(warehouse: Warehouse, *args: str) -> None:
    # no manifest.json and no debug log: a few seconds of CPU per call the test never reads
    options = ["--no-write-json", "--log-level-file", "none"]
    run_incremental_dbt(warehouse, *args, select=MODELS, options=options)


def write_delivery(raw_dir: Path, entity_key: str, rows: list[Mapping[str, str]]) -> None:
    write_delivery_file(raw_dir, entity_key, DAY_FILE, rows)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_ticket(warehouse: Warehouse, ticket_id: str) -> dict[str, str]:
    """The stored (winning) version of a ticket as contract columns, written back as CSV text."""
    entity = load_contract().entity("psa/tickets")
    names = [column.name for column in entity.columns]
    row = warehouse.query(
        f"select {', '.join(names)} from raw.psa__tickets where ticket_id = ? "
        "order by updated_at desc, _delivery_id desc, _source_line desc limit 1",
        [ticket_id],
    )[0]

    def text(value: object) -> str:
        if value is None:
            return ""
        if isinstance(value, datetime):
            return iso(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        return str(value)

    return {name: text(value) for name, value in zip(names, row, strict=True)}


def staged(
    warehouse: Warehouse, model: str, where: str, params: list, schema: str = "staging"
) -> list[tuple]:
    return warehouse.query(f"select * from {schema}.{model} where {where}", params)


@pytest.fixture(scope="module")
def incremental(tmp_path_factory: pytest.TempPathFactory) -> Incremental:
    root = tmp_path_factory.mktemp("incremental_staging")
    warehouse = Warehouse(root, root / "warehouse.duckdb", root / "raw")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    generate_sample(warehouse.raw_dir, clients=8, months=3, seed=7)
    for folder in warehouse.raw_dir.glob("*/*"):  # only the extracts the six models read
        if folder.relative_to(warehouse.raw_dir).as_posix() not in ENTITIES:
            shutil.rmtree(folder)
    ingest(warehouse.settings())
    run_dbt(warehouse, "run")  # first build: every raw row

    # A: the first ticket by id; B: the first other ticket with a version after its creation, so
    # that a version dated at its creation is strictly older than the stored one.
    ticket_a = warehouse.query("select min(ticket_id) from staging.stg_psa__tickets")[0][0]
    ticket_b = warehouse.query(
        "select min(ticket_id) from staging.stg_psa__tickets "
        "where ticket_id <> ? and updated_at > created_at",
        [ticket_a],
    )[0][0]
    status_change = warehouse.query(
        "select ticket_id, changed_at from staging.stg_psa__ticket_status_changes "
        "where ticket_id = ? order by changed_at limit 1",
        [ticket_b],
    )[0]
    before = {
        "a": staged(warehouse, "stg_psa__tickets", "ticket_id = ?", [ticket_a])[0],
        "b": staged(warehouse, "stg_psa__tickets", "ticket_id = ?", [ticket_b])[0],
        "status_change": staged(
            warehouse,
            "stg_psa__ticket_status_changes",
            "ticket_id = ? and changed_at = ?",
            list(status_change),
        )[0],
    }
    csat_response = warehouse.query(
        "select * from staging.stg_surveys__csat_responses order by csat_response_id limit 1"
    )[0]
    high_water_marks = {
        model: warehouse.query(f"select max(_delivery_id) from staging.{model}")[0][0]
        for model in MODELS
    }
    row_counts = {
        model: warehouse.query(f"select count(*) from staging.{model}")[0][0] for model in MODELS
    }
    # the day's version of A must be the newer one
    a_updated_at = warehouse.query(
        "select updated_at from staging.stg_psa__tickets where ticket_id = ?", [ticket_a]
    )[0][0]
    assert a_updated_at < datetime(2026, 11, 1, 7, 0), a_updated_at

    newer_a = {
        **raw_ticket(warehouse, ticket_a),
        "status": "Closed",
        "tier": "2",
        "closed_at": "2026-11-01T07:00:00Z",
        "updated_at": "2026-11-01T07:00:00Z",
    }
    b_created_at = raw_ticket(warehouse, ticket_b)["created_at"]
    older_b = {
        **raw_ticket(warehouse, ticket_b),
        "status": "Stale version",
        "updated_at": b_created_at,
    }
    new_ticket = {
        "ticket_id": NEW_TICKET_ID,
        "client_id": newer_a["client_id"],
        "created_at": "2026-11-01T08:00:00Z",
        "priority": "p2",
        "ticket_type": "incident",
        "source": "email",
        "board": "Service Desk",
        "tier": "1",
        "status": "New",
        "reopened_count": "0",
        "is_proactive": "false",
        "updated_at": "2026-11-01T08:00:00Z",
    }
    write_delivery(warehouse.raw_dir, "psa/tickets", [newer_a, older_b, new_ticket])
    write_delivery(
        warehouse.raw_dir,
        "psa/ticket_status_changes",
        [
            {
                "ticket_id": ticket_a,
                "changed_at": "2026-11-01T07:00:00Z",
                "from_status": "Resolved",
                "to_status": "Closed",
                "sla_paused": "false",
            },
            {
                "ticket_id": status_change[0],
                "changed_at": iso(status_change[1]),
                "from_status": "New",
                "to_status": "Corrected status",
                "sla_paused": "true",
            },
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "psa/time_entries",
        [
            {
                "time_entry_id": NEW_TIME_ENTRY_ID,
                "ticket_id": ticket_a,
                "technician_id": "E0001",
                "started_at": "2026-11-01T06:00:00Z",
                "hours": "1.25",
                "billable": "true",
            }
        ],
    )
    write_delivery(
        warehouse.raw_dir,
        "surveys/csat_responses",
        [
            {  # the client changes its mind: the same response, another rating and comment
                "response_id": csat_response[0],
                "ticket_id": csat_response[1],
                "responded_at": iso(csat_response[4]),
                "rating": str(csat_response[2] % 5 + 1),
                "comment": "Corrected",
            },
            {
                "response_id": NEW_CSAT_RESPONSE_ID,
                "ticket_id": ticket_a,
                "responded_at": "2026-11-01T07:30:00Z",
                "rating": "5",
                "comment": "",
            },
        ],
    )
    results = ingest(warehouse.settings())
    loaded = {result.file: result for result in results if result.status == "loaded"}
    assert sorted(loaded) == [
        f"psa/ticket_status_changes/{DAY_FILE}",
        f"psa/tickets/{DAY_FILE}",
        f"psa/time_entries/{DAY_FILE}",
        f"surveys/csat_responses/{DAY_FILE}",
    ]
    assert all(result.rejected == 0 for result in loaded.values()), loaded
    day_deliveries = dict(
        warehouse.query(
            "select entity, delivery_id from raw._load_audit where file like ?", [f"%/{DAY_FILE}"]
        )
    )
    run_dbt(warehouse, "build", "--indirect-selection", "cautious")  # incremental, with its tests
    compiled = warehouse.root / "target/compiled/mspkpi/models/staging"
    compiled_sql = {
        model: (compiled / model.split("_")[1] / f"{model}.sql").read_text("utf-8")
        for model in MODELS
    }
    # Keep the incremental result aside, then rebuild the same raw rows from scratch in place (one
    # warehouse and one dbt target folder: dbt parses the project once for the whole module).
    con = duckdb.connect(str(warehouse.database))
    try:
        con.execute(f"create schema {INCREMENTAL_SCHEMA}")
        for model in MODELS:
            con.execute(f"create table {INCREMENTAL_SCHEMA}.{model} as from staging.{model}")
    finally:
        con.close()
    run_dbt(warehouse, "run", "--full-refresh")
    return Incremental(
        warehouse=warehouse,
        before=before,
        high_water_marks=high_water_marks,
        row_counts=row_counts,
        day_deliveries=day_deliveries,
        ticket_a=ticket_a,
        ticket_b=ticket_b,
        status_change_key=status_change,
        compiled_sql=compiled_sql,
        csat_response=csat_response,
    )


def test_the_models_are_tables(incremental):
    types = incremental.warehouse.query(
        "select table_name, table_type from information_schema.tables "
        "where table_schema = 'staging' and table_name like 'stg_%' order by 1"
    )
    tables = sorted(name for name, kind in types if kind == "BASE TABLE")
    assert tables == sorted(MODELS)


def test_the_incremental_run_reads_only_deliveries_after_the_high_water_mark(incremental):
    """The compiled SQL of the incremental run filters the raw rows on the previous maximum."""
    for model in MODELS:
        sql = incremental.compiled_sql[model]
        assert f"where _delivery_id > {incremental.high_water_marks[model]}\n" in sql, model


def test_a_newer_version_replaces_the_stored_ticket(incremental):
    """Ticket A's stored row with the day's values: status, tier, closed_at and updated_at from
    line 2 of the day's file; every other column as it was."""
    (row,) = staged(
        incremental.warehouse,
        "stg_psa__tickets",
        "ticket_id = ?",
        [incremental.ticket_a],
        INCREMENTAL_SCHEMA,
    )
    before = incremental.before["a"]
    columns = ticket_columns(incremental.warehouse)
    expected = dict(zip(columns, before, strict=True)) | {
        "tier": 2,
        "status": "Closed",
        "closed_at": datetime(2026, 11, 1, 7, 0),
        "updated_at": datetime(2026, 11, 1, 7, 0),
        "_source_file": f"psa/tickets/{DAY_FILE}",
        "_source_line": 2,
        "_delivery_id": incremental.day_deliveries["psa/tickets"],
    }
    actual = dict(zip(columns, row, strict=True))
    assert actual["_loaded_at"] > before[columns.index("_loaded_at")]
    del actual["_loaded_at"], expected["_loaded_at"]
    assert actual == expected


def test_a_late_older_version_does_not_win(incremental):
    """Ticket B's day row carries its creation time as updated_at, older than the stored one:
    the stored row stays, lineage included."""
    rows = staged(
        incremental.warehouse,
        "stg_psa__tickets",
        "ticket_id = ?",
        [incremental.ticket_b],
        INCREMENTAL_SCHEMA,
    )
    assert rows == [incremental.before["b"]]
    # ... although the older version was loaded into raw
    late = incremental.warehouse.query(
        "select status, _source_line from raw.psa__tickets "
        "where ticket_id = ? and _delivery_id = ?",
        [incremental.ticket_b, incremental.day_deliveries["psa/tickets"]],
    )
    assert late == [("Stale version", 3)]


def test_a_new_ticket_is_added(incremental):
    (row,) = staged(
        incremental.warehouse,
        "stg_psa__tickets",
        "ticket_id = ?",
        [NEW_TICKET_ID],
        INCREMENTAL_SCHEMA,
    )
    columns = ticket_columns(incremental.warehouse)
    actual = dict(zip(columns, row, strict=True))
    del actual["_loaded_at"]
    client_id = incremental.before["a"][columns.index("client_id")]
    assert actual == {
        "ticket_id": NEW_TICKET_ID,
        "client_id": client_id,
        "sla_policy_id": None,
        "endpoint_id": None,
        "assigned_technician_id": None,
        "priority": "p2",
        "ticket_type": "incident",
        "ticket_source": "email",
        "board": "Service Desk",
        "tier": 1,
        "status": "New",
        "reopened_count": 0,
        "is_proactive": False,
        "created_at": datetime(2026, 11, 1, 8, 0),
        "first_response_at": None,
        "escalated_at": None,
        "resolved_at": None,
        "closed_at": None,
        "updated_at": datetime(2026, 11, 1, 8, 0),
        "_source_file": f"psa/tickets/{DAY_FILE}",
        "_source_line": 4,
        "_delivery_id": incremental.day_deliveries["psa/tickets"],
    }


def test_new_and_corrected_status_changes(incremental):
    """A new change of ticket A is added; an existing change of ticket B (same key, no updated_at)
    re-delivered with another status is replaced by the later delivery, still once."""
    delivery = incremental.day_deliveries["psa/ticket_status_changes"]
    rows = incremental.warehouse.query(
        "select ticket_id, changed_at, from_status, to_status, is_sla_paused, _source_file, "
        "_source_line, _delivery_id "
        f"from {INCREMENTAL_SCHEMA}.stg_psa__ticket_status_changes "
        "where (ticket_id = ? and changed_at = ?) or (ticket_id = ? and changed_at = ?) "
        "order by ticket_id",
        [incremental.ticket_a, datetime(2026, 11, 1, 7, 0), *incremental.status_change_key],
    )
    day_file = f"psa/ticket_status_changes/{DAY_FILE}"
    new_change = (incremental.ticket_a, datetime(2026, 11, 1, 7, 0), "Resolved", "Closed", False)
    corrected = (*incremental.status_change_key, "New", "Corrected status", True)
    expected = [(*new_change, day_file, 2, delivery), (*corrected, day_file, 3, delivery)]
    assert rows == sorted(expected)
    assert incremental.before["status_change"][3] != "Corrected status"


def test_a_new_time_entry_is_added(incremental):
    rows = incremental.warehouse.query(
        "select time_entry_id, ticket_id, technician_id, worked_hours, is_billable, started_at, "
        "_source_file, _source_line, _delivery_id "
        f"from {INCREMENTAL_SCHEMA}.stg_psa__time_entries "
        "where time_entry_id = ?",
        [NEW_TIME_ENTRY_ID],
    )
    assert rows == [
        (
            NEW_TIME_ENTRY_ID,
            incremental.ticket_a,
            "E0001",
            1.25,
            True,
            datetime(2026, 11, 1, 6, 0),
            f"psa/time_entries/{DAY_FILE}",
            2,
            incremental.day_deliveries["psa/time_entries"],
        )
    ]


def test_a_corrected_and_a_new_csat_response(incremental):
    """The re-delivered response keeps its key and ticket and takes the day's rating (the stored
    one + 1, 5 wrapping to 1) and comment (line 2); the new one (line 3, empty comment = null)
    is added."""
    delivery = incremental.day_deliveries["surveys/csat_responses"]
    day_file = f"surveys/csat_responses/{DAY_FILE}"
    corrected_id, ticket_id, rating, _comment, responded_at = incremental.csat_response[:5]
    rows = incremental.warehouse.query(
        "select csat_response_id, ticket_id, rating, comment_text, responded_at, _source_file, "
        f"_source_line, _delivery_id from {INCREMENTAL_SCHEMA}.stg_surveys__csat_responses "
        "where csat_response_id in (?, ?) order by _source_line",
        [corrected_id, NEW_CSAT_RESPONSE_ID],
    )
    assert rows == [
        (corrected_id, ticket_id, rating % 5 + 1, "Corrected", responded_at, day_file, 2, delivery),
        (
            NEW_CSAT_RESPONSE_ID,
            incremental.ticket_a,
            5,
            None,
            datetime(2026, 11, 1, 7, 30),
            day_file,
            3,
            delivery,
        ),
    ]


def test_row_counts_grow_by_the_new_keys_only(incremental):
    """3 tickets delivered, 1 of them new; 2 status changes, 1 new; 1 new time entry; 2 CSAT
    responses, 1 new; no RMM alert or invoice line delivered."""
    counts = {
        model: incremental.warehouse.query(f"select count(*) from {INCREMENTAL_SCHEMA}.{model}")
        for model in MODELS
    }
    counts = {model: rows[0][0] for model, rows in counts.items()}
    assert {model: counts[model] - incremental.row_counts[model] for model in MODELS} == {
        "stg_psa__tickets": 1,
        "stg_psa__ticket_status_changes": 1,
        "stg_psa__time_entries": 1,
        "stg_psa__rmm_alerts": 0,
        "stg_psa__invoice_lines": 0,
        "stg_surveys__csat_responses": 1,
    }


def test_the_incremental_tables_equal_a_full_refresh(incremental):
    """The same raw rows rebuilt by `dbt run --full-refresh` give the same rows, both ways, for
    each of the six models (EXCEPT ALL: duplicates count too)."""
    differences = {}
    for model in MODELS:
        incremental_rows = f"select * from {INCREMENTAL_SCHEMA}.{model}"
        rebuilt_rows = f"select * from staging.{model}"
        differences[model] = tuple(
            incremental.warehouse.query(f"select count(*) from ({left} except all {right})")[0][0]
            for left, right in ((incremental_rows, rebuilt_rows), (rebuilt_rows, incremental_rows))
        )
    assert differences == {model: (0, 0) for model in MODELS}
    rebuilt_counts = {
        model: incremental.warehouse.query(f"select count(*) from staging.{model}")[0][0]
        for model in MODELS
    }
    assert all(count > 0 for count in rebuilt_counts.values()), rebuilt_counts


def ticket_columns(warehouse: Warehouse) -> list[str]:
    sql = (
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = 'stg_psa__tickets' order by ordinal_position"
    )
    return [name for (name,) in warehouse.query(sql, [INCREMENTAL_SCHEMA])]

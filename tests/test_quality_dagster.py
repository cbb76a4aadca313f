"""The quality suites as Dagster asset checks: a failing blocking raw check stops the dbt assets
downstream in the same run; once the row is fixed the same selection runs through."""

from __future__ import annotations

import json

import duckdb
from dagster import AssetKey, DagsterEventType

from orchestration.contract import load_contract
from orchestration.ingest import ensure_raw_schema, load_entity
from orchestration.sample import generate_sample

RAW = AssetKey(["raw", "surveys__csat_responses"])
STAGING = AssetKey(["staging", "stg_surveys__csat_responses"])


def _checks(result) -> dict[tuple[str, str], bool]:
    return {
        (e.asset_key.to_user_string(), e.check_name): e.passed
        for e in result.get_asset_check_evaluations()
    }


def _materialized(result) -> set[AssetKey]:
    return {e.asset_key for e in result.get_asset_materialization_events()}


def _started_steps(result) -> set[str]:
    return {e.step_key for e in result.all_events if e.event_type == DagsterEventType.STEP_START}


def test_a_blocking_raw_check_stops_the_dbt_assets_downstream(tmp_path, monkeypatch):
    raw_dir, database = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    generate_sample(raw_dir, clients=8, months=3, seed=7)
    monkeypatch.setenv("MSPKPI_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("MSPKPI_DUCKDB_PATH", str(database))
    monkeypatch.delenv("MSPKPI_QUALITY_DOCS_DIR", raising=False)
    entity = load_contract().entity("surveys/csat_responses")
    # the files are loaded before the run, then a row without a ticket is slipped in by hand:
    con = duckdb.connect(str(database))
    try:
        ensure_raw_schema(con)
        load_entity(con, raw_dir, entity, source_timezone="UTC")
        loaded = con.execute("select count(*) from raw.surveys__csat_responses").fetchone()[0]
        # ticket_id as if made required after rows were loaded without it: the table keeps it
        # nullable (schema.align_nullability), so only the blocking expectation catches the row
        con.execute("alter table raw.surveys__csat_responses alter column ticket_id drop not null")
        con.execute(
            "insert into raw.surveys__csat_responses (response_id, ticket_id, responded_at, "
            "rating) values ('HAND-3', null, timestamp '2026-10-02 10:00', 5)"
        )
    finally:
        con.close()
    from orchestration.definitions import defs

    job = defs.resolve_implicit_global_asset_job_def()
    blocked = job.execute_in_process(asset_selection=[RAW, STAGING], raise_on_error=False)

    assert not blocked.success
    checks = _checks(blocked)
    assert checks[(RAW.to_user_string(), "blocking_expectations")] is False
    assert checks[(RAW.to_user_string(), "warning_expectations")] is True
    assert checks[(RAW.to_user_string(), "source_freshness")] is True
    assert RAW in _materialized(blocked)
    assert STAGING not in _materialized(blocked)
    assert "mspkpi_dbt_assets" not in _started_steps(blocked)  # dbt never started

    con = duckdb.connect(str(database), read_only=True)
    try:
        row = con.execute(
            "select run_id, rows_checked, failing_rows_count, failing_keys_sample "
            "from quality.check_results where check_name = 'ticket_id_not_null'"
        ).fetchone()
    finally:
        con.close()
    # the run's checks saw every row of the (never checked) deliveries and the hand-made row
    assert row[0] == blocked.run_id
    assert loaded > 0
    assert (row[1], row[2]) == (loaded + 1, 1)
    assert json.loads(row[3]) == [
        {"response_id": "HAND-3", "_delivery_id": None, "_source_line": None}
    ]
    assert (database.parent / "quality" / "docs" / "index.html").is_file()

    con = duckdb.connect(str(database))
    try:
        con.execute("delete from raw.surveys__csat_responses where response_id = 'HAND-3'")
    finally:
        con.close()
    # only the model, not its dbt tests: they join to the tickets, which this warehouse lacks
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "empty")
    fixed = job.execute_in_process(asset_selection=[RAW, STAGING], raise_on_error=False)
    assert fixed.success
    assert _checks(fixed)[(RAW.to_user_string(), "blocking_expectations")] is True
    assert STAGING in _materialized(fixed)

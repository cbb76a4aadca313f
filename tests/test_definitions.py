"""The Dagster definitions load, and lineage runs raw -> staging -> marts."""

from __future__ import annotations

from dagster import AssetKey, Definitions

from orchestration.contract import load_contract


def test_definitions_load():
    from orchestration.definitions import defs

    Definitions.validate_loadable(defs)
    assert defs.resolve_job_def("daily_refresh") is not None
    assert defs.resolve_schedule_def("daily_refresh_schedule").cron_schedule
    assert defs.resolve_sensor_def("new_extract_files") is not None


def test_every_entity_has_an_ingest_asset_feeding_its_staging_model():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for entity in load_contract().entities:
        raw_key = AssetKey(["raw", entity.raw_table])
        assert graph.has(raw_key), raw_key
        children = {key.path[0] for key in graph.get(raw_key).child_keys}
        assert "staging" in children, f"{raw_key.to_user_string()} feeds no staging model"


def test_fct_tickets_descends_from_raw_tickets():
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    upstream = graph.get_ancestor_asset_keys(AssetKey(["marts", "fct_tickets"]))
    assert AssetKey(["raw", "psa__tickets"]) in upstream


def test_sensor_requests_the_entities_whose_files_changed(tmp_path, monkeypatch):
    from dagster import RunRequest, SkipReason, build_sensor_context

    from orchestration.defs.ingest.sensors import new_extract_files

    monkeypatch.setenv("MSPKPI_RAW_DIR", str(tmp_path))
    tickets = tmp_path / "psa" / "tickets"
    tickets.mkdir(parents=True)
    (tickets / "2026-11-01.csv").write_text("ticket_id\n")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "x").mkdir()
    (tmp_path / "notes" / "x" / "readme.csv").write_text("not an entity\n")

    first = new_extract_files(build_sensor_context())
    assert isinstance(first, RunRequest)
    assert first.asset_selection == [AssetKey(["raw", "psa__tickets"])]

    context = build_sensor_context(cursor=None)
    new_extract_files(context)
    assert isinstance(new_extract_files(build_sensor_context(cursor=context.cursor)), SkipReason)

    (tmp_path / "hr" / "employees").mkdir(parents=True)
    (tmp_path / "hr" / "employees" / "snapshot.csv").write_text("employee_id\n")
    again = new_extract_files(build_sensor_context(cursor=context.cursor))
    assert again.asset_selection == [AssetKey(["raw", "hr__employees"])]


def test_the_daily_job_runs_ingest_then_dbt_on_a_small_sample(tmp_path, monkeypatch):
    """The real job, in process: every ingest asset, then dbt build, into a throwaway warehouse."""
    import duckdb

    from orchestration.sample import generate_sample

    raw_dir, database = tmp_path / "raw", tmp_path / "warehouse.duckdb"
    generate_sample(raw_dir, clients=8, months=3, seed=7)
    monkeypatch.setenv("MSPKPI_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("MSPKPI_DUCKDB_PATH", str(database))
    from orchestration.definitions import defs

    job = defs.resolve_job_def("daily_refresh")
    result = job.execute_in_process()
    assert result.success
    con = duckdb.connect(str(database), read_only=True)
    try:
        staged = con.execute("select count(*) from staging.stg_psa__tickets").fetchone()[0]
        facts = con.execute("select count(*) from marts.fct_tickets").fetchone()[0]
        recorded = con.execute("select last_delivery_id from quality.build_state").fetchall()
        last = con.execute("select max(delivery_id) from raw._load_audit").fetchone()[0]
    finally:
        con.close()
    assert facts == staged > 0
    assert recorded == [(last,)]

    # the next day, nothing new delivered: dbt builds what reads the as-of time, and below it
    again = job.execute_in_process()
    assert again.success

    def built(run) -> set[str]:
        return {
            event.asset_key.path[-1]
            for event in run.get_asset_materialization_events()
            if event.asset_key.path[0] != "raw"
        }

    first, second = built(result), built(again)
    assert {"stg_hr__employees", "dim_employees", "fct_tickets", "kpi_client_scorecard"} <= first
    assert {"fct_tickets", "kpi_client_scorecard", "dim_date"} <= second
    assert not {"stg_hr__employees", "dim_employees", "stg_crm__leads"} & second

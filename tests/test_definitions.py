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

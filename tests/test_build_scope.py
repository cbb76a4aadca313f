"""A run builds what its deliveries and the as-of time reach (orchestration/build_scope.py).

The rules on a small hand-made manifest, then a run on a copy of the sample warehouse after one
new CRM lead and one more day: it leaves the HR, maturity and other untouched models out, and
every table it leaves equals what a build of everything writes from the same state."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from orchestration import build_scope, pipeline
from orchestration.build_scope import BuildScope
from orchestration.cli import main
from orchestration.pipeline import RunFailed
from orchestration.settings import PRODUCTION_BUILD_EXCLUDES
from tests.incremental_warehouse import Warehouse, write_delivery

# -- the rules, on a manifest small enough to work out by hand ---------------------------------


def _node(unique_id: str, *, parents=(), macros=(), code="select 1", **config) -> dict:
    kind, _, name = unique_id.split(".")
    return {
        "unique_id": unique_id,
        "name": name,
        "resource_type": kind,
        "schema": "marts",
        "alias": name,
        "raw_code": code,
        "checksum": {"checksum": str(hash(code))},
        "config": {"materialized": "table", **config},
        "depends_on": {"nodes": list(parents), "macros": list(macros)},
        "columns": {},
        "description": "",
    }


def _manifest() -> dict:
    """Two sources; `a` reads tickets, `b` reads leads, `c` reads `a` and `b`; `today` calls
    `months_until_now()`, a macro that calls `as_of_date()`; `orphan` reads leads only.
    `not_null_a` tests `a`; `rel_b_to_orphan` tests `b` against `orphan`."""
    nodes = [
        _node("model.mspkpi.a", parents=["source.mspkpi.psa.psa__tickets"]),
        _node("model.mspkpi.b", parents=["source.mspkpi.crm.crm__leads"]),
        _node("model.mspkpi.c", parents=["model.mspkpi.a", "model.mspkpi.b"]),
        _node("model.mspkpi.today", code="select {{ months_until_now() }}"),
        _node("model.mspkpi.orphan", parents=["source.mspkpi.crm.crm__leads"]),
        _node("test.mspkpi.not_null_a", parents=["model.mspkpi.a"]),
        _node("test.mspkpi.rel_b_to_orphan", parents=["model.mspkpi.b", "model.mspkpi.orphan"]),
    ]
    child_map: dict[str, list[str]] = {
        "source.mspkpi.psa.psa__tickets": [],
        "source.mspkpi.crm.crm__leads": [],
    }
    for node in nodes:
        child_map.setdefault(node["unique_id"], [])
        for parent in node["depends_on"]["nodes"]:
            child_map.setdefault(parent, []).append(node["unique_id"])
    macro = {
        "macro.mspkpi.as_of_date": {"name": "as_of_date", "macro_sql": "cast(x as date)"},
        "macro.mspkpi.months_until_now": {
            "name": "months_until_now",
            "macro_sql": "{% macro months_until_now() %}{{ as_of_date() }}{% endmacro %}",
        },
    }
    return {
        "metadata": {"dbt_version": "1.11.16", "adapter_type": "duckdb"},
        "nodes": {node["unique_id"]: node for node in nodes},
        "macros": {
            unique_id: {**value, "depends_on": {"macros": []}} for unique_id, value in macro.items()
        },
        "sources": {
            "source.mspkpi.psa.psa__tickets": {
                "name": "psa__tickets",
                "identifier": "psa__tickets",
                "schema": "raw",
            },
            "source.mspkpi.crm.crm__leads": {
                "name": "crm__leads",
                "identifier": "crm__leads",
                "schema": "raw",
            },
        },
        "child_map": child_map,
    }


def test_a_node_reads_the_as_of_time_through_a_chain_of_macros():
    assert build_scope.as_of_nodes(_manifest()) == {"model.mspkpi.today"}


def test_a_tickets_delivery_reaches_its_models_and_their_tests():
    manifest = _manifest()
    starts = build_scope.delivered_sources(manifest, ["psa/tickets"])
    reached = build_scope.downstream(manifest, starts | build_scope.as_of_nodes(manifest))
    assert build_scope.skipped_names(manifest, reached) == ("b", "orphan", "rel_b_to_orphan")


def test_a_test_reading_a_built_model_is_built():
    manifest = _manifest()
    reached = build_scope.downstream(manifest, {"model.mspkpi.b"})
    # rel_b_to_orphan reads b (built) and orphan (not built): it runs
    assert build_scope.skipped_names(manifest, reached) == ("a", "not_null_a", "orphan", "today")


def test_the_fingerprint_ignores_docs_and_follows_code_config_and_settings():
    manifest = _manifest()
    variables = {"MSPKPI_PII_SALT": ""}
    fingerprint = build_scope.project_fingerprint(manifest, variables)
    documented = copy.deepcopy(manifest)
    documented["nodes"]["model.mspkpi.a"]["description"] = "Tickets, now documented."
    # dbt adds the macros a node calls at run time to its depends_on: not a change of the project
    documented["nodes"]["model.mspkpi.a"]["depends_on"]["macros"].append("macro.dbt.is_incremental")
    assert build_scope.project_fingerprint(documented, variables) == fingerprint

    changed_code = copy.deepcopy(manifest)
    changed_code["macros"]["macro.mspkpi.as_of_date"]["macro_sql"] = "cast(y as date)"
    changed_config = copy.deepcopy(manifest)
    changed_config["nodes"]["model.mspkpi.c"]["config"]["materialized"] = "incremental"
    assert build_scope.project_fingerprint(changed_code, variables) != fingerprint
    assert build_scope.project_fingerprint(changed_config, variables) != fingerprint
    assert build_scope.project_fingerprint(manifest, {"MSPKPI_PII_SALT": "pepper"}) != fingerprint


def test_the_project_variables_are_those_dbt_project_yml_reads_but_the_as_of_time(monkeypatch):
    monkeypatch.setenv("MSPKPI_REPORTING_CURRENCY", "EUR")
    variables = build_scope.project_variables()
    assert "MSPKPI_AS_OF" not in variables
    assert variables["MSPKPI_REPORTING_CURRENCY"] == "EUR"
    assert {"MSPKPI_PII_SALT", "MSPKPI_ESCALATION_ALERT_RATE"} <= set(variables)


def test_everything_is_excluded_by_name_with_empty_indirect_selection():
    scope = BuildScope("r", 7, "f", 1, ("b", "orphan"))
    assert scope.dbt_args == ["--indirect-selection", "empty", "--exclude", "b orphan"]
    assert BuildScope("r", 7, "f", 1).dbt_args == []
    assert scope.describe() == (
        "building 5 of 7 dbt nodes: r; the other 2 read nothing new since the last build"
    )


def test_the_skipped_models_exclude_their_tests_with_cautious_selection():
    manifest = _manifest()
    # a tickets delivery skips b and orphan, and the test that reads only them
    assert build_scope.exclusion(manifest, ("b", "orphan", "rel_b_to_orphan")) == (
        "cautious",
        ("b", "orphan"),
    )
    scope = BuildScope(
        "r", 7, "f", 1, ("b", "orphan", "rel_b_to_orphan"), ("b", "orphan"), "cautious"
    )
    assert scope.dbt_args == ["--indirect-selection", "cautious", "--exclude", "b orphan"]


def test_a_skipped_test_of_a_source_is_excluded_by_name():
    manifest = copy.deepcopy(_manifest())
    test = _node("test.mspkpi.leads_not_empty", parents=["source.mspkpi.crm.crm__leads"])
    manifest["nodes"][test["unique_id"]] = test
    skipped = ("b", "leads_not_empty", "orphan", "rel_b_to_orphan")
    assert build_scope.exclusion(manifest, skipped) == (
        "cautious",
        ("b", "leads_not_empty", "orphan"),
    )


def test_a_built_test_of_a_skipped_model_keeps_the_exclusion_by_name():
    # not_null_a runs although a is skipped (a test that reads the as-of time): excluding a with
    # cautious selection would leave it out, so every skipped name is excluded as such
    assert build_scope.exclusion(_manifest(), ("a",)) == ("empty", ("a",))


def test_the_record_fingerprints_the_manifest_the_build_wrote(tmp_path):
    # the plan's manifest may be older than what dbt parsed for the build: the build's counts
    built = tmp_path / "manifest.json"
    built.write_text(json.dumps(_manifest()))
    settings = Warehouse(tmp_path, tmp_path / "warehouse.duckdb", tmp_path / "raw").settings()
    planned = BuildScope("r", 7, "the plan's fingerprint", 3)
    pipeline.record_passed_build(settings, planned, built_manifest=built, environment={})
    expected = build_scope.project_fingerprint(_manifest(), build_scope.project_variables({}))
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        recorded = con.execute(
            "select fingerprint, catalog_name, last_delivery_id from quality.build_state"
        ).fetchall()
    assert recorded == [(expected, "warehouse", 3)]


def test_a_record_of_another_shape_is_no_record(tmp_path):
    # a record an older version wrote: the run builds everything, then writes it anew
    with duckdb.connect(str(tmp_path / "warehouse.duckdb")) as con:
        con.execute("create schema quality")
        con.execute(
            "create table quality.build_state as select 'f' as fingerprint, "
            "cast(7 as bigint) as last_delivery_id, current_timestamp as built_at"
        )
        assert build_scope.read_last_build(con) is None
        build_scope.record_build(con, BuildScope("r", 7, "g", 9))
        assert build_scope.read_last_build(con) == build_scope.LastBuild("g", "warehouse", 9)


# -- a run on a copy of the sample -------------------------------------------------------------

NEXT_DAY = "2026-11-23T06:00:00"  # the sample's as-of time plus one day
NEW_LEAD = {
    "lead_id": "L009001",
    "created_at": "2026-11-22T09:30:00Z",
    "channel": "referral",
    "campaign_id": "",
    "company_name": "Brasserie des Lilas",
    "contact_email": "contact@brasserie-des-lilas.example",
    "updated_at": "2026-11-22T09:30:00Z",
}


def _tables(database: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_schema in ('staging', 'intermediate', 'marts', 'seeds') "
            "and table_type = 'BASE TABLE' order by 1, 2"
        ).fetchall()


@pytest.fixture(scope="module")
def day(built_sample, tmp_path_factory):
    """The sample warehouse after one more day with one new CRM lead, built twice from the same
    state: `scoped` as `mspkpi run` builds it, `everything` with no record of a last build."""
    root = tmp_path_factory.mktemp("build_scope")
    raw = root / "raw"
    shutil.copytree(built_sample.raw_dir, raw)
    # each copy keeps the file name, hence the catalog its views name (warehouse)
    scoped = Warehouse(root, root / "scoped" / "warehouse.duckdb", raw)
    scoped.database.parent.mkdir()
    shutil.copy(built_sample.database, scoped.database)
    write_delivery(raw, "crm/leads", "2026-11-22.csv", [NEW_LEAD])
    assert main(["ingest", "--raw-dir", str(raw), "--database", str(scoped.database)]) == 0
    everything = Warehouse(root, root / "everything" / "warehouse.duckdb", raw)
    everything.database.parent.mkdir()
    shutil.copy(scoped.database, everything.database)
    with duckdb.connect(str(everything.database)) as con:
        con.execute("drop table quality.build_state")

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MSPKPI_AS_OF", NEXT_DAY)
        plans = {
            name: pipeline.plan_build(warehouse.settings())
            for name, warehouse in (("scoped", scoped), ("everything", everything))
        }
        for warehouse in (scoped, everything):
            pipeline.build_models(warehouse.settings())
        after = pipeline.plan_build(scoped.settings())
    return {
        "scoped": scoped,
        "everything": everything,
        "plans": plans,
        "after": after,
        "before": built_sample,
    }


def test_the_run_builds_what_the_lead_and_the_day_reach(day):
    plan = day["plans"]["scoped"]
    assert plan.reason == "new deliveries of crm/leads, and the as-of time"
    skipped = set(plan.skipped)
    # HR and maturity read nothing new; the lead's staging and funnel, and the as-of marts, do
    assert {"stg_hr__employees", "dim_employees", "kpi_maturity_assessment"} <= skipped
    assert not {"stg_crm__leads", "int_funnel_events_unioned", "kpi_funnel_monthly"} & skipped
    assert not {"kpi_sla_compliance_monthly", "kpi_client_scorecard", "dim_date"} & skipped
    assert "unique_stg_crm__leads_lead_id" not in " ".join(skipped)
    assert day["plans"]["everything"].skipped == ()
    assert day["plans"]["everything"].reason == "no build of this warehouse has passed yet"


def test_the_short_exclusion_leaves_out_the_same_nodes_in_dbt(day):
    # dbt itself lists what the plan's arguments build and what the skipped names build
    plan = day["plans"]["scoped"]
    assert plan.indirect_selection == "cautious"
    assert len(plan.excluded) < len(plan.skipped) / 3

    def listed(arguments: list[str]) -> set[str]:
        command = [
            *pipeline.dbt_command(["ls", "--output", "json", "--output-keys", "unique_id"]),
            *PRODUCTION_BUILD_EXCLUDES,
            *arguments,
        ]
        environment = pipeline.dbt_environment(day["scoped"].settings())
        out = subprocess.run(command, env=environment, check=True, capture_output=True, text=True)
        return {line for line in out.stdout.splitlines() if line.startswith("{")}

    by_name = ["--indirect-selection", "empty", "--exclude", " ".join(plan.skipped)]
    built = listed(plan.dbt_args)
    assert built == listed(by_name)
    assert 0 < len(built) < plan.nodes


def test_the_new_lead_reaches_the_funnel(day):
    month = "select lead_count from marts.kpi_funnel_monthly where month_start_on = '2026-11-01' "
    month += "and channel = 'referral'"
    assert day["scoped"].query(month) == [(day["before"].query(month)[0][0] + 1,)]


def test_every_table_equals_a_build_of_everything(day):
    scoped, everything = day["scoped"], day["everything"]
    tables = _tables(scoped.database)
    assert tables == _tables(everything.database)
    assert len(tables) > 60
    with duckdb.connect(str(scoped.database), read_only=True) as con:
        con.execute(f"attach '{everything.database}' as everything (read_only)")
        for schema, name in tables:
            # a sum of doubles may differ in its last bits from one build to the next (DuckDB
            # adds in parallel): doubles are compared to 10 significant digits (9 decimals of
            # 1,484,143.1094777505 and ...498, an acquisition cost, still differed)
            columns = ", ".join(
                _significant(column) if data_type in ("DOUBLE", "FLOAT") else f'"{column}"'
                for column, data_type in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_catalog = current_database() and table_schema = ? "
                    "and table_name = ? order by ordinal_position",
                    [schema, name],
                ).fetchall()
            )
            a = f'select {columns} from "{schema}"."{name}"'
            b = f'select {columns} from everything."{schema}"."{name}"'
            differ = con.execute(
                f"select count(*) from (({a} except all {b}) union all ({b} except all {a}))"
            ).fetchone()[0]
            assert differ == 0, f"{schema}.{name}: {differ} rows differ from a full build"


def _significant(column: str, digits: int = 10) -> str:
    """SQL rounding a double column to `digits` significant digits (zero, null, inf and nan as
    they are)."""
    value = f'"{column}"'
    exponent = f"cast(floor(log10(abs({value}))) as integer)"
    return (
        f"case when {value} = 0 or not isfinite({value}) then {value} "
        f"else round({value}, {digits - 1} - {exponent}) end"
    )


def test_the_day_moved_what_the_as_of_time_reaches(day):
    # the equality above is no tautology: the as-of marts moved with the day
    sql = "select max(backlog_measured_at) from marts.kpi_sla_compliance_monthly"
    assert day["before"].query(sql) == [(datetime(2026, 11, 22, 6),)]
    assert day["scoped"].query(sql) == [(datetime(2026, 11, 23, 6),)]


def test_the_next_run_knows_the_lead_was_built(day):
    after = day["after"]
    assert after.reason == "no new delivery, and the as-of time"
    assert "stg_crm__leads" in after.skipped
    with duckdb.connect(str(day["scoped"].database), read_only=True) as con:
        recorded = con.execute("select last_delivery_id from quality.build_state").fetchall()
        last = con.execute("select max(delivery_id) from raw._load_audit").fetchone()[0]
    assert recorded == [(last,)]


def test_a_changed_setting_builds_everything(day, monkeypatch):
    monkeypatch.setenv("MSPKPI_AS_OF", NEXT_DAY)
    monkeypatch.setenv("MSPKPI_ESCALATION_ALERT_RATE", "0.25")
    plan = pipeline.plan_build(day["scoped"].settings())
    assert plan.skipped == ()
    assert plan.reason.startswith("the dbt project changed since the last build")


def test_a_renamed_warehouse_builds_everything(day, monkeypatch, tmp_path):
    monkeypatch.setenv("MSPKPI_AS_OF", NEXT_DAY)
    database = tmp_path / "renamed.duckdb"
    shutil.copy(day["scoped"].database, database)
    plan = pipeline.plan_build(Warehouse(tmp_path, database, day["scoped"].raw_dir).settings())
    assert plan.skipped == ()
    assert plan.reason == (
        "the warehouse file was renamed since the last build (warehouse to renamed): "
        "its views name the catalog"
    )


def test_a_failed_build_records_nothing(day, monkeypatch, tmp_path):
    database = tmp_path / "warehouse.duckdb"
    shutil.copy(day["scoped"].database, database)
    settings = Warehouse(tmp_path, database, day["scoped"].raw_dir).settings()
    monkeypatch.setattr(
        pipeline.subprocess, "run", lambda *a, **k: subprocess.CompletedProcess(a, 1)
    )
    with duckdb.connect(str(database)) as con:  # a delivery the failed build would have seen
        con.execute("update quality.build_state set last_delivery_id = last_delivery_id - 1")
        recorded = con.execute("select * from quality.build_state").fetchall()
    with pytest.raises(RunFailed, match="dbt build failed"):
        pipeline.build_models(settings)
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute("select * from quality.build_state").fetchall() == recorded

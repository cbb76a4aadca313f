"""The serving file: which marts it holds, what a SQL client sees in it, and how readers behave
when a publish replaces it (tests/test_serving_concurrency.py runs a publish under live readers)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.pipeline import RunFailed
from orchestration.serving import (
    STORAGE_VERSION,
    ServedModel,
    documented_marts,
    harlequin_command,
    plan_publish,
    publish,
    serving_path,
)

# --- a tiny warehouse, to test the mechanics in milliseconds -------------------------------------


def _model(name: str, columns: dict[str, str], description: str | None = None) -> dict:
    return {
        "resource_type": "model",
        "schema": "marts",
        "name": name,
        "alias": name,
        "config": {"materialized": "table"},
        "description": description if description is not None else f"One row per {name}.",
        "columns": {c: {"name": c, "description": d} for c, d in columns.items()},
    }


TINY_MANIFEST = {
    "nodes": {
        "model.mspkpi.kpi_a": _model("kpi_a", {"id": "The id.", "value": "It's a value."}),
        "model.mspkpi.kpi_b": _model("kpi_b", {"id": "The id."}),
        "model.mspkpi.stg_x": {**_model("stg_x", {"id": "x"}), "schema": "staging"},
    }
}


def _tiny_warehouse(path: Path, rows: int) -> Path:
    """marts.kpi_a with `rows` rows, marts.kpi_b with one, and marts.old_table (not in dbt)."""
    path.unlink(missing_ok=True)
    con = duckdb.connect(str(path))
    con.execute("create schema marts")
    con.execute(
        f"create table marts.kpi_a as select range as id, range * 2 as value from range({rows})"
    )
    con.execute("create table marts.kpi_b as select 1 as id")
    con.execute("create table marts.old_table as select 1 as id")
    con.close()
    return path


def _count(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from marts.kpi_a").fetchone()[0]


# --- what is served ------------------------------------------------------------------------------


def test_documented_marts_are_the_models_of_the_marts_schema():
    marts = documented_marts(TINY_MANIFEST)
    assert set(marts) == {"kpi_a", "kpi_b"}
    assert marts["kpi_a"].columns == {"id": "The id.", "value": "It's a value."}


def test_plan_serves_documented_tables_and_says_why_it_skips_the_others():
    documented = {
        **documented_marts(TINY_MANIFEST),
        "kpi_c": ServedModel("kpi_c", "One row per c.", {"id": ""}),
        "kpi_d": ServedModel("kpi_d", "", {"id": "The id."}),
        "kpi_e": ServedModel("kpi_e", "One row per e.", {"id": "The id."}),
    }
    tables = {
        "kpi_a": ["id", "value"],
        "kpi_b": ["id"],
        "kpi_c": ["id"],
        "kpi_d": ["id"],
        "old_table": ["id"],
    }
    served, skipped = plan_publish(tables, documented)
    assert [model.name for model in served] == ["kpi_a", "kpi_b"]
    assert skipped == {
        "kpi_c": "columns without a description in the yml: id",
        "kpi_d": "model kpi_d has no description in its yml",
        "kpi_e": "documented but not built in the warehouse (did its dbt build fail?)",
        "old_table": "not a model of the dbt manifest (left over from a renamed model?)",
    }


def test_the_serving_file_defaults_to_serving_duckdb_beside_the_warehouse(monkeypatch, tmp_path):
    monkeypatch.delenv("MSPKPI_SERVING_PATH", raising=False)
    assert serving_path(tmp_path / "w.duckdb") == tmp_path / "serving.duckdb"
    monkeypatch.setenv("MSPKPI_SERVING_PATH", str(tmp_path / "bi" / "kpis.duckdb"))
    assert serving_path(tmp_path / "w.duckdb") == tmp_path / "bi" / "kpis.duckdb"


def test_publish_refuses_a_file_named_like_the_schema_and_the_warehouse_itself(tmp_path):
    warehouse = _tiny_warehouse(tmp_path / "w.duckdb", 3)
    with pytest.raises(RunFailed, match="ambiguous"):
        publish(warehouse, tmp_path / "marts.duckdb", manifest=TINY_MANIFEST)
    with pytest.raises(RunFailed, match="is the warehouse itself"):
        publish(warehouse, warehouse, manifest=TINY_MANIFEST)
    with pytest.raises(RunFailed, match="no warehouse at"):
        publish(tmp_path / "missing.duckdb", tmp_path / "s.duckdb", manifest=TINY_MANIFEST)


def test_the_file_named_marts_duckdb_would_indeed_be_ambiguous(tmp_path):
    """Why publish refuses the name: DuckDB's own behaviour, checked so that the refusal (and its
    message) goes away the day DuckDB resolves `marts.<table>` in a file named marts.duckdb."""
    con = duckdb.connect(str(tmp_path / "marts.duckdb"))
    con.execute("create schema marts")
    con.execute("create table marts.marts.t as select 1 as id")
    assert con.execute("select count(*) from marts.marts.t").fetchone()[0] == 1
    with pytest.raises(duckdb.BinderException, match="Ambiguous reference"):
        con.execute("select * from marts.t")
    con.close()


def test_publish_copies_only_documented_marts_with_their_comments(tmp_path):
    warehouse = _tiny_warehouse(tmp_path / "w.duckdb", 3)
    result = publish(warehouse, tmp_path / "s.duckdb", manifest=TINY_MANIFEST)
    assert result.rows == {"kpi_a": 3, "kpi_b": 1}
    assert list(result.skipped) == ["old_table"]
    con = duckdb.connect(str(tmp_path / "s.duckdb"), read_only=True)
    tables = con.execute(
        "select table_schema, table_name, table_comment from information_schema.tables "
        "order by table_name"
    ).fetchall()
    assert tables == [
        ("marts", "kpi_a", "One row per kpi_a."),
        ("marts", "kpi_b", "One row per kpi_b."),
    ]
    comment = con.execute(
        "select column_comment from information_schema.columns "
        "where table_name = 'kpi_a' and column_name = 'value'"
    ).fetchone()[0]
    assert comment == "It's a value."  # the quote survives the COMMENT ON literal
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb", "w.duckdb"]  # no temp left


def test_a_refused_publish_leaves_the_served_file_untouched(tmp_path):
    """A writer holds the warehouse (another process): publish says so, and the previous serving
    file, with its previous data, stays in place; no temporary file is left behind."""
    warehouse = _tiny_warehouse(tmp_path / "w.duckdb", 3)
    serving = tmp_path / "s.duckdb"
    publish(warehouse, serving, manifest=TINY_MANIFEST)
    before = serving.stat().st_ino
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); print('ready', "
            "flush=True); time.sleep(60)",
            str(warehouse),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "ready"
        with pytest.raises(RunFailed, match="A process is writing it"):
            publish(warehouse, serving, manifest=TINY_MANIFEST)
    finally:
        writer.kill()
        writer.wait()
    assert serving.stat().st_ino == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.duckdb", "w.duckdb"]


# --- how readers see a publish -------------------------------------------------------------------


def _count_in_new_process(path: Path) -> int:
    code = (
        "import duckdb, sys; con = duckdb.connect(sys.argv[1], read_only=True); "
        "print(con.execute('select count(*) from marts.kpi_a').fetchone()[0])"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
    )
    return int(completed.stdout)


def test_a_reader_keeps_its_snapshot_and_a_reopening_reader_gets_the_new_run(tmp_path):
    """What docs/metabase.md promises, on DuckDB as installed: the swap replaces the file under an
    open reader, which keeps reading the previous run without error; another process opening the
    path reads the new run; in the reader's own process, a new connection joins the database
    instance DuckDB keeps for the path while any connection to it is open (the previous run), and
    gets the new run once every connection has been closed."""
    serving = tmp_path / "s.duckdb"
    publish(_tiny_warehouse(tmp_path / "w.duckdb", 10), serving, manifest=TINY_MANIFEST)
    held = duckdb.connect(str(serving), read_only=True)
    assert _count(held) == 10
    publish(_tiny_warehouse(tmp_path / "w.duckdb", 20), serving, manifest=TINY_MANIFEST)

    assert _count(held) == 10  # the old inode, still readable
    assert _count_in_new_process(serving) == 20
    second = duckdb.connect(str(serving), read_only=True)
    assert _count(second) == 10  # same process, instance still open: the previous run
    second.close()
    held.close()
    reopened = duckdb.connect(str(serving), read_only=True)
    assert _count(reopened) == 20
    reopened.close()


def test_the_serving_file_opens_in_duckdb_1_0_storage(tmp_path):
    serving = tmp_path / "s.duckdb"
    publish(_tiny_warehouse(tmp_path / "w.duckdb", 1), serving, manifest=TINY_MANIFEST)
    con = duckdb.connect(str(serving), read_only=True)
    tags = con.execute("select tags from duckdb_databases() where database_name = 's'").fetchone()[
        0
    ]
    con.close()
    assert tags["storage_version"].startswith(STORAGE_VERSION)


# --- the built sample ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def published(built_sample, dbt_manifest, tmp_path_factory):
    serving = tmp_path_factory.mktemp("serving") / "serving.duckdb"
    return publish(built_sample.database, serving, manifest=dbt_manifest)


def test_every_documented_mart_of_the_sample_is_served_with_its_rows(published, built_sample):
    warehouse_tables = {
        name
        for (name,) in built_sample.query(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        )
    }
    assert published.skipped == {}
    assert set(published.rows) == warehouse_tables
    for table, rows in published.rows.items():
        assert rows == built_sample.query(f'select count(*) from marts."{table}"')[0][0], table
    assert published.rows["dim_clients"] == 120  # the sample's 120 clients


def test_every_served_table_and_column_carries_its_dbt_description(published, dbt_manifest):
    documented = documented_marts(dbt_manifest)
    con = duckdb.connect(str(published.path), read_only=True)
    try:
        tables = dict(
            con.execute(
                "select table_name, table_comment from information_schema.tables "
                "where table_schema = 'marts'"
            ).fetchall()
        )
        columns = con.execute(
            "select table_name, column_name, column_comment from information_schema.columns "
            "where table_schema = 'marts'"
        ).fetchall()
        schemas = {
            name for (name,) in con.execute("select schema_name from duckdb_schemas()").fetchall()
        }
    finally:
        con.close()
    assert {name: documented[name].description for name in tables} == tables
    assert len(columns) > 300
    for table, column, comment in columns:
        assert comment == documented[table].columns[column], f"{table}.{column}"
    assert "staging" not in schemas and "raw" not in schemas


def test_mspkpi_run_publishes_beside_the_warehouse(built_sample, monkeypatch):
    """The sample's `mspkpi run` (conftest) ended with a publish to serving.duckdb beside it."""
    if os.environ.get("MSPKPI_SERVING_PATH"):
        pytest.skip("MSPKPI_SERVING_PATH moves the serving file of every run")
    serving = built_sample.database.with_name("serving.duckdb")
    con = duckdb.connect(str(serving), read_only=True)
    try:
        assert con.execute("select count(*) from marts.dim_clients").fetchone()[0] == 120
    finally:
        con.close()


def test_cli_publish_and_sql(built_sample, tmp_path, capsys):
    serving = tmp_path / "kpis.duckdb"
    assert (
        main(["publish", "--database", str(built_sample.database), "--serving", str(serving)]) == 0
    )
    assert f"serving file: {serving}" in capsys.readouterr().out
    sql = "select segment, count(*) as clients from marts.dim_clients group by 1 order by 1"
    assert main(["sql", "--serving", str(serving), "-c", sql, "--csv"]) == 0
    # the sample's segments: 6 enterprise, 45 mid-market, 69 small businesses (120 clients)
    assert capsys.readouterr().out == "segment,clients\nenterprise,6\nmid_market,45\nsmb,69\n"
    assert main(["sql", "--serving", str(serving), "-c", "select 42 as answer"]) == 0
    assert "answer" in capsys.readouterr().out
    assert main(["sql", "--serving", str(tmp_path / "none.duckdb")]) == 1
    assert "mspkpi publish" in capsys.readouterr().err


def test_sql_opens_harlequin_read_only(tmp_path):
    command = harlequin_command(tmp_path / "s.duckdb")
    assert Path(command[0]).name == "harlequin" and Path(command[0]).is_file()
    assert command[1:] == ["--read-only", str(tmp_path / "s.duckdb")]


def test_the_dagster_asset_publishes_after_the_marts(built_sample, tmp_path, monkeypatch):
    from dagster import AssetKey, materialize

    from orchestration.defs.resources import WarehouseResource
    from orchestration.defs.serving.assets import MART_ASSET_KEYS, serving_marts

    assert AssetKey(["marts", "fct_tickets"]) in MART_ASSET_KEYS
    assert set(serving_marts.asset_deps[AssetKey(["serving", "marts"])]) == set(MART_ASSET_KEYS)
    monkeypatch.setenv("MSPKPI_SERVING_PATH", str(tmp_path / "dagster.duckdb"))
    result = materialize(
        [serving_marts],
        resources={"warehouse": WarehouseResource(duckdb_path=str(built_sample.database))},
    )
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["rows"].value["dim_clients"] == 120
    con = duckdb.connect(str(tmp_path / "dagster.duckdb"), read_only=True)
    try:
        assert con.execute("select count(*) from marts.dim_clients").fetchone()[0] == 120
    finally:
        con.close()


def test_the_nightly_job_publishes():
    from dagster import AssetKey

    from orchestration.definitions import defs

    job = defs.resolve_job_def("daily_refresh")
    assert AssetKey(["serving", "marts"]) in job.asset_layer.executable_asset_keys

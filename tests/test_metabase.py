"""What Metabase and the docs site get from dbt: semantic types and keys, the push by dbt-metabase
(against a stand-in of the Metabase API serving the published sample), exposures, doc blocks."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import duckdb
import pytest

from orchestration.metabase import (
    FK_FIELD_KEY,
    FK_TABLE_KEY,
    SEMANTIC_KEY,
    dbt_metabase_command,
    main,
    semantic_type_for,
    served_model_names,
    with_metabase_meta,
)
from orchestration.serving import publish


@pytest.mark.parametrize(
    ("column", "semantic_type"),
    [
        ("mrr_amount", "type/Currency"),
        ("mrr_change_amount", "type/Currency"),
        ("sla_resolution_compliance_rate", "type/Percentage"),
        ("csat_rate_change", "type/Percentage"),
        ("tickets_created_count_previous", "type/Quantity"),
        ("average_headcount", "type/Quantity"),
        ("net_promoter_score", "type/Score"),
        ("mean_csat_rating", "type/Score"),
        ("created_at", "type/CreationTimestamp"),
        ("client_name", "type/Name"),
        ("stage_name_fr", "type/Name"),
        ("overall_stage_advice_en", "type/Description"),
        ("country_code", "type/Country"),
        ("segment", "type/Category"),
        ("benchmark_status", "type/Category"),
        ("termination_type", "type/Category"),
        ("satisfaction_band", "type/Category"),
        ("reporting_currency", "type/Category"),
        # not matched: a rate of exchange is not a percentage; durations, dates, flags and ids
        # keep Metabase's own guess
        ("rate_to_reporting", None),
        ("resolution_business_minutes", None),
        ("month_start_on", None),
        ("is_month_complete", None),
        ("employee_name_hash", None),
    ],
)
def test_semantic_type_by_column_name(column, semantic_type):
    assert semantic_type_for(column) == semantic_type


@pytest.fixture(scope="module")
def enriched(dbt_manifest):
    return with_metabase_meta(dbt_manifest)


def _columns(manifest, model):
    return manifest["nodes"][f"model.mspkpi.{model}"]["columns"]


def test_keys_come_from_unique_tests_and_entity_key_names(enriched, dbt_manifest):
    assert _columns(enriched, "dim_clients")["client_id"]["meta"][SEMANTIC_KEY] == "type/PK"
    assert _columns(enriched, "fct_tickets")["ticket_id"]["meta"][SEMANTIC_KEY] == "type/PK"
    client = _columns(enriched, "fct_tickets")["client_id"]["meta"]
    assert (client[FK_TABLE_KEY], client[FK_FIELD_KEY]) == ("marts.dim_clients", "client_id")
    sla = _columns(enriched, "kpi_sla_compliance_monthly")
    assert sla["client_id"]["meta"][FK_TABLE_KEY] == "marts.dim_clients"
    assert sla["sla_resolution_compliance_rate"]["meta"][SEMANTIC_KEY] == "type/Percentage"
    assert _columns(enriched, "kpi_mrr_monthly")["arpa_amount"]["meta"][SEMANTIC_KEY] == (
        "type/Currency"
    )
    # the input manifest is left as it was
    assert SEMANTIC_KEY not in _columns(dbt_manifest, "dim_clients")["client_id"].get("meta", {})


def test_a_type_set_in_the_yml_wins(dbt_manifest):
    manifest = json.loads(json.dumps(dbt_manifest))
    column = _columns(manifest, "kpi_mrr_monthly")["mrr_amount"]
    column["meta"] = {SEMANTIC_KEY: "type/Income"}
    assert _columns(with_metabase_meta(manifest), "kpi_mrr_monthly")["mrr_amount"]["meta"] == {
        SEMANTIC_KEY: "type/Income"
    }


def test_only_marts_are_pushed(enriched):
    served = served_model_names(enriched)
    assert "fct_tickets" in served and "kpi_mrr_monthly" in served
    assert not [name for name in served if not re.match(r"(dim|fct|kpi)_", name)]
    staging = enriched["nodes"]["model.mspkpi.stg_psa__tickets"]["columns"]
    assert all(SEMANTIC_KEY not in column.get("meta", {}) for column in staging.values())


def test_sync_without_url_or_key_says_what_to_set(monkeypatch, capsys):
    monkeypatch.delenv("MSPKPI_METABASE_URL", raising=False)
    monkeypatch.setenv("MSPKPI_METABASE_API_KEY", "mb_key")
    assert main([]) == 2
    error = capsys.readouterr().err
    assert "needs MSPKPI_METABASE_URL:" in error  # only the missing one is named as missing
    monkeypatch.delenv("MSPKPI_METABASE_API_KEY")
    assert main([]) == 2
    assert "MSPKPI_METABASE_URL and MSPKPI_METABASE_API_KEY" in capsys.readouterr().err


def test_the_api_key_never_appears_on_the_command_line(tmp_path):
    command = dbt_metabase_command(tmp_path / "m.json", "http://mb", "mspkpi", ["dim_clients"])
    assert not any(part.startswith("--metabase-api-key") for part in command)
    assert command[command.index("--include-schemas") + 1] == "marts"


# --- the push, against a stand-in of the Metabase API ---------------------------------------------


class FakeMetabase(ThreadingHTTPServer):
    """The five endpoints `dbt-metabase models` calls, answering with the tables and fields of the
    serving file the way Metabase's sync would list them (ids, names, no metadata yet), and
    recording every update. Requests without the API key are refused (401)."""

    API_KEY = "mb_test_key"

    def __init__(self, serving: Path):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.updates: list[tuple[str, dict]] = []
        self.unauthorised = 0
        self.tables: list[dict] = []
        self.field_ids: dict[tuple[str, str], int] = {}
        con = duckdb.connect(str(serving), read_only=True)
        try:
            rows = con.execute(
                "select table_name, column_name from information_schema.columns "
                "where table_schema = 'marts' order by table_name, ordinal_position"
            ).fetchall()
        finally:
            con.close()
        by_table: dict[str, list[str]] = {}
        for table, column in rows:
            by_table.setdefault(table, []).append(column)
        for table_id, (table, columns) in enumerate(sorted(by_table.items()), start=1):
            fields = []
            for column in columns:
                field_id = len(self.field_ids) + 1
                self.field_ids[(table, column)] = field_id
                fields.append(
                    {
                        "id": field_id,
                        "name": column,
                        "display_name": column.replace("_", " ").title(),
                        "description": None,
                        "semantic_type": None,
                        "fk_target_field_id": None,
                        "visibility_type": "normal",
                        "settings": None,
                    }
                )
            self.tables.append(
                {
                    "id": table_id,
                    "schema": "marts",
                    "name": table,
                    "display_name": table.replace("_", " ").title(),
                    "description": None,
                    "visibility_type": None,
                    "field_order": "database",
                    "fields": fields,
                }
            )


class _Handler(BaseHTTPRequestHandler):
    server: FakeMetabase

    def log_message(self, *args):  # keep pytest's output clean
        pass

    def _reply(self, body, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _authorised(self) -> bool:
        if self.headers.get("X-API-KEY") == FakeMetabase.API_KEY:
            return True
        self.server.unauthorised += 1
        self._reply({"message": "Unauthenticated"}, 401)
        return False

    def do_GET(self):
        if not self._authorised():
            return
        if self.path == "/api/database":
            self._reply({"data": [{"id": 1, "name": "mspkpi", "engine": "duckdb"}], "total": 1})
        elif self.path.startswith("/api/database/1/metadata"):
            tables = self.server.tables
            self._reply({"id": 1, "name": "mspkpi", "engine": "duckdb", "tables": tables})
        else:
            self._reply({"message": "not found"}, 404)

    def do_POST(self):
        if self._authorised():
            self._reply({"status": "ok"})

    def do_PUT(self):
        if not self._authorised():
            return
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.updates.append((self.path, body))
        self._reply([] if self.path.endswith("/fields/order") else {"id": 1})


@pytest.fixture(scope="module")
def fake_metabase(built_sample, dbt_manifest, tmp_path_factory):
    serving = tmp_path_factory.mktemp("metabase") / "serving.duckdb"
    publish(built_sample.database, serving, manifest=dbt_manifest)
    server = FakeMetabase(serving)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_make_metabase_sync_pushes_descriptions_types_and_keys(
    fake_metabase, dbt_manifest, tmp_path, monkeypatch, capsys
):
    """The command line `make metabase-sync` runs (orchestration.metabase, then the dbt-metabase
    CLI), against the stand-in: every served table gets its dbt description, and its fields their
    description, semantic type and foreign-key target."""
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps(dbt_manifest), encoding="utf-8")
    monkeypatch.setenv("MSPKPI_METABASE_URL", f"http://127.0.0.1:{fake_metabase.server_port}")
    monkeypatch.setenv("MSPKPI_METABASE_API_KEY", FakeMetabase.API_KEY)
    monkeypatch.setenv("MSPKPI_METABASE_DATABASE", "mspkpi")
    assert main(["--manifest", str(manifest), "--output", str(tmp_path / "mb.json")]) == 0
    assert fake_metabase.unauthorised == 0

    tables = {table["id"]: table["name"] for table in fake_metabase.tables}
    fields = {field_id: key for key, field_id in fake_metabase.field_ids.items()}
    table_updates = {
        tables[int(path.rsplit("/", 1)[1])]: body
        for path, body in fake_metabase.updates
        if re.fullmatch(r"/api/table/\d+", path)
    }
    field_updates = {
        fields[int(path.rsplit("/", 1)[1])]: body
        for path, body in fake_metabase.updates
        if path.startswith("/api/field/")
    }
    documented = {
        node["name"]: node for node in dbt_manifest["nodes"].values() if node["schema"] == "marts"
    }
    assert set(table_updates) == set(tables.values())  # every served mart described
    for table, body in table_updates.items():
        assert body["description"] == documented[table]["description"], table
    every_field = set(fake_metabase.field_ids)
    assert set(field_updates) == every_field
    for (table, column), body in field_updates.items():
        assert body["description"] == documented[table]["columns"][column]["description"]

    assert field_updates[("kpi_mrr_monthly", "mrr_amount")]["semantic_type"] == "type/Currency"
    assert field_updates[("kpi_churn_monthly", "client_churn_rate")]["semantic_type"] == (
        "type/Percentage"
    )
    assert field_updates[("dim_clients", "client_id")]["semantic_type"] == "type/PK"
    foreign = field_updates[("fct_tickets", "client_id")]
    assert foreign["semantic_type"] == "type/FK"
    assert foreign["fk_target_field_id"] == fake_metabase.field_ids[("dim_clients", "client_id")]


# --- exposures and the docs site ------------------------------------------------------------------


def test_the_proposed_dashboards_are_exposures_fed_by_served_marts(dbt_manifest):
    exposures = {e["name"]: e for e in dbt_manifest["exposures"].values()}
    assert set(exposures) == {"owner_scorecard", "service_desk", "client_qbr", "growth", "people"}
    served = set(served_model_names(dbt_manifest))
    for name, exposure in exposures.items():
        assert exposure["type"] == "dashboard" and exposure["owner"]["name"], name
        parents = {node.split(".")[-1] for node in exposure["depends_on"]["nodes"]}
        assert parents and parents <= served, f"{name} depends on {parents - served}"
    docs = Path(__file__).resolve().parents[1] / "docs" / "metabase.md"
    text = docs.read_text(encoding="utf-8")
    for name in exposures:
        assert f"(`{name}`)" in text, f"docs/metabase.md does not propose {name}"


def test_every_mart_is_defined_by_a_doc_block(dbt_manifest):
    """A KPI's definition is written once, in a doc block, and reused by its mart's description
    (which the docs site, the serving file's comments and Metabase all show)."""
    blocks = [
        block["block_contents"].strip()
        for block in dbt_manifest["docs"].values()
        if block["package_name"] == "mspkpi"
    ]
    without = [
        node["name"]
        for node in dbt_manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["schema"] == "marts"
        and not any(block and block in node["description"] for block in blocks)
    ]
    assert without == []

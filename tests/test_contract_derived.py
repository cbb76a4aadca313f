"""The files derived from the extract contract are committed; they must match what it renders."""

from __future__ import annotations

from pathlib import Path

import yaml

from orchestration.contract import load_contract
from orchestration.contract.render import (
    check_derived_files,
    derived_files,
    render_extracts_doc,
    sources_document,
    write_derived_files,
)

ROOT = Path(__file__).resolve().parents[1]


def test_committed_derived_files_match_the_contract():
    stale = check_derived_files(ROOT)
    assert stale == [], (
        f"stale files derived from orchestration/contract/extracts.yml: {stale}; "
        "run `mspkpi contract --write` and commit the result"
    )


def test_write_then_check_round_trips(tmp_path):
    written = write_derived_files(tmp_path)
    assert sorted(written) == sorted(tmp_path / path for path in derived_files())
    assert check_derived_files(tmp_path) == []
    assert write_derived_files(tmp_path) == []  # nothing left to write

    doc = tmp_path / "docs/extracts.md"
    doc.write_text(doc.read_text(encoding="utf-8") + "edited by hand\n", encoding="utf-8")
    assert check_derived_files(tmp_path) == ["docs/extracts.md"]


def test_every_entity_is_a_source_table_with_every_column_described():
    contract = load_contract()
    for system in contract.systems:
        document = yaml.safe_load(yaml.safe_dump(sources_document(contract, system)))
        (source,) = document["sources"]
        assert source["schema"] == "raw"
        assert source["config"]["loaded_at_field"] == "_loaded_at"
        assert source["config"]["freshness"]["error_after"] == {"count": 7, "period": "day"}
        tables = {table["name"]: table for table in source["tables"]}
        for entity in (e for e in contract.entities if e.system == system):
            table = tables.pop(entity.raw_table)
            columns = {column["name"]: column for column in table["columns"]}
            for column in entity.columns:
                spec = columns[column.name]
                assert spec["description"].startswith(column.description.rstrip("."))
                assert ("Required (NOT NULL)." in spec["description"]) == column.required
                assert "data_tests" not in spec  # NOT NULL in the raw table, not a test
            assert {"_source_file", "_source_line", "_loaded_at", "_delivery_id"} <= set(columns)
        assert tables == {}


def test_the_user_doc_lists_every_entity_and_column():
    contract = load_contract()
    doc = render_extracts_doc(contract)
    for entity in contract.entities:
        assert f"### `{entity.key}`" in doc
        for column in entity.columns:
            assert f"| `{column.name}` | {column.type} |" in doc
        for value in (v for c in entity.columns for v in c.values):
            assert f"`{value}`" in doc

"""The project conventions dbt-bouncer cannot express (dbt-bouncer.yml holds the others).

Reads the manifest of a fresh `dbt parse` (no database needed) written to a temporary target path,
so that a stale target/ never hides a violation.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

GRAIN = "One row per"
LAYER_PREFIXES = {"staging": "stg_", "intermediate": "int_", "marts": ("fct_", "dim_", "kpi_")}


@pytest.fixture(scope="module")
def manifest(dbt_manifest: dict[str, Any]) -> dict[str, Any]:
    """The session's fresh `dbt parse` manifest (tests/conftest.py)."""
    return dbt_manifest


def _project_nodes(manifest: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == resource_type and node["package_name"] == "mspkpi"
    ]


def _tests_by_model(manifest: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    tests: dict[str, list[dict[str, Any]]] = {}
    for node in _project_nodes(manifest, "test"):
        attached = node.get("attached_node")
        if attached and node.get("test_metadata"):
            tests.setdefault(attached, []).append(node)
    return tests


def test_every_model_and_seed_description_starts_with_its_grain(manifest):
    offenders = [
        f"{node['original_file_path']}: {node['description'][:60]!r}"
        for kind in ("model", "seed")
        for node in _project_nodes(manifest, kind)
        if not node["description"].strip().startswith(GRAIN)
    ]
    assert offenders == [], f'descriptions must start with "{GRAIN} ...":\n' + "\n".join(offenders)


def test_model_names_match_their_folder(manifest):
    offenders = []
    for node in _project_nodes(manifest, "model"):
        parts = Path(node["original_file_path"]).parts  # models/<layer>/<folder>/<file>
        layer = parts[1] if len(parts) > 2 else ""
        if layer == "staging":
            expected = f"stg_{parts[2]}__" if len(parts) == 4 else None
            if expected is None or not node["name"].startswith(expected):
                offenders.append(
                    f"{node['original_file_path']}: expected models/staging/<system>/"
                    f"stg_<system>__<entity>s.sql"
                )
        elif layer in LAYER_PREFIXES:
            if not node["name"].startswith(LAYER_PREFIXES[layer]):
                offenders.append(f"{node['original_file_path']}: expected {LAYER_PREFIXES[layer]}")
        else:
            offenders.append(f"{node['original_file_path']}: not under staging/intermediate/marts")
    assert offenders == [], "\n".join(offenders)


def test_staging_models_are_declared_in_their_system_yml(manifest):
    offenders = []
    for node in _project_nodes(manifest, "model"):
        parts = Path(node["original_file_path"]).parts
        if parts[1] != "staging" or len(parts) != 4:
            continue
        expected = f"models/staging/{parts[2]}/_{parts[2]}__models.yml"
        declared = (node.get("patch_path") or "").split("://", 1)[-1]
        if declared != expected:
            offenders.append(f"{node['name']}: declared in {declared or 'no yml'}, not {expected}")
    assert offenders == [], "\n".join(offenders)


def test_sources_are_declared_in_the_folder_of_their_system(manifest):
    offenders = [
        f"{source['source_name']}.{source['name']}: {source['original_file_path']}"
        for source in manifest["sources"].values()
        if source["package_name"] == "mspkpi"
        and source["original_file_path"]
        != f"models/staging/{source['source_name']}/_{source['source_name']}__sources.yml"
    ]
    assert offenders == [], "a source yml lives in models/staging/<system>/:\n" + "\n".join(
        offenders
    )


def test_every_source_has_freshness_on_the_load_time(manifest):
    offenders = [
        f"{source['source_name']}.{source['name']}"
        for source in manifest["sources"].values()
        if source["package_name"] == "mspkpi"
        and (
            source["loaded_at_field"] != "_loaded_at"
            or not (source.get("freshness") or {}).get("error_after", {}).get("count")
        )
    ]
    assert offenders == [], offenders


def _test_names_by_column(tests: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Column name ("" for a model-level test) -> the names of the generic tests on it."""
    by_column: dict[str, set[str]] = {}
    for test in tests:
        by_column.setdefault(test.get("column_name") or "", set()).add(
            test["test_metadata"]["name"]
        )
    return by_column


def test_a_unique_key_is_also_not_null(manifest):
    """The primary-key pair: a column tested `unique` is tested `not_null` too."""
    offenders = []
    for model, tests in _tests_by_model(manifest).items():
        if not model.startswith(("model.", "seed.")):
            continue
        by_column = _test_names_by_column(tests)
        offenders += [
            f"{model}.{column}"
            for column, names in by_column.items()
            if "unique" in names and "not_null" not in names
        ]
    assert offenders == [], "unique without not_null:\n" + "\n".join(sorted(offenders))


def test_a_mart_states_not_null_in_its_contract(manifest):
    """A mart column that is never null says so as a constraint of the enforced contract, which
    the engine checks while it writes the table; a `not_null` data test (one more query per
    column and build) stays only on a primary key, beside its `unique` test."""
    offenders = []
    for model, tests in _tests_by_model(manifest).items():
        node = manifest["nodes"].get(model, {})
        if node.get("resource_type") != "model" or node["fqn"][1:2] != ["marts"]:
            continue
        by_column = _test_names_by_column(tests)
        offenders += [
            f"{model}.{column}"
            for column, names in by_column.items()
            if "not_null" in names and "unique" not in names
        ]
    assert offenders == [], "not_null test instead of a constraint:\n" + "\n".join(offenders)
    marts = [node for node in _project_nodes(manifest, "model") if node["fqn"][1] == "marts"]
    constrained = [
        (node["name"], column["name"])
        for node in marts
        for column in node["columns"].values()
        if any(constraint["type"] == "not_null" for constraint in column["constraints"])
    ]
    assert len(constrained) > 300
    assert all(node["contract"]["enforced"] for node in marts)


def test_every_model_and_seed_tests_its_grain(manifest):
    """dbt-bouncer checks models; seeds are lookups whose key must be unique too."""
    tests = _tests_by_model(manifest)
    grain_tests = {"unique", "unique_combination_of_columns"}
    offenders = [
        node["unique_id"]
        for kind in ("model", "seed")
        for node in _project_nodes(manifest, kind)
        if not grain_tests & {t["test_metadata"]["name"] for t in tests.get(node["unique_id"], [])}
    ]
    assert offenders == [], offenders


# The suffix conventions, checked where types are declared (marts enforce their contract).
SUFFIX_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("boolean", re.compile(r"^(is|has)_"), "is_/has_ prefix"),
    ("date", re.compile(r"(_on|^date_day)$"), "_on suffix"),
    ("timestamp", re.compile(r"_at$"), "_at suffix"),
)


def test_mart_column_names_follow_the_suffix_conventions(manifest):
    offenders = []
    for node in _project_nodes(manifest, "model"):
        if not node["original_file_path"].startswith("models/marts/"):
            continue
        for column in node["columns"].values():
            data_type = (column.get("data_type") or "").lower()
            for type_name, pattern, rule in SUFFIX_RULES:
                if data_type == type_name and not pattern.search(column["name"]):
                    offenders.append(f"{node['name']}.{column['name']} ({data_type}): {rule}")
                if data_type != type_name and pattern.search(column["name"]):
                    offenders.append(f"{node['name']}.{column['name']} is not a {type_name}")
    assert offenders == [], "\n".join(offenders)


def test_no_personal_column_is_exposed_by_a_model(manifest):
    """PII columns of the contract are hashed in staging: no model declares their raw names."""
    from orchestration.contract import load_contract

    personal = {c.name for e in load_contract().entities for c in e.columns if c.pii}
    offenders = [
        f"{node['name']}.{column}"
        for node in _project_nodes(manifest, "model")
        for column in node["columns"]
        if column in personal
    ]
    assert offenders == [], offenders

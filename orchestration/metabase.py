"""`make metabase-sync`: push the marts' descriptions and semantic types to a Metabase instance.

The push itself is dbt-metabase's `models` command, which reads a dbt manifest and updates the
tables and fields of one Metabase database through its API. What this module adds:

- semantic types set once, by column name, instead of a `meta` block on each of the marts' ~600
  columns: a rate is a Percentage, an amount a Currency, a count a Quantity ... (rules below). A
  column that sets `meta: {metabase.semantic_type: ...}` in its yml keeps its own.
- keys: a column with a single-column `unique` test is its table's entity key (type/PK); a column
  named like the entity key of a dimension or fact (`client_id` -> `dim_clients.client_id`) is a
  foreign key to it, so Metabase joins KPI marts to `dim_clients` without a relationships test on
  every mart. (dbt-metabase reads `relationships` tests itself, and they take precedence.)
- only the served marts: the models of the marts schema documented down to every column, the same
  selection as the serving file, so that Metabase shows exactly what `mspkpi publish` copies.

The manifest with those additions is written to `manifest.metabase.json` in dbt's target folder
(DBT_TARGET_PATH, else target/) and handed to `dbt-metabase models`; the API key travels in the
environment (METABASE_API_KEY), never on the command line.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from orchestration.pipeline import MART_SCHEMA, dbt_command
from orchestration.serving import documented_marts
from orchestration.settings import env, manifest_path

SEMANTIC_KEY = "metabase.semantic_type"
FK_TABLE_KEY = "metabase.fk_target_table"
FK_FIELD_KEY = "metabase.fk_target_field"

# First match wins. Suffixes follow the column conventions of CONVENTIONS.md; `_change` and
# `_previous` columns are of the same kind as the figure they compare.
SEMANTIC_TYPE_RULES: tuple[tuple[str, str], ...] = (
    (r"_amount(_change|_previous)?$", "type/Currency"),
    # rates are fractions in [0, 1]: Metabase shows type/Percentage 0.75 as 75 %
    (r"_rate(_change|_previous)?$", "type/Percentage"),
    (r"_count(_change|_previous)?$|(^|_)headcount$", "type/Quantity"),
    (r"_score$|^mean_\w+_(rating|score)$", "type/Score"),
    (r"^created_at$", "type/CreationTimestamp"),
    (r"^created_on$", "type/CreationDate"),
    (r"_name(_en|_fr)?$", "type/Name"),
    (r"_advice(_en|_fr)?$", "type/Description"),
    (r"^country_code$", "type/Country"),
    (
        r"^(segment|industry|priority|tier|channel|board|department|topic|status|currency"
        r"|language_code|period_type|survey_type)$|_(status|type|category|band|currency|source)$",
        "type/Category",
    ),
)


def default_output() -> Path:
    """manifest.metabase.json in dbt's target folder (DBT_TARGET_PATH, else target/)."""
    return manifest_path().with_name("manifest.metabase.json")


# Preferred target when several served models have an entity key of the same name.
_FK_TARGET_PREFIXES = ("dim_", "fct_", "kpi_")


class MetabaseSyncError(RuntimeError):
    """The sync cannot run; the message says what is missing and where to set it."""


def semantic_type_for(column: str) -> str | None:
    """The Metabase semantic type a column's name implies, or None (Metabase's own guess)."""
    for pattern, semantic_type in SEMANTIC_TYPE_RULES:
        if re.search(pattern, column):
            return semantic_type
    return None


def primary_keys(manifest: Mapping[str, Any]) -> dict[str, str]:
    """unique_id of a model -> its entity key: the column of a single-column `unique` test."""
    keys: dict[str, str] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        column = node.get("column_name")
        attached = node.get("attached_node")
        is_unique_test = node["resource_type"] == "test" and metadata.get("name") == "unique"
        if is_unique_test and column and attached:
            keys.setdefault(attached, column)
    return keys


def _foreign_key_targets(
    manifest: Mapping[str, Any], served: Sequence[str], keys: Mapping[str, str]
) -> dict[str, str]:
    """Entity-key column name -> the served model it identifies (dim_ before fct_ before kpi_)."""
    targets: dict[str, str] = {}
    candidates = sorted(
        (node["name"], keys[unique_id])
        for unique_id, node in manifest["nodes"].items()
        if unique_id in keys and node["name"] in served and keys[unique_id].endswith("_id")
    )
    for prefix in _FK_TARGET_PREFIXES:
        for model, column in candidates:
            if model.startswith(prefix):
                targets.setdefault(column, model)
    return targets


def served_model_names(manifest: Mapping[str, Any]) -> list[str]:
    """The marts a BI tool sees: documented, and every column documented (as in serving.py)."""
    return sorted(
        name
        for name, model in documented_marts(manifest).items()
        if model.description and model.columns and all(model.columns.values())
    )


def with_metabase_meta(manifest: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of the manifest whose served marts' columns carry semantic types and keys."""
    result = copy.deepcopy(dict(manifest))
    served = served_model_names(result)
    keys = primary_keys(result)
    fk_targets = _foreign_key_targets(result, served, keys)
    for unique_id, node in result["nodes"].items():
        if node["resource_type"] != "model" or node["name"] not in served:
            continue
        own_key = keys.get(unique_id)
        for name, column in node.get("columns", {}).items():
            meta = column.setdefault("meta", {})
            if SEMANTIC_KEY in meta or FK_TABLE_KEY in meta:
                continue  # set by hand in the yml
            target = fk_targets.get(name)
            if name == own_key:
                meta[SEMANTIC_KEY] = "type/PK"
            elif target and target != node["name"]:
                meta[FK_TABLE_KEY] = f"{MART_SCHEMA}.{target}"
                meta[FK_FIELD_KEY] = name
            elif semantic_type := semantic_type_for(name):
                meta[SEMANTIC_KEY] = semantic_type
    return result


def settings_from_env() -> tuple[str, str, str]:
    """URL, API key and database name, or an error naming every variable that is missing."""
    url, key = env("MSPKPI_METABASE_URL"), env("MSPKPI_METABASE_API_KEY")
    missing = [
        name
        for name, value in (("MSPKPI_METABASE_URL", url), ("MSPKPI_METABASE_API_KEY", key))
        if not value
    ]
    if missing:
        raise MetabaseSyncError(
            f"make metabase-sync needs {' and '.join(missing)}: the address of your Metabase "
            "(e.g. http://localhost:3000) and an API key with admin rights (Metabase: Admin > "
            "Settings > Authentication > API keys). Export them, or pass them to make: "
            "`make metabase-sync MSPKPI_METABASE_URL=... MSPKPI_METABASE_API_KEY=...`; "
            "docs/metabase.md walks through it."
        )
    return url, key, env("MSPKPI_METABASE_DATABASE")


def dbt_metabase_command(manifest_path: Path, url: str, database: str, models: Sequence[str]):
    """The `dbt-metabase models` command line (the API key is passed in the environment)."""
    return [
        str(Path(sys.executable).with_name("dbt-metabase")),
        "models",
        "--manifest-path",
        str(manifest_path),
        "--metabase-url",
        url,
        "--metabase-database",
        database,
        "--include-schemas",
        MART_SCHEMA,
        "--include-models",
        ",".join(models),
        "--skip-sources",
        "--order-fields",
    ]


def parse_manifest(target: Path) -> Path:
    """A fresh `dbt parse` into `target` (no database needed), so that descriptions are current."""
    completed = subprocess.run(
        dbt_command(["parse", "--quiet", "--target-path", str(target)]),
        env={
            **os.environ,
            "DO_NOT_TRACK": "1",
            "MSPKPI_DUCKDB_PATH": str(target / "parse.duckdb"),
        },
        check=False,
    )
    if completed.returncode != 0:
        raise MetabaseSyncError("dbt parse failed (see above): fix the project, then sync again.")
    return target / "manifest.json"


def sync(manifest_path: Path, output: Path, *, dry_run: bool = False) -> int:
    """Write the manifest with Metabase meta to `output`, then run dbt-metabase on it."""
    if dry_run:
        url, key, database = "", "", env("MSPKPI_METABASE_DATABASE")
    else:
        url, key, database = settings_from_env()
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    enriched = with_metabase_meta(manifest)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(enriched), encoding="utf-8")
    models = served_model_names(enriched)
    print(f"{len(models)} marts, semantic types and keys in {output}")
    if dry_run:
        return 0
    command = dbt_metabase_command(output, url, database, models)
    print(f"pushing to {url} (Metabase database '{database}')", flush=True)
    completed = subprocess.run(command, env={**os.environ, "METABASE_API_KEY": key}, check=False)
    if completed.returncode != 0:
        print(
            "dbt-metabase failed (see above). 'Connection refused' or a timeout: check "
            f"MSPKPI_METABASE_URL ({url}). 'Database not found': set "
            "MSPKPI_METABASE_DATABASE to the name of the database in Metabase's Admin > "
            "Databases; 'Table ... does not exist': let Metabase sync its schema (Admin > "
            "Databases > Sync database schema now), then run again.",
            file=sys.stderr,
        )
    return completed.returncode


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.metabase", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--manifest", help="a dbt manifest.json (default: a fresh dbt parse)")
    parser.add_argument(
        "--output",
        help="where to write the manifest for Metabase (default: manifest.metabase.json in "
        "DBT_TARGET_PATH or target/)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="write the manifest for Metabase, push nothing"
    )
    args = parser.parse_args(argv)
    try:
        if not args.dry_run:
            settings_from_env()  # fail before parsing when the address or the key is missing
        output = Path(args.output) if args.output else default_output()
        if args.manifest:
            return sync(Path(args.manifest), output, dry_run=args.dry_run)
        with tempfile.TemporaryDirectory(prefix="mspkpi-metabase-") as target:
            return sync(parse_manifest(Path(target)), output, dry_run=args.dry_run)
    except MetabaseSyncError as error:
        print(f"metabase-sync: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

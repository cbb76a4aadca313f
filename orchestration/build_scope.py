"""What a run's `dbt build` must build: the nodes the new deliveries and the as-of time reach.

A day brings files for a few sources (tickets, status changes, time entries, alerts, invoice
lines, CSAT at a large MSP); the CRM, HR and most survey models, their staging views and their
data tests read nothing new. A run builds:

- everything, on a full refresh, on a warehouse no run has built yet (no record, or a model whose
  table is missing), on a renamed warehouse file (views name the file's catalog), and when the dbt
  project differs from the one the last build ran (models, macros, seeds, tests, configs, dbt's
  version or a setting the project reads from the environment: `project_fingerprint`);
- otherwise the nodes downstream of a source with a delivery the last successful build did not
  see, and of every node that reads the as-of time (the build's "today": `as_of_timestamp()` and
  `as_of_date()`, directly or through another macro), with every data test of a built node (dbt's
  eager selection: a test runs when any of its models is built).

Every other node read the same inputs with the same code at the last successful build, so its
table already holds what a build would write. The record (`quality.build_state`: the fingerprint
of the manifest the build wrote, the file's catalog and the last delivery the build saw) is
written only after a build that passed, so a failed run's deliveries are built again by the next
run, however many runs it takes.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from orchestration.settings import DBT_EXECUTABLE, PROJECT_DIR

STATE_SCHEMA = "quality"
STATE_TABLE = "build_state"
AS_OF_MACROS = frozenset({"macro.mspkpi.as_of_timestamp", "macro.mspkpi.as_of_date"})
AS_OF_VARIABLE = "MSPKPI_AS_OF"  # changes every run by design: its models are always built
BUILT_RESOURCE_TYPES = ("model", "seed", "snapshot", "test")
MATERIALIZED_IN_WAREHOUSE = ("table", "incremental", "view")


@dataclass(frozen=True)
class BuildScope:
    """What one `dbt build` builds: everything (`skipped` empty) or all but `skipped`; and what
    to record once it passed."""

    reason: str  # one line for the run's output: why this scope
    nodes: int  # the project's models, seeds, snapshots and data tests
    fingerprint: str  # of the project this build runs
    last_delivery_id: int  # the last delivery loaded when it started
    skipped: tuple[str, ...] = ()  # names of the nodes left out, sorted
    # the same nodes as dbt's `--exclude` takes them: `excluded` by name, and with `cautious`
    # indirect selection every data test all of whose parents are excluded (see `exclusion`)
    excluded: tuple[str, ...] = ()
    indirect_selection: str = "empty"

    @property
    def dbt_args(self) -> list[str]:
        """`--exclude` of the skipped nodes. `empty` indirect selection: every skipped test by
        name (excluding a model then excludes none of its tests); `cautious`: the skipped models
        and seeds, which exclude the tests that read nothing else (see `exclusion`)."""
        if not self.skipped:
            return []
        names = self.excluded or self.skipped
        # one space-separated value: dbt reads it as a union, and dagster-dbt (which takes
        # --exclude out of the arguments and puts it back) keeps it whole
        return ["--indirect-selection", self.indirect_selection, "--exclude", " ".join(names)]

    def describe(self) -> str:
        if not self.skipped:
            return f"building all {self.nodes} dbt nodes: {self.reason}"
        return (
            f"building {self.nodes - len(self.skipped)} of {self.nodes} dbt nodes: {self.reason}; "
            f"the other {len(self.skipped)} read nothing new since the last build"
        )


# -- the parsed project ------------------------------------------------------------------------

# What the manifest is made of: when any of it is newer than the manifest, the manifest is stale.
DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")


def _newest_source_mtime(project_dir: Path) -> float:
    newest = 0.0
    for name in DBT_SOURCES:
        path = project_dir / name
        paths = [path] if path.is_file() else path.rglob("*") if path.is_dir() else []
        newest = max([newest, *(p.stat().st_mtime for p in paths if p.is_file())])
    return newest


def ensure_manifest(manifest: Path, environment: Mapping[str, str] | None = None) -> Path:
    """Parse the dbt project into `manifest`'s folder when the manifest is missing (a fresh
    clone) or older than any of the project's files; `manifest` then describes the code."""
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime(PROJECT_DIR):
        subprocess.run(
            [
                str(DBT_EXECUTABLE),
                *("parse", "--quiet", "--project-dir", str(PROJECT_DIR)),
                *("--profiles-dir", str(PROJECT_DIR), "--target-path", str(manifest.parent)),
            ],
            env={**(environment or os.environ), "DO_NOT_TRACK": "1"},
            check=True,
        )
    return manifest


def load_manifest(manifest: Path) -> dict[str, Any]:
    return json.loads(manifest.read_text(encoding="utf-8"))


# -- the project's fingerprint ----------------------------------------------------------------


def project_variables(
    environment: Mapping[str, str] | None = None, project_dir: Path = PROJECT_DIR
) -> dict[str, str]:
    """The environment variables dbt_project.yml reads (but the as-of time), with their values:
    a new salt, currency or alert rate changes the marts as much as a new model."""
    text = (project_dir / "dbt_project.yml").read_text(encoding="utf-8")
    names = sorted(set(re.findall(r"env_var\(\s*['\"]([A-Z0-9_]+)['\"]", text)) - {AS_OF_VARIABLE})
    values = os.environ if environment is None else environment
    return {name: values.get(name, "") for name in names}


def _node_definition(node: Mapping[str, Any]) -> dict[str, Any]:
    """What a node's result depends on: its code, config, inputs and contract, not its docs."""
    columns = node.get("columns") or {}
    return {
        "checksum": (node.get("checksum") or {}).get("checksum"),
        "raw_code": node.get("raw_code"),
        "config": node.get("config"),
        # the models and sources it reads; not its macros, which dbt adds to as it runs (every
        # macro's code is in the fingerprint anyway)
        "depends_on": (node.get("depends_on") or {}).get("nodes"),
        "test_metadata": node.get("test_metadata"),
        "columns": {
            name: [column.get("data_type"), column.get("constraints")]
            for name, column in sorted(columns.items())
        },
    }


def project_fingerprint(manifest: Mapping[str, Any], variables: Mapping[str, str]) -> str:
    """A hash of everything in the parsed project that decides what a build writes."""
    definition = {
        "dbt_version": manifest["metadata"].get("dbt_version"),
        "adapter_type": manifest["metadata"].get("adapter_type"),
        "nodes": {
            unique_id: _node_definition(node)
            for unique_id, node in sorted(manifest["nodes"].items())
            if node["resource_type"] in BUILT_RESOURCE_TYPES
        },
        "macros": {
            unique_id: macro.get("macro_sql")
            for unique_id, macro in sorted(manifest["macros"].items())
        },
        "sources": {
            unique_id: [source.get("schema"), source.get("identifier")]
            for unique_id, source in sorted(manifest["sources"].items())
        },
        "variables": dict(sorted(variables.items())),
    }
    text = json.dumps(definition, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# -- the graph --------------------------------------------------------------------------------


def as_of_nodes(manifest: Mapping[str, Any]) -> set[str]:
    """Nodes that read the as-of time: that call `as_of_timestamp()`, `as_of_date()` or a macro
    calling either (through any chain of macros). Read from their code, not only from dbt's
    `depends_on.macros`, which misses a call in a branch parsing does not render (under
    `is_incremental()`)."""
    readers = {unique_id.rsplit(".", 1)[-1] for unique_id in AS_OF_MACROS}

    def calls_a_reader(code: str | None, macros: Iterable[str]) -> bool:
        called = {unique_id.rsplit(".", 1)[-1] for unique_id in macros}
        return bool(readers & called) or any(f"{name}(" in (code or "") for name in readers)

    grown = True
    while grown:
        grown = False
        for macro in manifest["macros"].values():
            if macro["name"] not in readers and calls_a_reader(
                macro.get("macro_sql"), macro["depends_on"]["macros"]
            ):
                readers.add(macro["name"])
                grown = True
    return {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if calls_a_reader(node.get("raw_code"), node.get("depends_on", {}).get("macros", []))
    }


def delivered_sources(manifest: Mapping[str, Any], entities: Iterable[str]) -> set[str]:
    """The dbt sources of the raw tables these entities (`psa/tickets`) load."""
    tables = {entity.replace("/", "__") for entity in entities}
    return {
        unique_id
        for unique_id, source in manifest["sources"].items()
        if (source.get("identifier") or source["name"]) in tables
    }


def downstream(manifest: Mapping[str, Any], starts: Iterable[str]) -> set[str]:
    """The starts and every node below them (a data test is below each model it reads)."""
    reached: set[str] = set()
    stack = list(starts)
    while stack:
        unique_id = stack.pop()
        if unique_id not in reached:
            reached.add(unique_id)
            stack.extend(manifest["child_map"].get(unique_id, ()))
    return reached


def built_nodes(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in BUILT_RESOURCE_TYPES
    }


def skipped_names(manifest: Mapping[str, Any], reached: set[str]) -> tuple[str, ...]:
    """Names of the nodes not reached; a name two nodes share is kept if either is reached."""
    nodes = built_nodes(manifest)
    reached_names = {node["name"] for unique_id, node in nodes.items() if unique_id in reached}
    return tuple(
        sorted(
            {node["name"] for unique_id, node in nodes.items() if unique_id not in reached}
            - reached_names
        )
    )


def exclusion(manifest: Mapping[str, Any], skipped: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """The shortest `--exclude` that leaves out the `skipped` names, with its indirect selection.

    dbt resolves each name of an `--exclude` by scanning every node of the project, three times
    per `dbt build`: the 227 names a day of the 10 M-ticket MSP skips took 2.2 s before the first
    node ran. With `cautious` indirect selection, excluding a model also excludes each data test
    all of whose parents are excluded, which is the rule a skipped test follows (a test runs when
    any of its models is built): the models and seeds of `skipped` are enough, plus the tests
    cautious selection would not reach (a test of a source, a test without parents). Should the
    names exclude anything else (a test reading the as-of time whose models are all skipped), the
    exclusion stays by name with `empty` indirect selection."""
    skipped = set(skipped)
    nodes = built_nodes(manifest)

    def with_name(names: set[str]) -> set[str]:
        return {unique_id for unique_id, node in nodes.items() if node["name"] in names}

    def tests_reading_only(unique_ids: set[str]) -> set[str]:
        """The tests all of whose parents are among `unique_ids` (dbt's cautious rule)."""
        return {
            unique_id
            for unique_id, node in nodes.items()
            if node["resource_type"] == "test"
            and node["depends_on"]["nodes"]
            and set(node["depends_on"]["nodes"]) <= unique_ids
        }

    left_out = with_name(skipped)
    tests = {unique_id for unique_id in left_out if nodes[unique_id]["resource_type"] == "test"}
    models = left_out - tests
    names = {
        nodes[unique_id]["name"] for unique_id in models | (tests - tests_reading_only(models))
    }
    named = with_name(names)
    cautious = named | tests_reading_only(named)
    if cautious != left_out:
        return "empty", tuple(sorted(skipped))
    return "cautious", tuple(sorted(names))


# -- the record in the warehouse --------------------------------------------------------------


@dataclass(frozen=True)
class LastBuild:
    fingerprint: str
    catalog_name: str  # DuckDB names the catalog after the file: views refer to it
    last_delivery_id: int


def last_delivery_id(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select coalesce(max(delivery_id), 0) from raw._load_audit").fetchone()[0]


def read_last_build(con: duckdb.DuckDBPyConnection) -> LastBuild | None:
    """The record of the last passing build; None without one, or with a record of another shape
    (written by an older version: the run then builds everything and writes it anew)."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [STATE_SCHEMA, STATE_TABLE],
        ).fetchall()
    }
    if not {"fingerprint", "catalog_name", "last_delivery_id"} <= columns:
        return None
    row = con.execute(
        f"select fingerprint, catalog_name, last_delivery_id from {STATE_SCHEMA}.{STATE_TABLE}"
    ).fetchone()
    return LastBuild(*row) if row else None


def record_build(con: duckdb.DuckDBPyConnection, scope: BuildScope) -> None:
    """After a build that passed: the project it ran, the file's catalog, the last delivery it
    saw. One row, replaced."""
    con.execute(f"create schema if not exists {STATE_SCHEMA}")
    con.execute(
        f"create or replace table {STATE_SCHEMA}.{STATE_TABLE} as select "
        "cast(? as varchar) as fingerprint, current_database() as catalog_name, "
        "cast(? as bigint) as last_delivery_id, current_timestamp as built_at",
        [scope.fingerprint, scope.last_delivery_id],
    )


def missing_tables(con: duckdb.DuckDBPyConnection, manifest: Mapping[str, Any]) -> list[str]:
    """Models whose table or view is not in the warehouse (a new model, or one dropped)."""
    present = {
        (schema.lower(), name.lower())
        for schema, name in con.execute(
            "select table_schema, table_name from information_schema.tables"
        ).fetchall()
    }
    in_warehouse = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "seed"
        or (
            node["resource_type"] == "model"
            and node["config"].get("materialized") in MATERIALIZED_IN_WAREHOUSE
        )
    ]
    return sorted(
        node["name"]
        for node in in_warehouse
        if (node["schema"].lower(), (node.get("alias") or node["name"]).lower()) not in present
    )


# -- the scope of one build -------------------------------------------------------------------


def plan(
    con: duckdb.DuckDBPyConnection,
    manifest: Mapping[str, Any],
    *,
    full_refresh: bool = False,
    variables: Mapping[str, str] | None = None,
) -> BuildScope:
    """The scope of the build about to run."""
    if variables is None:
        variables = project_variables()
    fingerprint = project_fingerprint(manifest, variables)
    delivery_id = last_delivery_id(con)
    total = len(built_nodes(manifest))

    def everything(reason: str) -> BuildScope:
        return BuildScope(reason, total, fingerprint, delivery_id)

    if full_refresh:
        return everything("--full-refresh rebuilds every table")
    last = read_last_build(con)
    if last is None:
        return everything("no build of this warehouse has passed yet")
    if last.fingerprint != fingerprint:
        return everything(
            "the dbt project changed since the last build (models, macros, seeds, tests, "
            "configs, dbt's version or a setting it reads from the environment)"
        )
    catalog = con.execute("select current_database()").fetchone()[0]
    if last.catalog_name != catalog:
        # a view dbt did not rebuild would still read the old file's catalog
        return everything(
            f"the warehouse file was renamed since the last build ({last.catalog_name} to "
            f"{catalog}): its views name the catalog"
        )
    missing = missing_tables(con, manifest)
    if missing:
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        shown = ", ".join(missing[:3]) + more
        return everything(f"{len(missing)} models have no table in the warehouse ({shown})")
    entities = [
        row[0]
        for row in con.execute(
            "select distinct entity from raw._load_audit "
            "where delivery_id > ? and loaded > 0 order by entity",
            [last.last_delivery_id],
        ).fetchall()
    ]
    reached = downstream(manifest, delivered_sources(manifest, entities) | as_of_nodes(manifest))
    delivered = f"new deliveries of {', '.join(entities)}" if entities else "no new delivery"
    skipped = skipped_names(manifest, reached)
    indirect_selection, excluded = exclusion(manifest, skipped)
    return BuildScope(
        f"{delivered}, and the as-of time",
        total,
        fingerprint,
        delivery_id,
        skipped,
        excluded,
        indirect_selection,
    )

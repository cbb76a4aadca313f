"""The serving file: a read-only DuckDB copy of the documented marts, swapped in atomically.

Why a copy: DuckDB lets one process write a database file, and no other process may open that file
while it does (not even read-only). A BI tool or a notebook reading the warehouse itself would
block the nightly run, or be refused while it runs. So every run ends by publishing the marts to a
second file that nothing ever writes in place: `publish` builds a new file beside it (same folder,
hence same filesystem), makes it durable (CHECKPOINT, fsync) and renames it over the old one
(`os.replace`, atomic on POSIX). A reader that opened the old file keeps reading the old inode, a
complete snapshot of the previous run, until it closes it; a reader that opens the path afterwards
gets the new run whole. No reader ever sees a half-built run and no reader blocks the writer.

What is served: the tables of the warehouse's `marts` schema that the dbt manifest documents (a
model with a description whose every column has one), listed when the publish runs, so that a new
mart is served as soon as it is built and a leftover table of a deleted model is not. Descriptions
are written as COMMENT ON TABLE / COLUMN, which SQL clients and Metabase's DuckDB driver read.
"""

from __future__ import annotations

import csv as csv_module
import io
import json
import os
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from orchestration.pipeline import MART_SCHEMA, RunFailed
from orchestration.settings import env, manifest_path, resolve

SERVING_FILE_NAME = "serving.duckdb"
# The oldest DuckDB storage format that holds the marts' types: the file opens in any DuckDB >= 1.0
# (Metabase's DuckDB driver, an older CLI or notebook), whatever DuckDB version wrote it.
STORAGE_VERSION = "v1.0.0"
# Aliases of the two files while publishing (an in-memory connection attaches both).
_SOURCE, _TARGET = "mspkpi_warehouse", "mspkpi_serving"


@dataclass(frozen=True)
class ServedModel:
    """A mart the manifest documents: its description and its columns' descriptions, in order."""

    name: str
    description: str
    columns: dict[str, str]


@dataclass(frozen=True)
class PublishResult:
    path: Path
    rows: dict[str, int]
    skipped: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def serving_path(warehouse: Path) -> Path:
    """MSPKPI_SERVING_PATH, or `serving.duckdb` beside the warehouse (data/serving.duckdb by
    default): a run on another warehouse (tests, benchmarks) never overwrites the main one's."""
    configured = env("MSPKPI_SERVING_PATH")
    return resolve(configured) if configured else warehouse.with_name(SERVING_FILE_NAME)


def load_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise RunFailed(
            f"no dbt manifest at {path}: the serving file takes its descriptions from it. "
            "Run `mspkpi run` (or `dbt parse --profiles-dir . --project-dir .`) first, or set "
            "DBT_TARGET_PATH to the target folder of the build."
        )
    return json.loads(path.read_text(encoding="utf-8"))


def documented_marts(manifest: Mapping[str, Any]) -> dict[str, ServedModel]:
    """The models dbt builds in the marts schema, by table name, with their descriptions."""
    marts: dict[str, ServedModel] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or node["schema"] != MART_SCHEMA:
            continue
        if node["config"].get("materialized") == "ephemeral":
            continue
        name = node.get("alias") or node["name"]
        marts[name] = ServedModel(
            name=name,
            description=(node.get("description") or "").strip(),
            columns={
                column["name"]: (column.get("description") or "").strip()
                for column in node.get("columns", {}).values()
            },
        )
    return marts


def plan_publish(
    tables: Mapping[str, list[str]], documented: Mapping[str, ServedModel]
) -> tuple[list[ServedModel], dict[str, str]]:
    """Which warehouse mart tables are served, and why each other one is not.

    `tables` maps each table of the warehouse's marts schema to its columns. A table is served when
    the manifest documents it and every one of its columns; the reasons name what is missing so
    that the operator knows which yml to complete."""
    served: list[ServedModel] = []
    skipped: dict[str, str] = {}
    for table, columns in sorted(tables.items()):
        model = documented.get(table)
        if model is None:
            skipped[table] = "not a model of the dbt manifest (left over from a renamed model?)"
            continue
        if not model.description:
            skipped[table] = f"model {table} has no description in its yml"
            continue
        undocumented = [column for column in columns if not model.columns.get(column)]
        if undocumented:
            skipped[table] = "columns without a description in the yml: " + ", ".join(undocumented)
            continue
        served.append(ServedModel(table, model.description, {c: model.columns[c] for c in columns}))
    for name in sorted(set(documented) - set(tables)):
        skipped[name] = "documented but not built in the warehouse (did its dbt build fail?)"
    return served, skipped


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove(path: Path) -> None:
    for leftover in (path, path.with_name(path.name + ".wal")):
        leftover.unlink(missing_ok=True)


def _check_paths(warehouse: Path, serving: Path) -> None:
    if serving.resolve() == warehouse.resolve():
        raise RunFailed(
            f"the serving file {serving} is the warehouse itself: set MSPKPI_SERVING_PATH to "
            "another file (default: serving.duckdb beside the warehouse)."
        )
    if serving.stem == MART_SCHEMA:
        # DuckDB names a file's catalog after its stem: catalog `marts` + schema `marts` makes
        # `select * from marts.kpi_x` (and Metabase's generated SQL) fail as ambiguous.
        raise RunFailed(
            f"the serving file may not be named {serving.name}: DuckDB would call its catalog "
            f"'{MART_SCHEMA}' like the schema inside, and `{MART_SCHEMA}.<table>` would be "
            "ambiguous in every SQL client. Choose another name in MSPKPI_SERVING_PATH."
        )
    if not warehouse.is_file():
        raise RunFailed(
            f"no warehouse at {warehouse} to publish from: run `mspkpi run` first "
            "(or pass --database / set MSPKPI_DUCKDB_PATH)."
        )


def _mart_tables(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    rows = con.execute(
        "select table_name, column_name from information_schema.columns "
        "where table_catalog = ? and table_schema = ? order by table_name, ordinal_position",
        [_SOURCE, MART_SCHEMA],
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _copy(con: duckdb.DuckDBPyConnection, model: ServedModel) -> int:
    target = f"{_TARGET}.{MART_SCHEMA}.{_identifier(model.name)}"
    con.execute(
        f"create table {target} as select * from {_SOURCE}.{MART_SCHEMA}.{_identifier(model.name)}"
    )
    con.execute(f"comment on table {target} is {_literal(model.description)}")
    for column, description in model.columns.items():
        con.execute(f"comment on column {target}.{_identifier(column)} is {_literal(description)}")
    return con.execute(f"select count(*) from {target}").fetchone()[0]


def publish(
    warehouse: Path, serving: Path, *, manifest: Mapping[str, Any] | None = None
) -> PublishResult:
    """Copy the documented marts of `warehouse` into a new file and swap it in at `serving`.

    The warehouse is only read (attached READ_ONLY), so it must not be open for writing by another
    process at that moment: the CLI publishes after its dbt build, the Dagster asset runs in the
    warehouse's single-writer pool."""
    started = time.monotonic()
    _check_paths(warehouse, serving)
    if manifest is None:
        manifest = load_manifest(manifest_path())
    documented = documented_marts(manifest)
    serving.parent.mkdir(parents=True, exist_ok=True)
    # Hidden, unique, in the target's own folder: os.replace is atomic only within one filesystem.
    temporary = serving.with_name(f".{serving.name}.{os.getpid()}.publishing")
    _remove(temporary)
    con = duckdb.connect()
    try:
        try:
            con.execute(f"attach {_literal(str(warehouse))} as {_SOURCE} (read_only)")
        except duckdb.IOException as error:
            raise RunFailed(
                f"cannot read the warehouse {warehouse} to publish it: {error}\n"
                "A process is writing it (a run, or a tool that opened it read-write). Run "
                "`mspkpi publish` again when it has finished."
            ) from error
        served, skipped = plan_publish(_mart_tables(con), documented)
        if not served:
            raise RunFailed(
                f"nothing to publish: the marts schema of {warehouse} has no table that the dbt "
                "manifest documents. Build the models first (`mspkpi run`)."
            )
        con.execute(
            f"attach {_literal(str(temporary))} as {_TARGET} "
            f"(storage_version {_literal(STORAGE_VERSION)})"
        )
        con.execute(f"create schema {_TARGET}.{MART_SCHEMA}")
        rows = {model.name: _copy(con, model) for model in served}
        con.execute(f"checkpoint {_TARGET}")
        con.execute(f"detach {_TARGET}")
        con.execute(f"detach {_SOURCE}")
    except BaseException:
        con.close()
        _remove(temporary)
        raise
    con.close()
    _fsync(temporary)
    os.replace(temporary, serving)
    _fsync(serving.parent)  # the rename itself survives a crash
    return PublishResult(
        path=serving, rows=rows, skipped=skipped, seconds=time.monotonic() - started
    )


def harlequin_command(serving: Path) -> list[str]:
    """The SQL client of `mspkpi sql`: harlequin from this environment, read-only, so that an
    analyst's session can never hold a write lock (nor write) on the file BI tools read."""
    harlequin = Path(sys.executable).with_name("harlequin")
    return [str(harlequin), "--read-only", str(serving)]


def query_text(serving: Path, sql: str, *, csv: bool = False) -> str:
    """The result of `sql` on the serving file, as a table (or CSV, every row) for the terminal."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        relation = con.sql(sql)
        if relation is None:  # a statement without result (SET, PRAGMA ...)
            return ""
        if not csv:
            return str(relation)
        buffer = io.StringIO()
        writer = csv_module.writer(buffer, lineterminator="\n")
        writer.writerow(relation.columns)
        writer.writerows(relation.fetchall())
        return buffer.getvalue()
    finally:
        con.close()

"""The PostgreSQL target, end to end: the project's own server (scripts/postgres/server.sh), the raw
schema copied from the DuckDB warehouse, `mspkpi run --target postgres` on the sample, every table
of schema marts compared row for row with the DuckDB build of the same raw files and the same
MSPKPI_AS_OF, and the `reporting` role that reads marts and nothing else.

The server is started on a free port with a data folder of its own, and destroyed at the end. The
tests that need it are skipped only when PostgreSQL is not installed and cannot be (server.sh
exits 4); the manifest checks and the comparison helpers' own tests run without a server.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from psycopg2 import errors

from orchestration.cli import main
from orchestration.pipeline import RunFailed
from orchestration.postgres import (
    PostgresSettings,
    connect_postgres,
    postgres_type,
    replicate_raw,
)

ROOT = Path(__file__).resolve().parents[1]
SERVER_SCRIPT = ROOT / "scripts" / "postgres" / "server.sh"
CANNOT_INSTALL = 4  # server.sh's exit status when PostgreSQL is missing and cannot be installed


# -- comparison of two builds of a mart (pure functions, tested below without a server) -----------


def normalised(value: Any) -> Any:
    """A value comparable across engines: decimals as floats, aware timestamps as naive UTC."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def same_value(left: Any, right: Any) -> bool:
    """Equal, floats to 6 decimals (a double sum depends on the order rows are added in, which
    differs between engines in the last digits); a relative tolerance of 1e-9 covers big sums."""
    left, right = normalised(left), normalised(right)
    if isinstance(left, float) or isinstance(right, float):
        if left is None or right is None:
            return left is right
        if math.isnan(left) or math.isnan(right):
            return math.isnan(left) and math.isnan(right)
        return math.isclose(left, right, rel_tol=1e-9, abs_tol=1e-6)
    return left == right


def sort_key(row: Sequence[Any]) -> tuple:
    """Orders rows by all columns, nulls first, floats rounded to 6 decimals."""
    key = []
    for value in map(normalised, row):
        if isinstance(value, float) and not math.isnan(value):
            value = round(value, 6)
        key.append((value is not None, "" if value is None else value))
    return tuple(key)


def mart_differences(
    model: str,
    key_columns: Sequence[str],
    duckdb_columns: Sequence[str],
    duckdb_rows: Sequence[Sequence[Any]],
    postgres_columns: Sequence[str],
    postgres_rows: Sequence[Sequence[Any]],
) -> list[str]:
    """Every difference between the two builds of a mart, one line each, naming the model, the
    row's key and the column. Rows are matched on the model's primary key when both builds keep
    it unique, else in the order of all their columns."""
    if list(duckdb_columns) != list(postgres_columns):
        return [f"{model}: columns differ: duckdb {duckdb_columns} postgres {postgres_columns}"]
    found = []
    if len(duckdb_rows) != len(postgres_rows):
        counts = f"{len(duckdb_rows)} rows in duckdb, {len(postgres_rows)} in postgres"
        found.append(f"{model}: {counts}")
    key_at = [duckdb_columns.index(column) for column in key_columns]

    def keyed(rows):
        return {sort_key([row[i] for i in key_at]): row for row in rows}

    duck_keyed, pg_keyed = keyed(duckdb_rows), keyed(postgres_rows)
    if key_at and len(duck_keyed) == len(duckdb_rows) and len(pg_keyed) == len(postgres_rows):
        pairs = []
        for key in sorted(duck_keyed.keys() | pg_keyed.keys()):
            shown = ", ".join(
                f"{column}={value if present else None!r}"
                for column, (present, value) in zip(key_columns, key, strict=True)
            )
            if key not in pg_keyed:
                found.append(f"{model} [{shown}]: only in duckdb")
            elif key not in duck_keyed:
                found.append(f"{model} [{shown}]: only in postgres")
            else:
                pairs.append((shown, duck_keyed[key], pg_keyed[key]))
    else:
        pairs = [
            (f"row {number}", left, right)
            for number, (left, right) in enumerate(
                zip(
                    sorted(duckdb_rows, key=sort_key),
                    sorted(postgres_rows, key=sort_key),
                    strict=False,  # a missing row is reported above
                ),
                start=1,
            )
        ]
    for shown, left, right in pairs:
        for column, duck_value, pg_value in zip(duckdb_columns, left, right, strict=True):
            if not same_value(duck_value, pg_value):
                found.append(
                    f"{model} [{shown}] {column}: duckdb {duck_value!r} postgres {pg_value!r}"
                )
    return found


def test_mart_differences_name_the_model_key_and_column():
    columns = ["client_id", "month_start_on", "mrr_amount", "churn_rate"]
    duck = [
        ("c1", "2026-01-01", Decimal("100.10"), 0.1 + 0.2),  # 0.30000000000000004
        ("c2", "2026-01-01", Decimal("50.00"), None),
        ("c3", "2026-01-01", Decimal("1.00"), 0.5),
    ]
    pg = [
        ("c2", "2026-01-01", 50.0, None),  # order does not matter, nor decimal vs float
        ("c1", "2026-01-01", Decimal("100.1"), 0.3),  # equal to 6 decimals
        ("c4", "2026-01-01", Decimal("1.00"), 0.5),
    ]
    assert mart_differences("m", ["client_id", "month_start_on"], columns, duck, columns, pg) == [
        "m [client_id='c3', month_start_on='2026-01-01']: only in duckdb",
        "m [client_id='c4', month_start_on='2026-01-01']: only in postgres",
    ]
    pg[1] = ("c1", "2026-01-01", Decimal("100.11"), 0.300002)
    assert mart_differences("m", ["client_id"], columns, duck[:2], columns, pg[:2]) == [
        "m [client_id='c1'] mrr_amount: duckdb Decimal('100.10') postgres Decimal('100.11')",
        "m [client_id='c1'] churn_rate: duckdb 0.30000000000000004 postgres 0.300002",
    ]
    # a duplicated key falls back to all columns in order; a missing row is counted
    assert mart_differences("m", ["month_start_on"], columns, duck, columns, pg[:2]) == [
        "m: 3 rows in duckdb, 2 in postgres",
        "m [row 1] mrr_amount: duckdb Decimal('100.10') postgres Decimal('100.11')",
        "m [row 1] churn_rate: duckdb 0.30000000000000004 postgres 0.300002",
    ]
    assert mart_differences("m", [], columns, [], columns[:2], []) == [
        f"m: columns differ: duckdb {columns} postgres {columns[:2]}"
    ]


def test_timestamps_compare_in_utc_and_nulls_sort_first():
    aware = datetime.fromisoformat("2026-03-29T03:30:00+02:00")
    assert same_value(aware, datetime(2026, 3, 29, 1, 30))
    assert not same_value(None, 0.0)
    assert sorted([(2,), (None,), (1,)], key=sort_key) == [(None,), (1,), (2,)]


# -- type mapping --------------------------------------------------------------------------------


def test_duckdb_types_map_to_postgres_types():
    assert postgres_type("DOUBLE", "raw.t.c") == "double precision"
    assert postgres_type("TIMESTAMP", "raw.t.c") == "timestamp without time zone"
    assert postgres_type("DECIMAL(18,4)", "raw.t.c") == "numeric(18,4)"
    with pytest.raises(RunFailed, match=r"raw\.psa__tickets\.blob_column is a DuckDB BLOB"):
        postgres_type("BLOB", "raw.psa__tickets.blob_column")


# -- what makes a project portable, read from the manifest (fast: no server) ---------------------

# The column types both engines know under the same name (a mart's contract creates its table with
# them on PostgreSQL): `double` alone is DuckDB's, PostgreSQL says `double precision`.
PORTABLE_TYPE = re.compile(
    r"(varchar|text|bigint|integer|smallint|boolean|date|timestamp|timestamp with time zone"
    r"|double precision|real|(decimal|numeric)\(\d+, ?\d+\))"
)
POSTGRES_MAX_IDENTIFIER = 63  # bytes; a unit test's name is the name of a relation it creates


def test_declared_column_types_exist_on_both_engines(dbt_manifest):
    offenders = [
        f"{(node.get('patch_path') or node['original_file_path']).split('://')[-1]}: "
        f"{node['name']}.{column['name']} is {column['data_type']!r}"
        for node in dbt_manifest["nodes"].values()
        if node["resource_type"] == "model"
        for column in node["columns"].values()
        if column.get("data_type")
        and not PORTABLE_TYPE.fullmatch(column["data_type"].strip().lower())
    ]
    assert offenders == [], (
        "declare types PostgreSQL knows too (double precision, not double):\n"
        + "\n".join(offenders)
    )


def test_relation_names_fit_postgres(dbt_manifest):
    nodes = [*dbt_manifest["nodes"].values(), *dbt_manifest.get("unit_tests", {}).values()]
    offenders = [
        f"{node['original_file_path']}: {node['name']} ({len(node['name'])} characters)"
        for node in nodes
        if node["resource_type"] in ("model", "seed", "snapshot", "unit_test")
        and len((node.get("alias") or node["name"]).encode()) > POSTGRES_MAX_IDENTIFIER
    ]
    assert offenders == [], (
        f"PostgreSQL names are at most {POSTGRES_MAX_IDENTIFIER} characters: shorten\n"
        + "\n".join(offenders)
    )


# -- the server ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class Server:
    settings: PostgresSettings
    env: dict[str, str]  # the MSPKPI_PG_* variables of this server

    def script(self, command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SERVER_SCRIPT), command],
            env={**os.environ, **self.env},
            capture_output=True,
            text=True,
            check=False,
        )


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[Server]:
    """A throwaway server started by the project's script, on a free port; destroyed after."""
    # under /tmp, not pytest's tmp_path: the postgres user must reach the folder, and a
    # socket path may not be longer than 107 bytes
    home = Path(tempfile.mkdtemp(prefix="mspkpi-pg-"))
    settings = PostgresSettings(
        host="localhost",
        port=_free_port(),
        user="mspkpi",
        password="test-password",
        database="mspkpi_test",
        reporting_password="reporting-test-password",
    )
    server = Server(
        settings=settings,
        env={
            "MSPKPI_PG_HOST": settings.host,
            "MSPKPI_PG_PORT": str(settings.port),
            "MSPKPI_PG_USER": settings.user,
            "MSPKPI_PG_PASSWORD": settings.password,
            "MSPKPI_PG_DATABASE": settings.database,
            "MSPKPI_PG_REPORTING_PASSWORD": settings.reporting_password,
            "MSPKPI_PG_DATA_DIR": str(home),
        },
    )
    started = server.script("start")
    if started.returncode == CANNOT_INSTALL:
        pytest.skip(f"PostgreSQL is not installed and cannot be: {started.stderr.strip()}")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        yield server
    finally:
        server.script("destroy")
        shutil.rmtree(home, ignore_errors=True)


def test_the_server_script_is_idempotent(postgres_server):
    again = postgres_server.script("start")
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stderr
    assert postgres_server.script("status").returncode == 0


# -- the sample built on PostgreSQL ----------------------------------------------------------------


@dataclass(frozen=True)
class PostgresBuild:
    database: Path  # the DuckDB warehouse whose raw schema was copied
    seconds: float


@pytest.fixture(scope="module")
def postgres_sample(built_sample, postgres_server, tmp_path_factory) -> PostgresBuild:
    """`mspkpi run --target postgres` on a copy of the sample warehouse: its ingestion finds every
    file loaded, so the raw schema copied is exactly the one the DuckDB marts were built from;
    same MSPKPI_AS_OF and salt (the environment of the session). Run twice: the second run is
    incremental on PostgreSQL (nothing new to read), so the marts the tests compare with DuckDB's
    went through the incremental models' PostgreSQL path too (their column types are checked
    against the tables', on_schema_change='fail')."""
    root = tmp_path_factory.mktemp("postgres_sample")
    database = root / "warehouse.duckdb"
    shutil.copyfile(built_sample.database, database)
    with pytest.MonkeyPatch.context() as patch:
        for name, value in postgres_server.env.items():
            patch.setenv(name, value)
        patch.setenv("MSPKPI_AS_OF", built_sample.as_of)
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        arguments = [
            *("run", "--target", "postgres", "--raw-dir", str(built_sample.raw_dir)),
            *("--database", str(database)),
        ]
        started = time.monotonic()
        code = main(arguments)
        seconds = time.monotonic() - started
        assert code == 0, "mspkpi run --target postgres failed (its output is above)"
        code = main(arguments)
    assert code == 0, "the second, incremental, mspkpi run --target postgres failed (output above)"
    return PostgresBuild(database=database, seconds=seconds)


def _table_names_duckdb(con: duckdb.DuckDBPyConnection, schema: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables "
            "where table_schema = ? and table_type = 'BASE TABLE' order by 1",
            [schema],
        ).fetchall()
    ]


def _table_names_postgres(cursor, schema: str) -> list[str]:
    cursor.execute(
        "select table_name from information_schema.tables "
        "where table_schema = %s and table_type = 'BASE TABLE' order by 1",
        [schema],
    )
    return [name for (name,) in cursor.fetchall()]


def _read_duckdb(con, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    result = con.execute(f'select * from "{schema}"."{table}"')
    return [column[0] for column in result.description], result.fetchall()


def _read_postgres(cursor, schema: str, table: str) -> tuple[list[str], list[tuple]]:
    cursor.execute(f'select * from "{schema}"."{table}"')
    return [column.name for column in cursor.description], cursor.fetchall()


def primary_keys(manifest: dict[str, Any]) -> dict[str, list[str]]:
    """Model name -> the columns of its primary-key test (the narrowest when it has several)."""
    keys: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        model = (node.get("attached_node") or "").rsplit(".", 1)[-1]
        if metadata.get("name") == "unique" and node.get("column_name"):
            columns = [node["column_name"]]
        elif metadata.get("name") == "unique_combination_of_columns":
            columns = list(metadata["kwargs"]["combination_of_columns"])
        else:
            continue
        if model and (model not in keys or len(columns) < len(keys[model])):
            keys[model] = columns
    return keys


def test_postgres_marts_equal_duckdb_marts_row_for_row(
    built_sample, postgres_sample, postgres_server, dbt_manifest
):
    keys = primary_keys(dbt_manifest)
    duck = duckdb.connect(str(built_sample.database), read_only=True)
    pg = connect_postgres(postgres_server.settings)
    try:
        cursor = pg.cursor()
        marts = _table_names_duckdb(duck, "marts")
        # listed from the warehouse, so that a new mart is compared without editing this test
        assert {"dim_clients", "fct_tickets", "kpi_sla_compliance_monthly"} <= set(marts)
        assert _table_names_postgres(cursor, "marts") == marts
        differences: list[str] = []
        compared_rows = 0
        for mart in marts:
            duck_columns, duck_rows = _read_duckdb(duck, "marts", mart)
            pg_columns, pg_rows = _read_postgres(cursor, "marts", mart)
            compared_rows += len(duck_rows)
            differences += mart_differences(
                mart, keys.get(mart, []), duck_columns, duck_rows, pg_columns, pg_rows
            )
    finally:
        pg.close()
        duck.close()
    assert compared_rows > 10_000
    assert differences == [], (
        f"{len(differences)} differences between the DuckDB and PostgreSQL marts:\n"
        + "\n".join(differences[:60])
    )


def test_the_raw_schema_is_copied_whole(built_sample, postgres_sample, postgres_server):
    duck = duckdb.connect(str(postgres_sample.database), read_only=True)
    pg = connect_postgres(postgres_server.settings)
    try:
        cursor = pg.cursor()
        tables = _table_names_duckdb(duck, "raw")
        assert {"_rejects", "_load_audit", "psa__tickets"} <= set(tables)
        assert _table_names_postgres(cursor, "raw") == tables
        differences = []
        for table in tables:
            duck_columns, duck_rows = _read_duckdb(duck, "raw", table)
            pg_columns, pg_rows = _read_postgres(cursor, "raw", table)
            # raw is copied exactly: no tolerance on floats here
            if duck_columns != pg_columns or sorted(duck_rows, key=sort_key) != sorted(
                pg_rows, key=sort_key
            ):
                differences.append(table)
    finally:
        pg.close()
        duck.close()
    assert differences == []


def test_a_second_copy_keeps_the_views_built_on_raw(postgres_sample, postgres_server):
    """Unchanged tables are truncated and refilled, not dropped: staging views survive (clients:
    the six large staging models are tables)."""
    replicate_raw(postgres_sample.database, postgres_server.settings)
    pg = connect_postgres(postgres_server.settings)
    try:
        cursor = pg.cursor()
        cursor.execute("select count(*) from staging.stg_psa__clients")
        assert cursor.fetchone()[0] > 0
    finally:
        pg.close()


# -- the reporting role ----------------------------------------------------------------------------


def test_reporting_reads_marts_and_nothing_else(postgres_sample, postgres_server):
    settings = postgres_server.settings
    pg = connect_postgres(settings, user="reporting", password=settings.reporting_password)
    pg.autocommit = True
    try:
        cursor = pg.cursor()
        cursor.execute("select count(*) from marts.kpi_sla_compliance_monthly")
        assert cursor.fetchone()[0] > 0
        cursor.execute("select count(*) from marts.dim_clients")
        assert cursor.fetchone()[0] == 120  # the sample's 120 clients
        for table in ("raw.psa__tickets", "raw._rejects", "staging.stg_psa__tickets"):
            with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
                cursor.execute(f"select count(*) from {table}")
        with pytest.raises(errors.InsufficientPrivilege, match="permission denied"):
            cursor.execute("create table marts.scratch (x int)")
    finally:
        pg.close()


def test_a_wrong_password_names_the_server_and_what_to_do(postgres_server):
    settings = postgres_server.settings
    with pytest.raises(RunFailed, match=r"cannot connect to PostgreSQL at postgresql://mspkpi@"):
        connect_postgres(settings, password="wrong")

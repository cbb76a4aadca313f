"""The PostgreSQL target: the `raw` schema copied from the DuckDB warehouse, and the reporting role.

Ingestion stays in DuckDB (its CSV reader and set-based contract checks are the loader), so a
PostgreSQL build is: ingest into DuckDB, copy every table of its `raw` schema (entity tables,
`_rejects`, `_load_audit`) into the same schema of PostgreSQL, `dbt build --target postgres`, and
grant the `reporting` role read access to `marts` only. The copy goes through CSV files (DuckDB
`COPY ... TO`, PostgreSQL `COPY ... FROM STDIN`), which both engines read and write exactly:
doubles are written in their shortest round-trip form, an empty string is quoted and a null is not.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import psycopg2
from psycopg2 import sql

from orchestration.pipeline import MART_SCHEMA, RunFailed, connect
from orchestration.settings import env

RAW_SCHEMA = "raw"
REPORTING_ROLE = "reporting"
# Schemas the reporting role must not read: everything dbt builds before the marts, and the seeds.
PRIVATE_SCHEMAS = ("raw", "staging", "intermediate", "seeds")

# DuckDB type -> PostgreSQL type, as PostgreSQL's format_type() spells it (so that an existing
# table's columns can be compared with the wanted ones). The raw schema uses the first six; the
# others cover a column type an operator may add by hand.
POSTGRES_TYPES: dict[str, str] = {
    "VARCHAR": "text",
    "BIGINT": "bigint",
    "DOUBLE": "double precision",
    "BOOLEAN": "boolean",
    "DATE": "date",
    "TIMESTAMP": "timestamp without time zone",
    "TIMESTAMP WITH TIME ZONE": "timestamp with time zone",
    "INTEGER": "integer",
    "SMALLINT": "smallint",
    "TINYINT": "smallint",
    "UBIGINT": "numeric(20,0)",
    "UINTEGER": "bigint",
    "USMALLINT": "integer",
    "UTINYINT": "smallint",
    "HUGEINT": "numeric(38,0)",
    "FLOAT": "real",
    "TIME": "time without time zone",
    "INTERVAL": "interval",
    "UUID": "uuid",
}
_DECIMAL = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")


@dataclass(frozen=True)
class PostgresSettings:
    """Where the PostgreSQL target lives (the `postgres` output of profiles.yml reads the same
    variables, with the same defaults)."""

    host: str
    port: int
    user: str
    password: str
    database: str
    reporting_password: str

    @classmethod
    def from_env(cls) -> PostgresSettings:
        return cls(
            host=env("MSPKPI_PG_HOST"),
            port=int(env("MSPKPI_PG_PORT")),
            user=env("MSPKPI_PG_USER"),
            password=env("MSPKPI_PG_PASSWORD"),
            database=env("MSPKPI_PG_DATABASE"),
            reporting_password=env("MSPKPI_PG_REPORTING_PASSWORD"),
        )

    def describe(self) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{self.database}"


def connect_postgres(
    settings: PostgresSettings, *, user: str | None = None, password: str | None = None
) -> psycopg2.extensions.connection:
    """A connection to the target database (as the configured user unless told otherwise)."""
    try:
        return psycopg2.connect(
            host=settings.host,
            port=settings.port,
            user=user or settings.user,
            password=settings.password if password is None else password,
            dbname=settings.database,
            connect_timeout=10,
            options="-c TimeZone=UTC",
        )
    except psycopg2.OperationalError as error:
        raise RunFailed(
            f"cannot connect to PostgreSQL at {settings.describe()}: {str(error).strip()}\n"
            "Start the project's server with `make postgres-up` (scripts/postgres/server.sh "
            "start), or point MSPKPI_PG_HOST, MSPKPI_PG_PORT, MSPKPI_PG_USER, "
            "MSPKPI_PG_PASSWORD and MSPKPI_PG_DATABASE at yours."
        ) from error


@dataclass(frozen=True)
class RawTable:
    name: str
    columns: tuple[tuple[str, str], ...]  # (column name, DuckDB type) in table order


def postgres_type(duckdb_type: str, where: str) -> str:
    """The PostgreSQL type of a DuckDB column type; `where` (schema.table.column) names the column
    in the error when the type has no equivalent."""
    decimal = _DECIMAL.fullmatch(duckdb_type)
    if decimal:
        return f"numeric({decimal.group(1)},{decimal.group(2)})"
    try:
        return POSTGRES_TYPES[duckdb_type]
    except KeyError:
        raise RunFailed(
            f"{where} is a DuckDB {duckdb_type}, which has no PostgreSQL equivalent here: cast the "
            "column to VARCHAR (or add the type to POSTGRES_TYPES in orchestration/postgres.py)"
        ) from None


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[RawTable]:
    """Every base table of the DuckDB `raw` schema with its columns, in name order."""
    rows = con.execute(
        """
        select columns.table_name, columns.column_name, columns.data_type
        from information_schema.columns as columns
        inner join information_schema.tables as tables
            on columns.table_schema = tables.table_schema
            and columns.table_name = tables.table_name
        where columns.table_schema = ? and tables.table_type = 'BASE TABLE'
        order by columns.table_name, columns.ordinal_position
        """,
        [RAW_SCHEMA],
    ).fetchall()
    columns: dict[str, list[tuple[str, str]]] = {}
    for table_name, column_name, data_type in rows:
        columns.setdefault(table_name, []).append((column_name, data_type))
    return [RawTable(name, tuple(cols)) for name, cols in columns.items()]


def wanted_columns(table: RawTable) -> list[tuple[str, str]]:
    """(column, PostgreSQL type) of the copy of a DuckDB raw table."""
    return [
        (name, postgres_type(data_type, f"{RAW_SCHEMA}.{table.name}.{name}"))
        for name, data_type in table.columns
    ]


def create_table_statement(table: RawTable) -> sql.Composed:
    columns = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(name), sql.SQL(pg_type))
        for name, pg_type in wanted_columns(table)
    )
    return sql.SQL("create table {} ({})").format(sql.Identifier(RAW_SCHEMA, table.name), columns)


def existing_postgres_columns(cursor, table_name: str) -> list[tuple[str, str]] | None:
    """(column, type) of raw.<table> in PostgreSQL in table order, None when it does not exist."""
    qualified = sql.Identifier(RAW_SCHEMA, table_name).as_string(cursor)
    cursor.execute("select to_regclass(%s)", [qualified])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(
        """
        select attname, format_type(atttypid, atttypmod)
        from pg_attribute
        where attrelid = to_regclass(%s) and attnum > 0 and not attisdropped
        order by attnum
        """,
        [qualified],
    )
    return [(name, data_type) for name, data_type in cursor.fetchall()]


@dataclass(frozen=True)
class ReplicationResult:
    rows: dict[str, int]  # raw table -> rows copied
    seconds: float


def replicate_raw(duckdb_path: Path, settings: PostgresSettings) -> ReplicationResult:
    """Make PostgreSQL's `raw` schema a copy of the DuckDB warehouse's, in one transaction.

    Every table is copied whole (raw is small next to what dbt computes from it, and a whole copy
    also carries deleted deliveries over). A table whose columns still match is truncated, not
    dropped, so the staging views built on it survive; one whose columns changed (a contract
    column or an extra file column added) is dropped with its dependent views, which the dbt build
    that follows recreates. Readers see the old raw schema until the commit.
    """
    started = time.monotonic()
    duck = connect(duckdb_path, read_only=True)
    pg = connect_postgres(settings)
    rows: dict[str, int] = {}
    try:
        tables = raw_tables(duck)
        if not tables:
            raise RunFailed(
                f"the warehouse {duckdb_path} has no raw table: run `mspkpi ingest` (or "
                "`mspkpi run --target postgres`, which ingests first)"
            )
        with tempfile.TemporaryDirectory(prefix="mspkpi-raw-") as scratch, pg.cursor() as cursor:
            cursor.execute(sql.SQL("create schema if not exists {}").format(sql.Identifier("raw")))
            for table in tables:
                rows[table.name] = _copy_table(duck, cursor, table, Path(scratch))
        pg.commit()
    except (psycopg2.Error, duckdb.Error) as error:
        pg.rollback()
        raise RunFailed(
            f"copying the raw schema of {duckdb_path} into {settings.describe()} failed: "
            f"{str(error).strip()}\n"
            "Nothing was changed there (one transaction). Fix the cause above and run again."
        ) from error
    except BaseException:
        pg.rollback()
        raise
    finally:
        pg.close()
        duck.close()
    return ReplicationResult(rows=rows, seconds=time.monotonic() - started)


def _copy_table(duck: duckdb.DuckDBPyConnection, cursor, table: RawTable, scratch: Path) -> int:
    target = sql.Identifier(RAW_SCHEMA, table.name)
    wanted = wanted_columns(table)
    existing = existing_postgres_columns(cursor, table.name)
    if existing == wanted:
        cursor.execute(sql.SQL("truncate table {}").format(target))
    else:
        if existing is not None:
            cursor.execute(sql.SQL("drop table {} cascade").format(target))
        cursor.execute(create_table_statement(table))
    csv_path = scratch / f"{table.name}.csv"
    quoted = f'"{RAW_SCHEMA}"."' + table.name.replace('"', '""') + '"'
    # force_quote: a value that is exactly "\." would otherwise end PostgreSQL's COPY early
    duck.execute(
        f"copy (select * from {quoted}) to '{str(csv_path).replace(chr(39), chr(39) * 2)}' "
        "(format csv, header true, force_quote *)"
    )
    with csv_path.open("r", encoding="utf-8") as data:
        cursor.copy_expert(
            sql.SQL("copy {} from stdin with (format csv, header true)").format(target), data
        )
    copied = cursor.rowcount
    cursor.execute(sql.SQL("analyze {}").format(target))
    csv_path.unlink()
    return copied


def grant_reporting(settings: PostgresSettings) -> None:
    """The `reporting` role: USAGE on schema marts, SELECT on its tables now and on those created
    later (default privileges of the building user, as dbt recreates every mart on each build),
    and nothing on raw, staging, intermediate or seeds. It logs in with
    MSPKPI_PG_REPORTING_PASSWORD when that is set; without it the role is NOLOGIN and is granted
    to the people or tools that need it."""
    role = sql.Identifier(REPORTING_ROLE)
    marts = sql.Identifier(MART_SCHEMA)
    pg = connect_postgres(settings)
    try:
        with pg.cursor() as cursor:
            cursor.execute("select 1 from pg_roles where rolname = %s", [REPORTING_ROLE])
            verb = "alter" if cursor.fetchone() else "create"
            if settings.reporting_password:
                cursor.execute(
                    sql.SQL(verb + " role {} login password {}").format(
                        role, sql.Literal(settings.reporting_password)
                    )
                )
            else:
                cursor.execute(sql.SQL(verb + " role {} nologin").format(role))
            cursor.execute(sql.SQL("create schema if not exists {}").format(marts))
            cursor.execute(sql.SQL("grant usage on schema {} to {}").format(marts, role))
            cursor.execute(
                sql.SQL("grant select on all tables in schema {} to {}").format(marts, role)
            )
            cursor.execute(
                sql.SQL(
                    "alter default privileges in schema {} grant select on tables to {}"
                ).format(marts, role)
            )
            for schema in PRIVATE_SCHEMAS:
                cursor.execute("select 1 from pg_namespace where nspname = %s", [schema])
                if cursor.fetchone():
                    cursor.execute(
                        sql.SQL("revoke all on schema {} from {}").format(
                            sql.Identifier(schema), role
                        )
                    )
        pg.commit()
    except psycopg2.Error as error:
        pg.rollback()
        raise RunFailed(
            f"creating the role {REPORTING_ROLE} in {settings.describe()} failed: "
            f"{str(error).strip()}\nThe user {settings.user} needs CREATEROLE and to own schema "
            f"{MART_SCHEMA}; ask the database administrator, or build as the database owner."
        ) from error
    finally:
        pg.close()


def mart_row_counts(settings: PostgresSettings) -> dict[str, int]:
    """Rows of every table of schema marts in PostgreSQL, by name (for the run summary)."""
    pg = connect_postgres(settings)
    try:
        with pg.cursor() as cursor:
            cursor.execute(
                "select table_name from information_schema.tables "
                "where table_schema = %s and table_type = 'BASE TABLE' order by table_name",
                [MART_SCHEMA],
            )
            names = [row[0] for row in cursor.fetchall()]
            counts = {}
            for name in names:
                cursor.execute(
                    sql.SQL("select count(*) from {}").format(sql.Identifier(MART_SCHEMA, name))
                )
                counts[name] = cursor.fetchone()[0]
            return counts
    finally:
        pg.close()

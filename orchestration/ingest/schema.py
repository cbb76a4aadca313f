"""The `raw` schema: one append-only typed table per entity, the load audit and the rejects.

Raw table `raw.<system>__<entity>`: the contract columns in contract order with the types below,
then the metadata columns `_source_file`, `_source_line`, `_loaded_at` (UTC), `_delivery_id`, then
any extra column a file brought (VARCHAR, added with ALTER TABLE the first time it appears).

A required contract column is NOT NULL: the load already rejects a row without it, and the engine
then guarantees it for every row however it was written, where a `not_null` data test per column
would re-read the table in every dbt build (DECISIONLOG, "Raw tables state the contract's required
columns").
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from orchestration.contract import Column, Contract, Entity, load_contract
from orchestration.ingest.results import ContractViolation
from orchestration.ingest.sql import ident, join_lines, literal, table

RAW_SCHEMA = "raw"
AUDIT_TABLE = "_load_audit"
REJECTS_TABLE = "_rejects"

# dec is DOUBLE, not DECIMAL(18,4): four decimals would round the exchange rate of a weak currency
# (1 IDR = 0.000057 EUR) to 0.0001, while a double keeps 15 significant digits, more than any
# amount, rate or hour count of an export has. Staging may round money for display.
SQL_TYPES: dict[str, str] = {
    "id": "VARCHAR",
    "text": "VARCHAR",
    "ts": "TIMESTAMP",
    "date": "DATE",
    "int": "BIGINT",
    "dec": "DOUBLE",
    "bool": "BOOLEAN",
    "cur": "VARCHAR",
    "enum": "VARCHAR",
    "hhmm": "VARCHAR",
}

METADATA_COLUMNS: dict[str, str] = {
    "_source_file": "VARCHAR",
    "_source_line": "BIGINT",
    "_loaded_at": "TIMESTAMP",
    "_delivery_id": "BIGINT",
}

AUDIT_DDL = f"""
create table if not exists {table(RAW_SCHEMA, AUDIT_TABLE)} (
    delivery_id bigint primary key,
    entity varchar not null,
    file varchar not null,
    content_hash varchar not null,
    file_size_bytes bigint not null,
    status varchar not null check (status in ('loaded', 'refused')),
    received bigint not null,
    loaded bigint not null,
    rejected bigint not null,
    message varchar,
    source_timezone varchar not null,
    started_at timestamp not null,
    finished_at timestamp not null,
    encoding varchar,
    check (loaded + rejected = received)
)"""

# Audit columns added after the first release: added to an existing warehouse's audit table.
AUDIT_ADDED_COLUMNS = {"encoding": "VARCHAR"}  # a CSV's text encoding (NULL for Parquet)

REJECTS_DDL = f"""
create table if not exists {table(RAW_SCHEMA, REJECTS_TABLE)} (
    delivery_id bigint not null,
    entity varchar not null,
    file varchar not null,
    line bigint,
    column_name varchar,
    value varchar,
    reason varchar not null,
    record varchar
)"""


def ensure_raw_schema(con: duckdb.DuckDBPyConnection, contract: Contract | None = None) -> None:
    """Create the raw schema, the audit and rejects tables and one typed table per entity.

    Idempotent. A contract column added since the table was created is added to it; a column whose
    type no longer matches the contract raises ContractViolation (that needs a migration).
    """
    ensure_tables(con, (contract or load_contract()).entities)


def ensure_tables(con: duckdb.DuckDBPyConnection, entities: Iterable[Entity]) -> None:
    """The common tables and the given entities' tables, in one transaction (one commit)."""
    con.begin()
    try:
        ensure_common_tables(con)
        for entity in entities:
            ensure_entity_table(con, entity)
    except BaseException:
        con.rollback()
        raise
    con.commit()


def ensure_common_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw schema with the load audit and the rejects tables."""
    con.execute(f"create schema if not exists {ident(RAW_SCHEMA)}")
    con.execute(AUDIT_DDL)
    for name, sql_type in AUDIT_ADDED_COLUMNS.items():
        add_column(con, AUDIT_TABLE, name, sql_type)
    con.execute(REJECTS_DDL)


def ensure_entity_table(con: duckdb.DuckDBPyConnection, entity: Entity) -> None:
    con.execute(create_entity_table_sql(entity))
    existing = existing_columns(con, entity.raw_table)
    for column in entity.columns:
        wanted = SQL_TYPES[column.type]
        found = existing.get(column.name)
        if found is None:
            # nullable even when required: the rows loaded before the column existed have no value
            add_column(con, entity.raw_table, column.name, wanted)
            continue
        found_type, found_not_null = found
        if found_type != wanted:
            raise ContractViolation(
                f"raw.{entity.raw_table}.{column.name} is {found_type} but the contract says "
                f"{column.type} ({wanted}): write a migration that converts the column"
            )
        if found_not_null != column.required:
            align_nullability(con, entity.raw_table, column)


def align_nullability(con: duckdb.DuckDBPyConnection, raw_table: str, column: Column) -> None:
    """NOT NULL as the contract says: a column made optional drops it; a required column of an
    older table gets it when none of its rows lacks a value (a column added to the contract
    later stays nullable: the rows loaded before it have none, and the load checks the new)."""
    qualified, name = table(RAW_SCHEMA, raw_table), ident(column.name)
    if not column.required:
        con.execute(f"alter table {qualified} alter column {name} drop not null")
        return
    nulls = con.execute(f"select count(*) from {qualified} where {name} is null").fetchone()[0]
    if nulls == 0:
        con.execute(f"alter table {qualified} alter column {name} set not null")


def create_entity_table_sql(entity: Entity) -> str:
    columns = [
        f"{ident(c.name)} {SQL_TYPES[c.type]}{' not null' if c.required else ''}"
        for c in entity.columns
    ]
    columns += [f"{ident(name)} {sql_type}" for name, sql_type in METADATA_COLUMNS.items()]
    body = join_lines("    " + column for column in columns)
    return f"create table if not exists {table(RAW_SCHEMA, entity.raw_table)} (\n{body}\n)"


def existing_columns(con: duckdb.DuckDBPyConnection, raw_table: str) -> dict[str, tuple[str, bool]]:
    """Column name -> (DuckDB type, NOT NULL) of a raw table (names as stored, types like
    'BIGINT')."""
    # pragma_table_info with a literal: duckdb_columns() with bound parameters takes seconds
    qualified = literal(f"{RAW_SCHEMA}.{raw_table}")
    sql = f'select name, type, "notnull" from pragma_table_info({qualified})'
    rows = con.execute(sql).fetchall()
    return {name: (data_type, not_null) for name, data_type, not_null in rows}


def add_column(con: duckdb.DuckDBPyConnection, raw_table: str, name: str, sql_type: str) -> None:
    con.execute(
        f"alter table {table(RAW_SCHEMA, raw_table)} "
        f"add column if not exists {ident(name)} {sql_type}"
    )

"""Reading a test warehouse without holding its write lock: one read-only connection per query."""

from __future__ import annotations

from pathlib import Path

import duckdb


def query(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(database), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def records(database: Path, sql: str, params: list | None = None) -> list[dict[str, object]]:
    """The rows as dicts keyed by column name."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()

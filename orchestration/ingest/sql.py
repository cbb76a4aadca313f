"""Quoting for the SQL that ingestion generates from the contract (names and paths come from files
dropped by users, so everything is quoted, never pasted)."""

from __future__ import annotations

from collections.abc import Iterable


def ident(name: str) -> str:
    """A quoted SQL identifier: `ticket_id` -> `"ticket_id"`."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: str) -> str:
    """A quoted SQL string literal: `it's` -> `'it''s'`."""
    return "'" + value.replace("'", "''") + "'"


def table(schema: str, name: str) -> str:
    return f"{ident(schema)}.{ident(name)}"


def join_lines(parts: Iterable[str], separator: str = ",\n") -> str:
    return separator.join(parts)


def indent(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line else line for line in text.splitlines())

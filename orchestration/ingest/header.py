"""Matching a file's header to the contract: which field is which column, what is extra, and what
makes the whole file unusable (a required column missing, a column given twice, a delimiter other
than the comma)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from orchestration.contract import Column, Entity
from orchestration.ingest.rules import can_fail
from orchestration.ingest.schema import METADATA_COLUMNS


@dataclass(frozen=True)
class SourceColumn:
    position: int  # 0-based field position in the file
    header: str  # the name as written in the file (trimmed), used as key of the reject record
    stage: str  # '__c3': the VARCHAR column DuckDB reads the field into
    raw_name: str  # the column in the raw table: the contract name, or the extra column's name
    contract: Column | None  # None for an extra column

    @property
    def value(self) -> str:
        """'__v3': the field trimmed, empty as NULL (what the type rules read)."""
        return f"__v{self.position}"

    @property
    def error(self) -> str:
        """'__e3': why the field breaks the contract, NULL when it does not."""
        return f"__e{self.position}"


@dataclass(frozen=True)
class Header:
    columns: tuple[SourceColumn, ...]
    missing_required: tuple[str, ...]
    duplicated: tuple[str, ...]
    delimiter_found: str | None = None  # the file is separated by this, not by commas

    @property
    def contract_columns(self) -> dict[str, SourceColumn]:
        return {c.contract.name: c for c in self.columns if c.contract is not None}

    @property
    def checked_columns(self) -> tuple[SourceColumn, ...]:
        """The contract columns present in the file whose values can break the contract."""
        return tuple(c for c in self.columns if c.contract is not None and can_fail(c.contract))

    @property
    def extras(self) -> tuple[SourceColumn, ...]:
        return tuple(c for c in self.columns if c.contract is None)

    def refusal_reason(self) -> str | None:
        """Why the file cannot be loaded at all, or None when the header is usable."""
        if self.delimiter_found:
            return (
                f"the header (line 1) is separated by {DELIMITER_NAMES[self.delimiter_found]}, "
                "not by commas"
            )
        if self.missing_required:
            return f"{_missing_text(self.missing_required)} (line 1)"
        if self.duplicated:
            names = ", ".join(f"'{name}'" for name in self.duplicated)
            return f"column {names} appears more than once in the header (line 1)"
        return None

    def refusal(self, file: str) -> str | None:
        """The operator message refusing the file, or None when the header is usable."""
        reason = self.refusal_reason()
        if reason is None:
            return None
        if self.delimiter_found:
            advice = "export it as comma-separated CSV"
        elif self.missing_required:
            advice = "add the column to the export"
        else:
            advice = "keep one of them"
        return (
            f"{file}: {reason}; nothing was loaded from this file: {advice} and deliver"
            " the file again"
        )

    def refusal_column(self) -> str | None:
        if self.delimiter_found:
            return None  # every column: the line is one field
        return ", ".join(self.missing_required or self.duplicated)


# Delimiters a spreadsheet or an export tool uses instead of the comma (a semicolon where the
# comma is the decimal separator, a tab for "text" exports, a pipe).
DELIMITER_NAMES = {";": "semicolons (';')", "\t": "tabs", "|": "pipes ('|')"}


def with_delimiter_found(
    header: Header, entity: Entity, read_names: Callable[[str], list[str] | None]
) -> Header:
    """The header, marked as separated by another delimiter when read that way it names more of
    the entity's columns than read with commas (only looked at when required columns are
    missing: a comma-separated header stays what it is)."""
    if not header.missing_required:
        return header
    known = {column.name.lower() for column in entity.columns}

    def matches(names: list[str] | None) -> int:
        return len({name.strip().lower() for name in names or []} & known)

    with_commas = len(header.contract_columns)
    best, best_matches = None, with_commas
    for delimiter in DELIMITER_NAMES:
        found = matches(read_names(delimiter))
        if found > best_matches:
            best, best_matches = delimiter, found
    return replace(header, delimiter_found=best) if best else header


def match_header(names: list[str], entity: Entity) -> Header:
    """Match header names to the contract case-insensitively (after trimming)."""
    by_name = {column.name.lower(): column for column in entity.columns}
    cleaned = [name.strip() for name in names]
    counts = Counter(name.lower() for name in cleaned)
    duplicated = tuple(c.name for c in entity.columns if counts[c.name.lower()] > 1)
    taken = set(METADATA_COLUMNS) | set(by_name)
    columns: list[SourceColumn] = []
    for position, name in enumerate(cleaned):
        contract = by_name.get(name.lower())
        if contract is not None and any(c.contract == contract for c in columns):
            contract = None  # a duplicate: the file is refused, keep the field as an extra
        raw_name = contract.name if contract else _extra_name(name, position, taken)
        taken.add(raw_name)
        columns.append(SourceColumn(position, name, f"__c{position}", raw_name, contract))
    present = {c.contract.name for c in columns if c.contract}
    missing = tuple(c.name for c in entity.columns if c.required and c.name not in present)
    return Header(tuple(columns), missing, duplicated)


def _extra_name(name: str, position: int, taken: set[str]) -> str:
    """An identifier for an extra column: 'Ticket Notes' -> 'ticket_notes', unique in the table."""
    base = re.sub(r"[^0-9a-z_]+", "_", name.lower()).strip("_") or f"column_{position + 1}"
    candidate, suffix = base, 2
    while candidate in taken:
        candidate, suffix = f"{base}_{suffix}", suffix + 1
    return candidate


def _missing_text(missing: tuple[str, ...]) -> str:
    if len(missing) == 1:
        return f"required column '{missing[0]}' is missing from the header"
    names = ", ".join(f"'{name}'" for name in missing)
    return f"required columns {names} are missing from the header"

"""Writing extract files exactly as a user drops them in the landing folder.

Headers come from the extract contract, so a file can never drift from it. Rows are mappings
from column name to text (None = empty = NULL); keys starting with `_` are notes for the
saboteur and never written. Every file is streamed through `csv.writer` row by row.
"""

from __future__ import annotations

import csv
import operator
import shutil
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from orchestration.contract import Contract, Entity

from .clock import Window

Row = Mapping[str, Any]


@dataclass(frozen=True)
class BrokenRow:
    """A row broken on purpose, so that the demo's rejects are never empty."""

    file: str  # path relative to out_dir, e.g. "psa/tickets/2025-03.csv"
    line: int  # physical line in the file, header = line 1
    column: str  # the contract column that is wrong
    reason: str  # e.g. "invalid timestamp", "duplicate key in file"


@dataclass(frozen=True)
class SampleSummary:
    out_dir: Path
    rows: dict[str, int]  # data rows written per entity key ('psa/tickets'), broken rows included
    files: int
    broken_rows: tuple[BrokenRow, ...]
    next_day: SampleSummary | None = None  # the delivery of the day after, when asked for


@dataclass
class Sabotage:
    """Break the first row of `entity` written in a file of month >= `from_month` that `accepts`.

    `bad_value` gives the broken text of `column`; without it the row is written twice and the
    second copy is the broken one (a duplicate key within the file).
    """

    entity: str
    from_month: int
    column: str
    reason: str
    accepts: Callable[[Row], bool]
    bad_value: Callable[[Row], str] | None = None
    done: bool = False


class CsvFile:
    """One delivery being written; counts physical lines (the header is line 1)."""

    def __init__(
        self, deliveries: Deliveries, entity: Entity, relative: str, month: int | None
    ) -> None:
        self._deliveries = deliveries
        self._entity = entity
        self._columns = [column.name for column in entity.columns]
        # rows usually carry every column: one C-level itemgetter call instead of a dict.get
        # per column (the generator writes millions of rows); missing keys fall back to None
        self._values = operator.itemgetter(*self._columns)
        self.relative = relative
        self.month = month
        path = deliveries.out_dir / relative
        self._handle: IO[str] = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self._writer = csv.writer(self._handle, lineterminator="\n")
        self._writerow = self._writer.writerow
        self._writer.writerow(self._columns)
        self.line = 1
        self._sabotages = [
            sabotage
            for sabotage in deliveries.sabotages
            if sabotage.entity == entity.key and (month is None or month >= sabotage.from_month)
        ]

    def write(self, row: Row) -> None:
        if self._sabotages:
            self._maybe_break(row, [row.get(name) for name in self._columns])
            return
        try:
            values = self._values(row)
        except KeyError:
            values = [row.get(name) for name in self._columns]
        self._writerow(values)
        self.line += 1

    def _maybe_break(self, row: Row, values: list[Any]) -> None:
        key = (self._entity.key, *(row.get(name) for name in self._entity.primary_key))
        for sabotage in self._sabotages:
            if sabotage.done or key in self._deliveries.broken_keys or not sabotage.accepts(row):
                continue
            self._deliveries.broken_keys.add(key)
            sabotage.done = True
            self._sabotages = [s for s in self._sabotages if not s.done]
            if sabotage.bad_value is None:
                self._writer.writerow(values)
                self.line += 1
            else:
                values[self._columns.index(sabotage.column)] = sabotage.bad_value(row)
            self._writer.writerow(values)
            self.line += 1
            self._deliveries.record_broken(
                BrokenRow(self.relative, self.line, sabotage.column, sabotage.reason)
            )
            return
        self._writer.writerow(values)
        self.line += 1

    def close(self) -> None:
        self._handle.close()
        self._deliveries.record_file(self._entity.key, self.line - 1)


@dataclass
class Deliveries:
    """The landing folder being filled: files, row counts and broken rows."""

    out_dir: Path
    contract: Contract
    sabotages: list[Sabotage] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    broken: list[BrokenRow] = field(default_factory=list)
    broken_keys: set[tuple[Any, ...]] = field(default_factory=set)  # one broken version per key

    def reset(self) -> None:
        """Start every contract entity's folder empty (other content of out_dir is left alone)."""
        for entity in self.contract.entities:
            folder = self.out_dir / entity.system / entity.name
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            self.rows[entity.key] = 0

    def open(self, key: str, name: str, month: int | None = None) -> CsvFile:
        entity = self.contract.entity(key)
        return CsvFile(self, entity, f"{entity.system}/{entity.name}/{name}", month)

    def write_file(
        self, key: str, name: str, rows: Iterable[Row], month: int | None = None
    ) -> None:
        handle = self.open(key, name, month)
        try:
            for row in rows:
                handle.write(row)
        finally:
            handle.close()

    def record_file(self, key: str, rows: int) -> None:
        self.files += 1
        self.rows[key] = self.rows.get(key, 0) + rows

    def record_broken(self, broken: BrokenRow) -> None:
        self.broken.append(broken)

    def summary(self) -> SampleSummary:
        return SampleSummary(
            out_dir=self.out_dir,
            rows=dict(self.rows),
            files=self.files,
            broken_rows=tuple(sorted(self.broken, key=lambda b: (b.file, b.line))),
        )


class MonthlyFiles:
    """One `<yyyy-mm>.csv` per month for a fact entity, opened on its first row.

    Months must be written in order: rows of a later month wait in `defer` until that month is
    reached, rows after the window are dropped (the export happened before they existed).
    """

    def __init__(self, deliveries: Deliveries, key: str, window: Window) -> None:
        self._deliveries = deliveries
        self._key = key
        self._window = window
        self._current = -1
        self._file: CsvFile | None = None
        self._waiting: dict[int, list[Row]] = {}

    def begin(self, month: int) -> None:
        """Move to `month`: close the previous file, then write the rows that waited for it."""
        if month < self._current:
            raise ValueError(f"{self._key}: month {month} after month {self._current}")
        if month != self._current:
            self._close()
            self._current = month
            for row in self._waiting.pop(month, []):
                self.write(row)

    def write(self, row: Row) -> None:
        if self._file is None:
            name = f"{self._window.labels[self._current]}.csv"
            self._file = self._deliveries.open(self._key, name, self._current)
        self._file.write(row)

    def route(self, month: int, row: Row) -> None:
        """Write `row` in `month`'s file: now, later, or never (outside the window)."""
        if month == self._current:
            if self._file is not None:
                self._file.write(row)
            else:
                self.write(row)
        elif self._current < month < self._window.n:
            self._waiting.setdefault(month, []).append(row)
        elif month < self._current and month >= 0:
            raise ValueError(f"{self._key}: a row for month {month} came in month {self._current}")

    def route_at(self, t: int, row: Row) -> None:
        self.route(self._window.month_of(t), row)

    def _close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        self._close()
        self._waiting.clear()


class DayFiles:
    """The `<yyyy-mm-dd>.csv` delivery of one entity for one day (`PsaMonths.next_day`), opened
    on its first row; it has the interface of `MonthlyFiles`, and rows of any other period
    (`month` index other than the day's) are left out: they were delivered before, or come later.
    """

    def __init__(self, deliveries: Deliveries, key: str, label: str, index: int) -> None:
        self._deliveries = deliveries
        self._key = key
        self._name = f"{label}.csv"
        self._index = index
        self._file: CsvFile | None = None

    def begin(self, month: int) -> None:
        """Nothing to switch: one day, one file."""

    def write(self, row: Row) -> None:
        if self._file is None:
            self._file = self._deliveries.open(self._key, self._name, self._index)
        self._file.write(row)

    def route(self, month: int, row: Row) -> None:
        if month == self._index:
            self.write(row)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def write_monthly(
    deliveries: Deliveries, key: str, window: Window, dated_rows: Iterable[tuple[int, Row]]
) -> None:
    """Write (month index, row) pairs, already in month order, one file per month."""
    files = MonthlyFiles(deliveries, key, window)
    for month, row in dated_rows:
        if 0 <= month < window.n:
            files.begin(month)
            files.write(row)
    files.close()


Versions = list[tuple[int, Row]]


def write_versioned_dimension(
    deliveries: Deliveries,
    key: str,
    window: Window,
    rows: Iterable[Versions],
    first_update_month: int,
) -> None:
    """`snapshot.csv` as exported before `first_update_month`, then one `updates-<yyyy-mm>.csv`
    per later month with the rows created or changed in it (their newer versions).

    Each item of `rows` is one key's versions as (updated_at instant, row), oldest first.
    Versions after the window are not written (they had not happened at export time).
    """
    cut = window.starts[first_update_month]
    updates: dict[int, list[Row]] = {}
    snapshot = deliveries.open(key, "snapshot.csv")
    try:
        for versions in rows:
            before = [row for t, row in versions if t < cut]
            if before:
                snapshot.write(before[-1])
            latest: dict[int, Row] = {}
            for t, row in versions:
                month = window.month_of(t)
                if t >= cut and month < window.n:
                    latest[month] = row
            for month, row in latest.items():
                updates.setdefault(month, []).append(row)
    finally:
        snapshot.close()
    for month in sorted(updates):
        deliveries.write_file(key, f"updates-{window.labels[month]}.csv", updates[month], month)


def write_versioned_facts(
    deliveries: Deliveries, key: str, window: Window, rows: Iterable[Versions]
) -> None:
    """Monthly files of a mutable fact (leads, opportunities): each month's file holds the latest
    version written that month of every row that changed in it. Versions from before the window
    are folded into the first file (the first export carries the history)."""
    by_month: dict[int, list[tuple[int, int, Row]]] = {}
    for order, versions in enumerate(rows):
        latest: dict[int, tuple[int, Row]] = {}
        for t, row in versions:
            month = max(window.month_of(t), 0)
            if month < window.n:
                latest[month] = (t, row)
        months = sorted(latest)
        for position, month in enumerate(months):
            t, row = latest[month]
            noted = dict(row)
            noted["_earlier"] = position > 0
            noted["_later"] = position < len(months) - 1
            by_month.setdefault(month, []).append((t, order, noted))
    dated = (
        (month, row)
        for month in sorted(by_month)
        for _, _, row in sorted(by_month[month], key=lambda item: (item[0], item[1]))
    )
    write_monthly(deliveries, key, window, dated)

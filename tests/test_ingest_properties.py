"""Property, from the contract's column specs: whatever valid and invalid values a delivery mixes,
the audit adds up (loaded + rejected = received), every valid row loads with its typed value, and
every invalid one is in raw._rejects on its line, naming the broken columns with a reason.

test_ingest_property.py breaks hand-picked ticket values and checks line numbering; this one
derives values from `extracts.yml` (type, required, min/max, allowed values) for entities of
several types (ts, date, int with ranges, dec with a minimum, bool, cur, enum, text), with the
columns in any order and optional ones left out.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.contract import Column, Entity, load_contract
from orchestration.ingest import load_entity

CONTRACT = load_contract()
ENTITIES = [
    CONTRACT.entity(key) for key in ("surveys/client_surveys", "psa/agreements", "psa/time_entries")
]
OFFSETS = {"Z": 0, "+02:00": 120, "-05:00": -300, "+0530": 330, "": 0}  # '' = source zone (UTC)

# Invalid text per type, with the start of the reason the loader gives.
INVALID: dict[str, list[tuple[str, str]]] = {
    "ts": [
        ("31/12/2025 10:00", "invalid ts"),
        ("2026-13-01T00:00:00Z", "invalid ts"),
        ("2026-02-30T10:00:00Z", "invalid ts"),
        ("2099-01-01T00:00:00Z", "in the future"),
    ],
    "date": [("2026-02-30", "invalid date"), ("01/02/2026", "invalid date")],
    "int": [("1.5", "invalid int"), ("ten", "invalid int")],
    "dec": [("1,5", "invalid dec"), ("1.2.3", "invalid dec"), ("12 EUR", "invalid dec")],
    "bool": [("maybe", "invalid bool"), ("oui", "invalid bool")],
    "cur": [("EURO", "invalid cur"), ("E1", "invalid cur")],
    "enum": [("not_an_allowed_value", "unknown value")],
}

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x00"),
    max_size=15,
)


@dataclass(frozen=True)
class Value:
    text: str  # as written in the file
    expected: object = None  # the typed value in the raw table (valid values)
    reason: str | None = None  # the start of the reject reason (invalid values)


@st.composite
def valid_values(draw: st.DrawFn, column: Column) -> Value:
    if not column.required and draw(st.integers(0, 5)) == 0:
        return Value("", None)
    kind = column.type
    if kind in ("id", "text"):
        text = draw(texts.filter(lambda t: t.strip() != "" or not column.required))
        if kind == "id":
            return Value(text, text.strip() or None)
        return Value(text, text or None)
    if kind == "ts":
        moment = draw(st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2026, 10, 31)))
        moment = moment.replace(microsecond=0)
        offset = draw(st.sampled_from(sorted(OFFSETS)))
        separator = draw(st.sampled_from(["T", " "]))
        text = moment.strftime(f"%Y-%m-%d{separator}%H:%M:%S") + offset
        return Value(text, moment - dt.timedelta(minutes=OFFSETS[offset]))
    if kind == "date":
        day = draw(st.dates(dt.date(2015, 1, 1), dt.date(2030, 12, 31)))
        return Value(day.isoformat(), day)
    if kind == "int":
        low = int(column.min) if column.min is not None else -(10**6)
        high = int(column.max) if column.max is not None else 10**6
        number = draw(st.integers(low, high))
        padding = draw(st.sampled_from(["", " "]))
        return Value(f"{padding}{number}{padding}", number)
    if kind == "dec":
        low = column.min if column.min is not None else -1e6
        number = draw(st.floats(low, 1e6, allow_nan=False, allow_infinity=False))
        return Value(repr(number), number)
    if kind == "bool":
        words = [("true", True), ("false", False), ("1", True), ("0", False), ("yes", True),
                 ("no", False)]  # fmt: skip
        word, value = draw(st.sampled_from(words))
        return Value(draw(st.sampled_from([word, word.upper(), word.title()])), value)
    if kind == "cur":
        code = draw(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
                            min_size=3, max_size=3))  # fmt: skip
        return Value(code, code.upper())
    if kind == "enum":
        allowed = draw(st.sampled_from(column.values))
        return Value(draw(st.sampled_from([allowed, allowed.upper(), allowed.title()])), allowed)
    raise AssertionError(f"no strategy for type {kind}")


def invalid_choices(column: Column) -> list[tuple[str, str]]:
    choices = list(INVALID.get(column.type, []))
    if column.required:
        choices.append(("", "missing required value"))
    if column.type == "int" and column.min is not None:
        choices.append((str(int(column.min) - 1), "out of range"))
    if column.type == "int" and column.max is not None:
        choices.append((str(int(column.max) + 1), "out of range"))
    if column.type == "dec" and column.min is not None:
        choices.append((str(column.min - 0.5), "out of range"))
    return choices


@dataclass(frozen=True)
class Row:
    values: dict[str, Value]
    broken: frozenset[str]  # columns given an invalid value


@dataclass(frozen=True)
class Delivery:
    entity: Entity
    header: list[str]
    rows: list[Row]


@st.composite
def deliveries(draw: st.DrawFn) -> Delivery:
    entity = draw(st.sampled_from(ENTITIES))
    kept = [c for c in entity.columns if c.required or draw(st.booleans())]
    header = [c.name for c in draw(st.permutations(kept))]
    breakable = [c for c in kept if invalid_choices(c)]
    [key] = entity.primary_key
    rows: list[Row] = []
    for number in range(draw(st.integers(0, 12))):
        values = {c.name: draw(valid_values(c)) for c in kept}
        if not entity.column(key).required or values[key].expected is not None:
            values[key] = Value(f"K{number}", f"K{number}")  # unique unless reused below
        earlier_keys = [row.values[key] for row in rows if key not in row.broken]
        if earlier_keys and draw(st.integers(0, 4)) == 0:
            values[key] = draw(st.sampled_from(earlier_keys))
        broken: set[str] = set()
        if draw(st.integers(0, 2)) == 0:
            for column in draw(st.lists(st.sampled_from(breakable), min_size=1, max_size=2)):
                text, reason = draw(st.sampled_from(invalid_choices(column)))
                values[column.name] = Value(text, reason=reason)
                broken.add(column.name)
        rows.append(Row(values, frozenset(broken)))
    return Delivery(entity, header, rows)


def render(delivery: Delivery) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(delivery.header)
    for row in delivery.rows:
        writer.writerow([row.values[name].text for name in delivery.header])
    return buffer.getvalue()


def expected_outcome(delivery: Delivery) -> tuple[dict[int, Row], dict[int, set[str]]]:
    """Rows expected to load and, for the others, the columns their rejects name, by line."""
    [key] = delivery.entity.primary_key
    loaded: dict[int, Row] = {}
    rejected: dict[int, set[str]] = {}
    seen: set[object] = set()
    for line, row in enumerate(delivery.rows, start=2):
        if row.broken:
            rejected[line] = set(row.broken)
        elif row.values[key].expected in seen:
            rejected[line] = {key}  # a duplicate of an earlier valid row
        else:
            seen.add(row.values[key].expected)
            loaded[line] = row
    return loaded, rejected


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deliveries())
def test_valid_rows_load_typed_and_invalid_ones_are_rejected(delivery: Delivery) -> None:
    entity = delivery.entity
    with tempfile.TemporaryDirectory() as tmp:
        raw_dir = Path(tmp)
        path = raw_dir / entity.key / "delivery.csv"
        path.parent.mkdir(parents=True)
        path.write_text(render(delivery), encoding="utf-8")
        con = duckdb.connect()

        [result] = load_entity(con, raw_dir, entity)

        names = delivery.header
        columns = ", ".join(f'"{name}"' for name in names)
        stored = {
            line: dict(zip(names, values, strict=True))
            for line, *values in con.execute(
                f"select _source_line, {columns} from raw.{entity.raw_table}"
            ).fetchall()
        }
        rejects: dict[int, list[tuple[str, str]]] = {}
        for line, column, reason in con.execute(
            "select line, column_name, reason from raw._rejects"
        ).fetchall():
            rejects.setdefault(line, []).append((column, reason))
        audit = con.execute("select received, loaded, rejected from raw._load_audit").fetchall()

    loaded, rejected = expected_outcome(delivery)
    assert audit == [(len(delivery.rows), len(loaded), len(rejected))]
    assert (result.received, result.loaded, result.rejected) == audit[0]
    assert stored == {
        line: {name: row.values[name].expected for name in names} for line, row in loaded.items()
    }
    assert {line: {column for column, _ in found} for line, found in rejects.items()} == rejected
    for line, found in rejects.items():
        row = delivery.rows[line - 2]
        for column, reason in found:
            wanted = row.values[column].reason if column in row.broken else "duplicate key"
            assert reason.startswith(wanted), (line, column, reason)

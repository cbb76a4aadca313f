"""Property: whatever mix of valid and broken rows a file holds, loaded + rejected = received,
every valid row loads on its physical line, and every broken row is rejected on its line."""

from __future__ import annotations

import csv
import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orchestration.contract import load_contract
from orchestration.ingest import load_entity

TICKETS = load_contract().entity("psa/tickets")
COLUMNS = [
    "ticket_id", "client_id", "created_at", "priority", "ticket_type", "source", "board", "tier",
    "resolved_at", "status", "is_proactive", "updated_at",
]  # fmt: skip
BREAKS = {
    "bad_ts": ("created_at", "2026-02-30T10:00:00Z"),
    "unknown_enum": ("priority", "urgent"),
    "missing_required": ("client_id", ""),
    "out_of_range": ("tier", "7"),
    "bad_int": ("tier", "1.5"),
    "bad_bool": ("is_proactive", "maybe"),
    "resolved_before_created": ("resolved_at", "2026-01-01T00:00:00Z"),
}
SHAPES = ("too_many_fields", "too_few_fields", "duplicate_key")
KINDS = ("valid",) * 6 + tuple(BREAKS) + SHAPES

texts = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n\x00", max_codepoint=0x2FF
    ),
    max_size=12,
)


@dataclass(frozen=True)
class Line:
    fields: list[str] | None  # None: a blank line
    key: str | None = None
    valid: bool = False


def valid_row(key: str, board: str, tier: int, proactive: str) -> dict[str, str]:
    return {
        "ticket_id": key,
        "client_id": "C1",
        "created_at": "2026-01-05T09:00:00+01:00",
        "priority": "P2",
        "ticket_type": "incident",
        "source": "email",
        "board": board,
        "tier": str(tier),
        "resolved_at": "2026-01-05 10:00:00",
        "status": "Open",
        "is_proactive": proactive,
        "updated_at": "2026-01-05T10:00:00Z",
    }


@st.composite
def files(draw: st.DrawFn) -> tuple[list[str], list[Line]]:
    order = draw(st.permutations(COLUMNS))
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=25))
    lines: list[Line] = []
    valid_keys: list[str] = []
    for number, kind in enumerate(kinds):
        if draw(st.integers(0, 9)) == 0:
            lines.append(Line(None))
        key = f"T{number}"
        row = valid_row(key, draw(texts), draw(st.integers(1, 3)), draw(st.sampled_from(
            ["true", "FALSE", "1", "0", "Yes", "no", ""])))  # fmt: skip
        if kind in BREAKS:
            column, value = BREAKS[kind]
            row[column] = value
        if kind == "duplicate_key" and valid_keys:
            row["ticket_id"] = draw(st.sampled_from(valid_keys))
        fields = [row[name] for name in order]
        if kind == "too_many_fields":
            fields.append("extra")
        elif kind == "too_few_fields":
            fields.pop()
        valid = kind == "valid" or (kind == "duplicate_key" and not valid_keys)
        if valid:
            valid_keys.append(key)
        lines.append(Line(fields, key, valid))
    return order, lines


def render(header: list[str], lines: list[Line]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for line in lines:
        if line.fields is None:
            buffer.write("\n")
        else:
            writer.writerow(line.fields)
    return buffer.getvalue()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files())
def test_every_row_is_loaded_or_rejected_on_its_line(case: tuple[list[str], list[Line]]) -> None:
    header, lines = case
    with tempfile.TemporaryDirectory() as tmp:
        raw_dir = Path(tmp)
        path = raw_dir / "psa/tickets/f.csv"
        path.parent.mkdir(parents=True)
        path.write_text(render(header, lines), encoding="utf-8")
        con = duckdb.connect()

        [result] = load_entity(con, raw_dir, TICKETS, source_timezone="Europe/Paris")

        physical = {id(line): number for number, line in enumerate(lines, start=2)}
        rows = [line for line in lines if line.fields is not None]
        expected_loaded = {(line.key, physical[id(line)]) for line in rows if line.valid}
        expected_rejected = {physical[id(line)] for line in rows if not line.valid}
        loaded = set(con.execute("select ticket_id, _source_line from raw.psa__tickets").fetchall())
        rejected = {line for (line,) in con.execute("select distinct line from raw._rejects")
                    .fetchall()}  # fmt: skip
        audit = con.execute("select received, loaded, rejected from raw._load_audit").fetchall()

    assert result.received == len(rows)
    assert result.loaded + result.rejected == result.received
    assert audit == [(result.received, result.loaded, result.rejected)]
    assert loaded == expected_loaded
    assert rejected == expected_rejected

"""validate_raw_dir: the contract check of a raw directory that loads nothing."""

from __future__ import annotations

from dataclasses import astuple
from pathlib import Path

import duckdb
import pytest

from orchestration.contract import load_contract
from orchestration.ingest import ContractViolation, ensure_raw_schema, load_all, validate_raw_dir

TICKETS = (
    "ticket_id,client_id,created_at,priority,ticket_type,source,status,updated_at\n"
    "T1,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,2026-01-05T09:00:00Z\n"
    "T2,C1,2026-01-05T09:00:00Z,urgent,incident,phone,Open,2026-01-05T09:00:00Z\n"
    "T1,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,2026-01-05T09:00:00Z\n"
    "T3,C1,2026-01-05T09:00:00Z,p1,incident,phone,Open,2026-01-05T09:00:00Z,extra\n"
)


def write(raw_dir: Path, relative: str, text: str) -> None:
    path = raw_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    write(raw, "psa/tickets/2026-01.csv", TICKETS)
    write(raw, "psa/holidays/h.csv", "calendar_id,name\nCAL,New year\n")  # refused
    write(raw, "psa/calendars/c.csv", "calendar_id,timezone,weekday,opens_at,closes_at\n"
                                      "CAL,UTC,1,00:00,24:00\n")  # fmt: skip
    write(raw, "psa/ticket/typo.csv", TICKETS)  # an unknown folder
    write(raw, "psa/tickets/README.txt", "not a delivery")
    return raw


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_validate_reports_what_a_load_would_do_and_writes_nothing(
    tmp_path: Path, raw_dir: Path
) -> None:
    before = snapshot(tmp_path)

    report = validate_raw_dir(raw_dir)

    assert snapshot(tmp_path) == before
    assert not report.ok
    assert [(f.file, f.status, f.received, f.loaded, f.rejected) for f in report.files] == [
        ("psa/calendars/c.csv", "loaded", 1, 1, 0),
        ("psa/holidays/h.csv", "refused", 1, 0, 1),
        ("psa/tickets/2026-01.csv", "loaded", 4, 1, 3),
    ]
    assert report.reject_count == 4
    assert report.unknown_folders == ("psa/ticket",)
    assert report.ignored_files == ("psa/ticket/typo.csv", "psa/tickets/README.txt")
    assert "crm/leads" in report.entities_without_files
    assert "psa/tickets" not in report.entities_without_files

    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    ensure_raw_schema(con)
    loaded = load_all(con, raw_dir)
    load_rejects = con.execute(
        "select file, line, column_name, value, reason from raw._rejects "
        "order by delivery_id, line, column_name nulls first"
    ).fetchall()
    assert [astuple(r) for r in report.rejects] == load_rejects
    assert [(r.file, r.status, r.received, r.loaded, r.rejected) for r in loaded] == [
        (f.file, f.status, f.received, f.loaded, f.rejected) for f in report.files
    ]
    tickets = report.files[2]
    assert tickets.message == (
        "psa/tickets/2026-01.csv: 3 of 4 rows rejected (first at line 3, column 'priority': "
        "unknown value 'urgent' (allowed: p1, p2, p3, p4)); the other 1 rows are loaded. See the "
        "rejects listed, fix the rows in the source and deliver them again"
    )


def test_report_renders_for_an_operator(raw_dir: Path) -> None:
    text = validate_raw_dir(raw_dir).render(rejects_per_file=2)

    assert text.splitlines() == [
        f"Checked {raw_dir} against the extract contract.",
        "psa/calendars/c.csv: ok, 1 rows",
        "psa/holidays/h.csv: required column 'holiday_date' is missing from the header (line 1); "
        "nothing was loaded from this file: add the column to the export and deliver the file "
        "again",
        "psa/tickets/2026-01.csv: 3 of 4 rows rejected",
        "  line 3, priority: unknown value 'urgent' (allowed: p1, p2, p3, p4)",
        "  line 4, ticket_id: duplicate key (ticket_id) in file, first at line 2",
        "  ... and 1 more",
        "Unknown folders (their files are ignored; check the name): psa/ticket",
        "Ignored files (not .csv, .csv.gz or .parquet in <system>/<entity>/): "
        "psa/ticket/typo.csv, psa/tickets/README.txt",
        "No file for: " + ", ".join(
            e.key for e in load_contract().entities
            if e.key not in ("psa/calendars", "psa/holidays", "psa/tickets")
        ),
        "NOT OK: fix the files above and validate again",
    ]  # fmt: skip


def test_clean_directory_is_ok(tmp_path: Path) -> None:
    write(tmp_path, "psa/tickets/2026-01.csv", TICKETS.splitlines()[0] + "\n"
          + TICKETS.splitlines()[1] + "\n")  # fmt: skip

    report = validate_raw_dir(tmp_path)

    assert report.ok
    assert report.rejects == ()
    assert [(f.status, f.loaded) for f in report.files] == [("loaded", 1)]


def test_rejects_listed_are_capped(raw_dir: Path) -> None:
    report = validate_raw_dir(raw_dir, max_rejects=2)

    assert report.reject_count == 4
    assert [(r.file, r.line) for r in report.rejects] == [
        ("psa/holidays/h.csv", 2),
        ("psa/tickets/2026-01.csv", 3),
    ]


def test_missing_raw_dir_raises(tmp_path: Path) -> None:
    with pytest.raises(ContractViolation, match="does not exist"):
        validate_raw_dir(tmp_path / "nowhere")

"""What the fault tests deliver and how they read the warehouse afterwards.

- `csv_bytes` writes an extract the way an export tool would (delimiter, encoding, BOM, line
  breaks, a missing final line break), `ticket` gives a valid ticket row to break one value of;
- `BAD_INPUTS` is the catalogue of bad deliveries, one builder per case (the table of
  docs/when-a-run-fails.md): the family modules assert each one's exact outcome, and
  test_previous_marts_survive.py replays them all on a built warehouse;
- `Warehouse` reads the DuckDB file through a fresh read-only connection each time, i.e. what a
  BI tool would see once the run is over.

Every bad file is named `<entity>/2026-11-02-<case>.csv`, so that it sorts after the sample's
deliveries, and every ticket id starts with F (the sample's start with T).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

# The small sample every fault test starts from (8 clients, August to October 2026) and the "now"
# of its dbt build: about a minute of dbt on a free 2-core machine.
SAMPLE_OPTIONS = {"clients": 8, "months": 3, "seed": 42, "end_month": "2026-10"}
AS_OF = "2026-11-01"

TICKET_COLUMNS = [
    "ticket_id", "client_id", "created_at", "priority", "ticket_type", "source", "sla_policy_id",
    "tier", "resolved_at", "status", "is_proactive", "updated_at",
]  # fmt: skip
HOLIDAY_COLUMNS = ["calendar_id", "holiday_date", "name"]
CSAT_COLUMNS = ["response_id", "ticket_id", "responded_at", "rating", "comment"]
STATUS_CHANGE_COLUMNS = ["ticket_id", "changed_at", "from_status", "to_status", "sla_paused"]

Files = dict[str, bytes]


def ticket(ticket_id: str, **changes: str) -> dict[str, str]:
    """A valid ticket of the sample's client C0001 (Paris calendar, p3 policy), with changes."""
    row = {
        "ticket_id": ticket_id,
        "client_id": "C0001",
        "created_at": "2026-10-20T09:00:00+02:00",
        "priority": "p3",
        "ticket_type": "incident",
        "source": "email",
        "sla_policy_id": "SLA-PARIS-P3",
        "tier": "1",
        "resolved_at": "2026-10-20T15:00:00+02:00",
        "status": "Resolved",
        "is_proactive": "false",
        "updated_at": "2026-10-20T15:00:00+02:00",
    }
    unknown = set(changes) - set(row)
    assert not unknown, f"not a ticket column: {unknown}"
    return {**row, **changes}


def csv_text(
    columns: list[str],
    rows: Iterable[dict[str, str] | list[str]],
    *,
    delimiter: str = ",",
    line_break: str = "\n",
) -> str:
    """Header and rows as an export tool writes them (minimal quoting)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_break)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[name] for name in columns] if isinstance(row, dict) else row)
    return buffer.getvalue()


def csv_bytes(
    columns: list[str],
    rows: Iterable[dict[str, str] | list[str]],
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> bytes:
    text = csv_text(columns, rows, delimiter=delimiter)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding)


def tickets_file(case: str, *rows: dict[str, str]) -> Files:
    return {f"psa/tickets/2026-11-02-{case}.csv": csv_bytes(TICKET_COLUMNS, rows)}


def plain_lines(*lines: str) -> bytes:
    """Lines written by hand (for what csv.writer would never produce), each with its break."""
    return "".join(line + "\n" for line in lines).encode()


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# -- the catalogue of bad inputs ------------------------------------------------------------------


@dataclass(frozen=True)
class BadInput:
    family: str
    what: str  # the input, for the table of the runbook
    files: Callable[[], Files]  # a builder: some cases depend on the clock


def _bad_quoting() -> Files:
    header = ",".join(TICKET_COLUMNS)
    good = ",".join(ticket("FQ1").values())
    broken = ",".join(ticket("FQ2", status='"Waiting on" client').values())
    # a quote inside a value (not at its start) is read as a character, as most tools do
    last = ",".join(ticket("FQ3", status='Waiting "on" client').values())
    return {"psa/tickets/2026-11-02-bad-quoting.csv": plain_lines(header, good, broken, last)}


def _unclosed_quote() -> Files:
    header = ",".join(TICKET_COLUMNS)
    good = ",".join(ticket("FU1").values())
    broken = ",".join(ticket("FU2", status='"Waiting on client').values())
    swallowed = [",".join(ticket(f"FU{n}").values()) for n in (3, 4)]
    return {
        "psa/tickets/2026-11-02-unclosed-quote.csv": plain_lines(header, good, broken, *swallowed)
    }


def _unquoted_comma() -> Files:
    header = ",".join(TICKET_COLUMNS)
    broken = ",".join(ticket("FC1", status="Waiting, client").values())
    good = ",".join(ticket("FC2").values())
    return {"psa/tickets/2026-11-02-unquoted-comma.csv": plain_lines(header, broken, good)}


AGREEMENT_COLUMNS = [
    "agreement_id", "client_id", "agreement_type", "billing_cycle", "amount", "currency",
    "start_date", "updated_at",
]  # fmt: skip


def _semicolons() -> Files:
    # a spreadsheet in a comma-decimal locale: ';' between fields, ',' in the amounts
    rows = [
        ["FA1", "C0001", "managed_services", "monthly", "1200,50", "EUR", "2026-11-01",
         "2026-10-30T10:00:00Z"],
        ["FA2", "C0002", "block_hours", "one_time", "800", "EUR", "2026-11-01",
         "2026-10-30T10:00:00Z"],
        ["FA3", "C0003", "managed_services", "monthly", "450,00", "EUR", "2026-11-01",
         "2026-10-30T10:00:00Z"],
    ]  # fmt: skip
    return {
        "psa/agreements/2026-11-02-semicolons.csv": csv_bytes(
            AGREEMENT_COLUMNS, rows, delimiter=";"
        )
    }


def _tabs() -> Files:
    rows = [ticket("FT1"), ticket("FT2")]
    return {"psa/tickets/2026-11-02-tabs.csv": csv_bytes(TICKET_COLUMNS, rows, delimiter="\t")}


def _truncated_in_a_value() -> Files:
    # the copy stopped in the last value: '...15:00:00+02:00' became '...15:00:00', which is a
    # valid timestamp (read in the source time zone) two hours off
    text = csv_text(TICKET_COLUMNS, [ticket("FR1"), ticket("FR2"), ticket("FR3")])
    return {"psa/tickets/2026-11-02-truncated-value.csv": text[: -len("+02:00\n")].encode()}


def _truncated_between_fields() -> Files:
    text = csv_text(TICKET_COLUMNS, [ticket("FS1"), ticket("FS2")])
    cut = text.rindex("FS2") + len("FS2,C0001,2026-10-20T09:00:00+02:00,p3")
    return {"psa/tickets/2026-11-02-truncated-fields.csv": text[:cut].encode()}


FRENCH_HOLIDAYS = [
    ["CAL-PARIS", "2027-05-01", "Fête du Travail"],
    ["CAL-PARIS", "2027-08-15", "Assomption (15 août)"],
    ["CAL-PARIS", "2027-12-25", "Noël"],
]


def _latin1() -> Files:
    return {
        "psa/holidays/2026-11-02-latin1.csv": csv_bytes(
            HOLIDAY_COLUMNS, FRENCH_HOLIDAYS, encoding="latin-1"
        )
    }


# a right single quote (0x92 in Windows-1252), an en dash (0x96) and a euro sign (0x80)
CP1252_CAMPAIGNS = [
    ["FCAMP1", "Offre d\u2019\u00e9t\u00e9 \u2013 10 \u20ac offerts", "email"],
    ["FCAMP2", "Salon «IT Partners» Paris", "event"],
]


def _windows_1252() -> Files:
    columns = ["campaign_id", "campaign_name", "channel"]
    return {
        "crm/campaigns/2026-11-02-windows-1252.csv": csv_bytes(
            columns, CP1252_CAMPAIGNS, encoding="cp1252"
        )
    }


def _utf8_bom() -> Files:
    rows = [ticket("FB1"), ticket("FB2")]
    return {"psa/tickets/2026-11-02-bom.csv": csv_bytes(TICKET_COLUMNS, rows, bom=True)}


def _utf16() -> Files:
    text = csv_text(HOLIDAY_COLUMNS, FRENCH_HOLIDAYS, delimiter="\t", line_break="\r\n")
    return {"psa/holidays/2026-11-02-utf16.csv": text.encode("utf-16")}


def _stray_latin1_line() -> Files:
    # a UTF-8 file into which one row was pasted from a Latin-1 source
    first = csv_text(HOLIDAY_COLUMNS, FRENCH_HOLIDAYS[:2]).encode()
    pasted = "CAL-PARIS,2027-11-01,Toussaint (fériée)\n".encode("latin-1")
    last = "CAL-PARIS,2027-11-11,Armistice (fériée)\n".encode()
    return {"psa/holidays/2026-11-02-stray-latin1.csv": first + pasted + last}


def _wrong_types() -> Files:
    return tickets_file(
        "wrong-types",
        ticket("FW1"),
        ticket("FW2", created_at="20/10/2026 09:00"),
        ticket("FW3", tier="two"),
        ticket("FW4", is_proactive="maybe"),
        ticket("FW5", client_id=""),
        ticket("FW6", created_at="2026-10-20", tier="4"),
    )


def _unknown_enum() -> Files:
    return tickets_file(
        "unknown-enum",
        ticket("FE1", priority="P1", ticket_type="INCIDENT"),
        ticket("FE2", priority="urgent"),
        ticket("FE3", source="fax"),
    )


def _duplicate_in_file() -> Files:
    return tickets_file(
        "duplicate-in-file",
        ticket("FD1", status="Open", resolved_at=""),
        ticket("FD2"),
        ticket("FD1", status="Resolved"),
    )


def _duplicate_across_deliveries() -> Files:
    earlier = ticket("FX1", status="Open", resolved_at="", updated_at="2026-10-20T09:00:00+02:00")
    later = ticket("FX1")  # resolved, updated at 15:00
    return {
        "psa/tickets/2026-11-02-duplicate-a.csv": csv_bytes(TICKET_COLUMNS, [earlier]),
        "psa/tickets/2026-11-03-duplicate-b.csv": csv_bytes(TICKET_COLUMNS, [later]),
    }


def _missing_required_column() -> Files:
    columns = [c for c in TICKET_COLUMNS if c != "created_at"]
    rows = [ticket("FM1"), ticket("FM2")]
    return {"psa/tickets/2026-11-02-missing-column.csv": csv_bytes(columns, rows)}


def _zero_bytes() -> Files:
    return {"psa/tickets/2026-11-02-zero-bytes.csv": b""}


def _header_only() -> Files:
    return tickets_file("header-only")


HUGE_COMMENT_CHARS = 3_000_000  # a pasted log: loads (under the 8 MiB line limit)
OVERSIZED_COMMENT_CHARS = 9_000_000  # over it: rejected


def _huge_text_field() -> Files:
    rows = [
        ["FH1", "T00000258", "2026-10-21T10:00:00Z", "5", "x" * HUGE_COMMENT_CHARS],
        ["FH2", "T00000287", "2026-10-21T11:00:00Z", "4", "fine"],
    ]
    return {"surveys/csat_responses/2026-11-02-huge-field.csv": csv_bytes(CSAT_COLUMNS, rows)}


def _oversized_line() -> Files:
    rows = [
        ["FO1", "T00000258", "2026-10-21T10:00:00Z", "5", "y" * OVERSIZED_COMMENT_CHARS],
        ["FO2", "T00000287", "2026-10-21T11:00:00Z", "4", "fine"],
    ]
    return {"surveys/csat_responses/2026-11-02-oversized-line.csv": csv_bytes(CSAT_COLUMNS, rows)}


def status_changes_in_order(ticket_id: str) -> list[list[str]]:
    """A p3 ticket of 2026-10-05 (a Monday) paused while waiting on the client for 23 hours."""
    return [
        [ticket_id, "2026-10-05T09:30:00+02:00", "New", "In Progress", "false"],
        [ticket_id, "2026-10-05T11:00:00+02:00", "In Progress", "Waiting on Client", "true"],
        [ticket_id, "2026-10-06T10:00:00+02:00", "Waiting on Client", "In Progress", "false"],
        [ticket_id, "2026-10-07T12:00:00+02:00", "In Progress", "Resolved", "false"],
    ]


def _out_of_order_status_changes() -> Files:
    """Ticket FOO1's changes arrive newest first, the two latest in an earlier delivery."""
    changes = status_changes_in_order("FOO1")
    return {
        "psa/ticket_status_changes/2026-11-02-out-of-order-a.csv": csv_bytes(
            STATUS_CHANGE_COLUMNS, [changes[3], changes[2]]
        ),
        "psa/ticket_status_changes/2026-11-03-out-of-order-b.csv": csv_bytes(
            STATUS_CHANGE_COLUMNS, [changes[1], changes[0]]
        ),
    }


def _resolved_before_created() -> Files:
    return tickets_file(
        "resolved-before-created",
        ticket("FP1", resolved_at="2026-10-19T15:00:00+02:00"),
        ticket("FP2"),
    )


def _future_timestamps() -> Files:
    soon = utc_text(datetime.now(UTC) + timedelta(hours=1))  # a clock slightly ahead: loads
    return tickets_file(
        "future",
        ticket("FF1", created_at="2099-10-20T09:00:00Z", resolved_at="", status="Open"),
        ticket("FF2", updated_at="2062-10-20T15:00:00Z"),
        ticket("FF3", resolved_at="", status="Open", updated_at=soon),
    )


BAD_INPUTS: dict[str, BadInput] = {
    "bad_quoting": BadInput("malformed", "a value that starts quoted and goes on", _bad_quoting),
    "unclosed_quote": BadInput("malformed", "a quote opened and never closed", _unclosed_quote),
    "unquoted_comma": BadInput("malformed", "a comma inside an unquoted value", _unquoted_comma),
    "semicolons": BadInput("malformed", "semicolon-separated file (comma decimals)", _semicolons),
    "tabs": BadInput("malformed", "tab-separated file", _tabs),
    "truncated_in_a_value": BadInput(
        "malformed", "last line cut inside a value, no final line break", _truncated_in_a_value
    ),
    "truncated_between_fields": BadInput(
        "malformed", "last line cut between fields", _truncated_between_fields
    ),
    "huge_text_field": BadInput("malformed", "a 3 MB free-text value", _huge_text_field),
    "oversized_line": BadInput("malformed", "a 9 MB line", _oversized_line),
    "latin1": BadInput("encoding", "Latin-1 file with accents", _latin1),
    "windows_1252": BadInput(
        "encoding", "Windows-1252 file (euro sign, curly quote)", _windows_1252
    ),
    "utf8_bom": BadInput("encoding", "UTF-8 with a byte-order mark", _utf8_bom),
    "utf16": BadInput("encoding", 'UTF-16 "Unicode text" export', _utf16),
    "stray_latin1_line": BadInput(
        "encoding", "UTF-8 file with one line pasted from Latin-1", _stray_latin1_line
    ),
    "wrong_types": BadInput(
        "contract", "wrong types (date format, text for a number, bad boolean, ...)", _wrong_types
    ),
    "unknown_enum": BadInput("contract", "unknown enum value", _unknown_enum),
    "duplicate_in_file": BadInput("contract", "a key twice in one delivery", _duplicate_in_file),
    "duplicate_across_deliveries": BadInput(
        "contract", "a key again in a later delivery", _duplicate_across_deliveries
    ),
    "missing_required_column": BadInput(
        "contract", "a required column missing", _missing_required_column
    ),
    "zero_bytes": BadInput("contract", "empty file (0 bytes)", _zero_bytes),
    "header_only": BadInput("contract", "header only, no rows", _header_only),
    "out_of_order_status_changes": BadInput(
        "time", "status changes delivered out of order", _out_of_order_status_changes
    ),
    "resolved_before_created": BadInput(
        "time", "resolved before created", _resolved_before_created
    ),
    "future_timestamps": BadInput("time", "timestamps in the future", _future_timestamps),
}


def write_files(raw_dir: Path, files: Files) -> None:
    for relative, data in files.items():
        path = raw_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


# -- reading the warehouse afterwards -------------------------------------------------------------


@dataclass(frozen=True)
class Warehouse:
    path: Path

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return self.queries([(sql, params)])[0]

    def queries(self, statements: Iterable[tuple[str, list | None]]) -> list[list[tuple]]:
        """Several queries through one read-only connection (opening the file is the slow part)."""
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return [con.execute(sql, params or []).fetchall() for sql, params in statements]
        finally:
            con.close()

    def scalar(self, sql: str, params: list | None = None) -> object:
        [(value,)] = self.query(sql, params)
        return value

    def audit(self, after_delivery: int = 0) -> list[tuple]:
        """(file, status, received, loaded, rejected) of the deliveries after `after_delivery`."""
        return self.query(
            "select file, status, received, loaded, rejected from raw._load_audit "
            "where delivery_id > ? order by delivery_id",
            [after_delivery],
        )

    def message(self, file: str) -> str | None:
        return self.scalar("select message from raw._load_audit where file = ?", [file])

    def rejects(self, file: str) -> list[tuple]:
        """(line, column, value, reason) of a file's rejects, by line."""
        return self.query(
            "select line, column_name, value, reason from raw._rejects where file = ? "
            "order by line, column_name nulls first",
            [file],
        )

    def count(self, table: str) -> int:
        return int(self.scalar(f"select count(*) from {table}"))

    def last_delivery(self) -> int:
        return int(self.scalar("select coalesce(max(delivery_id), 0) from raw._load_audit"))

    def raw_counts(self) -> dict[str, int]:
        """Rows of every raw entity table (not the audit and rejects, which tests read apart)."""
        return dict(self._per_table("raw", "select count(*) from {table}"))

    def marts(self) -> dict[str, tuple[int, int]]:
        """Every mart's row count and content hash (sum of row hashes), to compare states."""
        sql = "select count(*), coalesce(sum(hash(t)::hugeint), 0) from {table} as t"
        return {name: (int(rows), int(digest)) for name, (rows, digest) in self._per_table(
            "marts", sql, whole_row=True)}  # fmt: skip

    def _per_table(self, schema: str, sql: str, *, whole_row: bool = False) -> list[tuple]:
        [tables] = self.queries(
            [(
                "select table_name from duckdb_tables() where schema_name = ? "
                "and not starts_with(table_name, '_') order by 1",
                [schema],
            )]
        )  # fmt: skip
        names = [name for (name,) in tables]
        results = self.queries((sql.format(table=f'"{schema}"."{name}"'), None) for name in names)
        return [
            (name, rows[0] if whole_row else rows[0][0])
            for name, rows in zip(names, results, strict=True)
        ]

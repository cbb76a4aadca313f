"""The rows broken on purpose: a few realistic mistakes spread over a few files, one column each.

Each sabotage picks the first suitable row written from a given month on, so the broken rows
land in the middle of the window whatever its size. Ticket rows are only broken where the ticket
has another, valid version in another file, so that no ticket disappears from the warehouse.
"""

from __future__ import annotations

from .clock import Window
from .deliveries import Row, Sabotage


def _french_clock(row: Row) -> str:
    """'2025-06-17T09:15:00+02:00' re-saved by a spreadsheet as '17/06/2025 09:15'."""
    text = str(row["created_at"])
    return f"{text[8:10]}/{text[5:7]}/{text[0:4]} {text[11:16]}"


def _a_year_before_creation(row: Row) -> str:
    text = str(row["created_at"])
    return f"{int(text[:4]) - 1:04d}{text[4:]}"


def _french_decimal(row: Row) -> str:
    return f"{str(row['amount']).replace('.', ',')} €"


def plan_sabotages(window: Window) -> list[Sabotage]:
    n = window.n
    early = n * 35 // 100
    late = min(n - 1, max(early + 1, n * 60 // 100))
    return [
        Sabotage(
            "psa/tickets",
            early,
            "created_at",
            "invalid timestamp",
            accepts=lambda row: bool(row["_later"]) and int(str(row["created_at"])[8:10]) > 12,
            bad_value=_french_clock,
        ),
        Sabotage(
            "psa/tickets",
            early,
            "priority",
            "unknown enum value",
            accepts=lambda row: bool(row["_later"]),
            bad_value=lambda row: "urgent",
        ),
        Sabotage(
            "psa/tickets",
            late,
            "resolved_at",
            "resolved_at is before created_at",
            accepts=lambda row: (
                bool(row["_earlier"])
                and bool(row["resolved_at"])
                and str(row["created_at"])[5:10] != "02-29"
            ),
            bad_value=_a_year_before_creation,
        ),
        Sabotage(
            "psa/tickets",
            late,
            "ticket_id",
            "duplicate key in file",
            accepts=lambda row: row["status"] == "Closed" and not row["_later"],
        ),
        Sabotage(
            "psa/invoice_lines",
            n // 2,
            "amount",
            "invalid decimal",
            accepts=lambda row: row["revenue_type"] == "recurring",
            bad_value=_french_decimal,
        ),
        Sabotage(
            "psa/time_entries",
            n * 75 // 100,
            "technician_id",
            "missing required value",
            accepts=lambda row: True,
            bad_value=lambda row: "",
        ),
        Sabotage(
            "surveys/client_surveys",
            n // 3,
            "nps_score",
            "out of range",
            accepts=lambda row: row["nps_score"] is not None,
            bad_value=lambda row: "11",
        ),
        Sabotage(
            "crm/leads",
            n * 40 // 100,
            "channel",
            "missing required value",
            accepts=lambda row: row["qualified_at"] is None and not row["_later"],
            bad_value=lambda row: "",
        ),
    ]

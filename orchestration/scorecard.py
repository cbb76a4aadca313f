"""`mspkpi scorecard`: the KPI scorecard of a month as a table in the terminal.

Reads `marts.kpi_scorecard` (or `marts.kpi_client_scorecard` for one client) read-only, so it can
run while nothing else writes the warehouse, and formats each value by its unit: a rate as a
percentage, money with its currency, minutes, counts. Every figure comes from the marts; nothing
is computed here but the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

TEXT = {
    "en": {
        "title": "Scorecard",
        "complete": "complete month",
        "to_date": "month to date",
        "amounts_in": "amounts in",
        "columns": ("KPI", "Value", "vs last month", "Benchmark", "Status"),
        "figures": ("min", "target", "best"),
        "no_rate": "no {currency} rate for the seed's figures",
        "not_judged": "(month to date: not judged)",
        "below": "Below target ({count}): {labels}",
        "none_below": "No KPI below target.",
        "status": {
            "best_in_class": "best in class",
            "on_target": "on target",
            "below_target": "BELOW TARGET",
        },
        "trend": {"improved": "better", "worsened": "worse", "unchanged": "same"},
        "areas": {
            "service_desk": "Service desk",
            "finance": "Finance",
            "growth": "Growth",
            "people": "People",
            "customer_experience": "Customer experience",
            "maturity": "Maturity",
        },
    },
    "fr": {
        "title": "Tableau de bord",
        "complete": "mois complet",
        "to_date": "mois en cours",
        "amounts_in": "montants en",
        "columns": ("Indicateur", "Valeur", "vs mois précédent", "Référence", "Statut"),
        "figures": ("min", "cible", "meilleurs"),
        "no_rate": "pas de taux {currency} pour les chiffres de référence",
        "not_judged": "(mois en cours : non évalué)",
        "below": "Sous la cible ({count}) : {labels}",
        "none_below": "Aucun indicateur sous la cible.",
        "status": {
            "best_in_class": "parmi les meilleurs",
            "on_target": "dans la cible",
            "below_target": "SOUS LA CIBLE",
        },
        "trend": {"improved": "mieux", "worsened": "moins bien", "unchanged": "stable"},
        "areas": {
            "service_desk": "Centre de services",
            "finance": "Finance",
            "growth": "Croissance",
            "people": "Équipe",
            "customer_experience": "Expérience client",
            "maturity": "Maturité",
        },
    },
}
MONTH_PATTERN = re.compile(r"(\d{4})-(\d{2})")


class ScorecardError(ValueError):
    """The scorecard cannot be shown; the message says why and what to do next."""


@dataclass(frozen=True)
class ScorecardRow:
    """One KPI of the month, as kpi_scorecard (or kpi_client_scorecard) holds it."""

    kpi_name: str
    label: str
    area: str
    unit: str
    direction: str
    value: float | None
    numerator: float | None
    denominator: float | None
    currency: str | None
    minimum: float | None
    target: float | None
    best_in_class: float | None
    status: str | None
    previous_value: float | None
    change: float | None
    trend: str | None
    is_period_complete: bool
    seed_benchmark_currency: str | None


@dataclass(frozen=True)
class Scorecard:
    month: date
    is_month_complete: bool
    rows: tuple[ScorecardRow, ...]
    client_id: str | None = None
    client_name: str | None = None
    language: str = "en"

    def row(self, kpi_name: str) -> ScorecardRow:
        """The row of one KPI (KeyError when the month has none)."""
        for row in self.rows:
            if row.kpi_name == kpi_name:
                return row
        raise KeyError(kpi_name)


def parse_month(text: str) -> date:
    """`YYYY-MM` as the first day of that month."""
    match = MONTH_PATTERN.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ScorecardError(
            f"--month must be a month written YYYY-MM, such as 2026-10, not {text!r}"
        )
    return date(int(match.group(1)), int(match.group(2)), 1)


def _months_text(months: Sequence[date]) -> str:
    return ", ".join(f"{month:%Y-%m}" for month in months) or "none"


def _wrapped(items: Sequence[str], width: int = 96) -> str:
    lines, line = [], ""
    for item in items:
        candidate = f"{line}, {item}" if line else item
        if len(candidate) > width and line:
            lines.append(line + ",")
            line = item
        else:
            line = candidate
    lines.append(line)
    return "\n  ".join(lines)


def _connect(database: Path) -> duckdb.DuckDBPyConnection:
    """Read-only: the scorecard never writes, and can read while no run holds the file."""
    if not database.is_file():
        raise ScorecardError(
            f"no warehouse at {database}: build one with `mspkpi run` (or point --database, "
            "MSPKPI_DUCKDB_PATH, at yours)"
        )
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as error:
        raise ScorecardError(
            f"cannot open {database} to read it: {error}. A run is writing it; "
            "try again when it ends."
        ) from error
    tables = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'"
        ).fetchall()
    }
    missing = {"kpi_scorecard", "kpi_client_scorecard"} - tables
    if missing:
        con.close()
        raise ScorecardError(
            f"{database} has no marts.{sorted(missing)[0]}: run `mspkpi run` to build the scorecard"
        )
    return con


def _default_month(con: duckdb.DuckDBPyConnection, client_id: str | None) -> date:
    """The reporting month (the latest complete month with data at the as-of time); for a client,
    its latest month up to it."""
    reporting = con.execute(
        "select max(month_start_on) from marts.kpi_scorecard where is_reporting_month"
    ).fetchone()[0]
    if client_id is None:
        if reporting is None:
            reporting = con.execute(
                "select max(month_start_on) from marts.kpi_scorecard"
            ).fetchone()[0]
        if reporting is None:
            raise ScorecardError("marts.kpi_scorecard is empty: the extracts hold no KPI yet")
        return reporting
    month = con.execute(
        "select max(month_start_on) from marts.kpi_client_scorecard "
        "where client_id = ? and (? is null or month_start_on <= ?)",
        [client_id, reporting, reporting],
    ).fetchone()[0]
    if month is None:
        month = con.execute(
            "select max(month_start_on) from marts.kpi_client_scorecard where client_id = ?",
            [client_id],
        ).fetchone()[0]
    return month


def _check_client(con: duckdb.DuckDBPyConnection, client_id: str) -> str | None:
    """The client's name; a clear error listing the known clients when it has no scorecard."""
    known = [
        row[0]
        for row in con.execute(
            "select distinct client_id from marts.kpi_client_scorecard order by 1"
        ).fetchall()
    ]
    if client_id not in known:
        raise ScorecardError(
            f"no client {client_id!r} in marts.kpi_client_scorecard. Clients with a scorecard "
            f"({len(known)}):\n  {_wrapped(known)}"
        )
    name = con.execute(
        "select client_name from marts.dim_clients where client_id = ?", [client_id]
    ).fetchone()
    return name[0] if name else None


def _check_month(con: duckdb.DuckDBPyConnection, month: date, client_id: str | None) -> None:
    table = "kpi_client_scorecard" if client_id else "kpi_scorecard"
    where, params = ("where client_id = ?", [client_id]) if client_id else ("", [])
    months = [
        row[0]
        for row in con.execute(
            f"select distinct month_start_on from marts.{table} {where} order by 1", params
        ).fetchall()
    ]
    if month not in months:
        whose = f"client {client_id}" if client_id else "the scorecard"
        raise ScorecardError(
            f"no data for {month:%Y-%m} in {whose}. Months with data:\n  "
            f"{_wrapped([f'{m:%Y-%m}' for m in months])}"
        )


def load_scorecard(
    database: Path,
    month: date | None = None,
    client_id: str | None = None,
    language: str = "en",
) -> Scorecard:
    """The scorecard of a month (default: the reporting month), for the company or one client."""
    con = _connect(database)
    try:
        client_name = _check_client(con, client_id) if client_id else None
        month = month or _default_month(con, client_id)
        _check_month(con, month, client_id)
        label = "kpi_label_fr" if language == "fr" else "kpi_label_en"
        if client_id:
            sql = f"""
                select kpi_name, {label}, kpi_area, unit, direction, kpi_value, numerator,
                    denominator, currency, benchmark_minimum_value, benchmark_target_value,
                    benchmark_best_in_class_value, benchmark_status, previous_kpi_value,
                    kpi_value_change, trend, is_month_complete, seed_benchmark_currency,
                    is_month_complete
                from marts.kpi_client_scorecard
                where month_start_on = ? and client_id = ?
                order by display_order"""
            params: list = [month, client_id]
        else:
            sql = f"""
                select kpi_name, {label}, kpi_area, unit, direction, kpi_value, numerator,
                    denominator, currency, benchmark_minimum_value, benchmark_target_value,
                    benchmark_best_in_class_value, benchmark_status, previous_kpi_value,
                    kpi_value_change, trend, is_period_complete, seed_benchmark_currency,
                    is_month_complete
                from marts.kpi_scorecard
                where month_start_on = ?
                order by display_order"""
            params = [month]
        records = con.execute(sql, params).fetchall()
    finally:
        con.close()
    rows = tuple(ScorecardRow(*record[:18]) for record in records)
    return Scorecard(
        month=month,
        is_month_complete=all(record[18] for record in records),
        rows=rows,
        client_id=client_id,
        client_name=client_name,
        language=language,
    )


def format_value(value: float | None, unit: str, currency: str | None = None) -> str:
    """A value for a person: 0.8612 -> '86.1 %', 1234.5 -> '1,234.50 EUR', 134.2 -> '134 min'."""
    if value is None:
        return "-"
    if unit == "rate":
        return f"{value * 100:.1f} %"
    if unit == "amount":
        return f"{value:,.2f}" + (f" {currency}" if currency else "")
    if unit == "minutes":
        return f"{value:,.0f} min"
    if unit == "count":
        return f"{value:,.0f}"
    return f"{value:,.2f}"


def format_change(change: float | None, unit: str, trend: str | None, language: str = "en") -> str:
    """The change since last month in the KPI's unit (rate points for a rate), and its trend."""
    if change is None:
        return "-"
    if unit == "rate":
        text = f"{change * 100:+.1f} pts"
    elif unit == "amount":
        text = f"{change:+,.2f}"
    elif unit in ("minutes", "count"):
        text = f"{change:+,.0f}"
    else:
        text = f"{change:+,.2f}"
    return f"{text} {TEXT[language]['trend'][trend]}" if trend else text


def format_benchmark(row: ScorecardRow, language: str = "en") -> str:
    """The seed's figures with the comparison that reaches them: 'min >= 75.0 %, best >= 90.0 %'."""
    text = TEXT[language]
    sign = "<=" if row.direction == "lower_is_better" else ">="
    figures = zip(text["figures"], (row.minimum, row.target, row.best_in_class), strict=True)
    parts = [
        f"{name} {sign} {format_value(figure, row.unit, row.currency)}"
        for name, figure in figures
        if figure is not None
    ]
    if not parts and row.seed_benchmark_currency:
        return text["no_rate"].format(currency=row.seed_benchmark_currency)
    return ", ".join(parts) or "-"


def format_status(row: ScorecardRow, language: str = "en") -> str:
    text = TEXT[language]
    if row.status:
        return text["status"].get(row.status, row.status)
    judged = any(figure is not None for figure in (row.minimum, row.target, row.best_in_class))
    if judged and row.value is not None and not row.is_period_complete:
        return text["not_judged"]
    return "-"


def render(scorecard: Scorecard) -> str:
    """The scorecard as fixed-width text, grouped by area in the catalogue's order."""
    language = scorecard.language if scorecard.language in TEXT else "en"
    text = TEXT[language]
    who = (
        f"{scorecard.client_name or scorecard.client_id} ({scorecard.client_id})"
        if scorecard.client_id
        else "MSP"
    )
    state = text["complete"] if scorecard.is_month_complete else text["to_date"]
    currencies = sorted({row.currency for row in scorecard.rows if row.currency})
    header = f"{text['title']} {who}, {scorecard.month:%Y-%m} ({state}"
    header += f"; {text['amounts_in']} {', '.join(currencies)})" if currencies else ")"
    table = [
        (
            row.area,
            row.label,
            format_value(row.value, row.unit, row.currency),
            format_change(row.change, row.unit, row.trend, language),
            format_benchmark(row, language),
            format_status(row, language),
        )
        for row in scorecard.rows
    ]
    columns = text["columns"]
    widths = [max([len(columns[i])] + [len(cells[i + 1]) for cells in table]) for i in range(4)]

    def line(cells: Sequence[str]) -> str:
        label, value, change, benchmark, status = cells
        return (
            f"  {label:<{widths[0]}}  {value:>{widths[1]}}  {change:<{widths[2]}}  "
            f"{benchmark:<{widths[3]}}  {status}"
        ).rstrip()

    body = [line(cells[1:]) for cells in table]
    rule = "  " + "-" * (max(len(row) for row in [line(columns), *body]) - 2)
    lines = [header, "", line(columns), rule]
    area = None
    for cells, body_line in zip(table, body, strict=True):
        if cells[0] != area:
            area = cells[0]
            lines.append(text["areas"].get(area, area))
        lines.append(body_line)
    below = [row.label for row in scorecard.rows if row.status == "below_target"]
    lines.append("")
    lines.append(
        text["below"].format(count=len(below), labels="; ".join(below))
        if below
        else text["none_below"]
    )
    return "\n".join(lines)

"""The screenshots of docs/reports/: the best and the worst client of a quarter, and the best
client whose report is in English, drawn by headless Chromium.

    python -m orchestration.reports.showcase --period 2026-Q3 --out docs/reports

Best and worst by the report's own benchmark grades, so the pick is what a reader of the reports
would agree with: each of the three benchmarked headlines scores best_in_class 2, on_target 1,
below_target 0 (SLA resolution compliance, CSAT, tickets per endpoint; at most 5, because the seed
gives tickets per endpoint no best-in-class level). Ties go to the higher SLA compliance, then the
higher CSAT. Only clients served the whole quarter with at least 30 tickets resolved under an SLA
and 10 CSAT answers compete: a 100 % on three tickets says nothing about a client.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestration.reports.browser import screenshot
from orchestration.reports.data import (
    ClientReport,
    PeriodData,
    build_client_report,
    fetch_period_data,
    open_warehouse,
)
from orchestration.reports.periods import Period
from orchestration.reports.render import render_html
from orchestration.settings import Settings, resolve

STATUS_POINTS = {"best_in_class": 2, "on_target": 1, "below_target": 0}
GRADED = ("sla_resolution_compliance", "csat", "tickets_per_endpoint")
MIN_SLA_TICKETS = 30
MIN_CSAT_RESPONSES = 10


@dataclass(frozen=True)
class RankedClient:
    report: ClientReport
    score: int
    sla_rate: float
    csat_rate: float

    @property
    def client_id(self) -> str:
        return self.report.client.client_id


def is_eligible(report: ClientReport) -> bool:
    """Served every month of the period, with enough tickets and answers to grade."""
    sla, csat = report.headline("sla_resolution_compliance"), report.headline("csat")
    return (
        report.served_month_count == report.period.month_count
        and (sla.denominator or 0) >= MIN_SLA_TICKETS
        and (csat.denominator or 0) >= MIN_CSAT_RESPONSES
        and report.headline("tickets_per_endpoint").benchmark_status is not None
    )


def rank_clients(data: PeriodData) -> list[RankedClient]:
    """The eligible clients of the period, best first."""
    ranked = []
    for client_id in data.client_ids:
        report = build_client_report(data, client_id)
        if not is_eligible(report):
            continue
        score = sum(
            STATUS_POINTS[report.headline(key).benchmark_status or "below_target"] for key in GRADED
        )
        ranked.append(
            RankedClient(
                report=report,
                score=score,
                sla_rate=report.headline("sla_resolution_compliance").current,
                csat_rate=report.headline("csat").current,
            )
        )
    return sorted(ranked, key=lambda c: (-c.score, -c.sla_rate, -c.csat_rate, c.client_id))


def pick_showcase(ranked: Sequence[RankedClient]) -> dict[str, RankedClient]:
    """best, worst, and the best client reading English (when it is not already the best)."""
    if not ranked:
        raise ValueError("no client of the period is eligible (see the module's docstring)")
    picks = {"best": ranked[0], "worst": ranked[-1]}
    english = [c for c in ranked if c.report.client.language_code == "en"]
    if english and english[0] is not ranked[0]:
        picks["best-english"] = english[0]
    return picks


def write_showcase(database: Path, period: Period, out_dir: Path) -> dict[str, Path]:
    con = open_warehouse(database)
    try:
        data = fetch_period_data(con, period)
    finally:
        con.close()
    written = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    for role, ranked in pick_showcase(rank_clients(data)).items():
        page = out_dir / f"qbr-{period.label}-{role}.html"
        page.write_text(render_html(ranked.report), encoding="utf-8")
        png = screenshot(page, page.with_suffix(".png"))
        page.unlink()  # the PNG is the documentation; the HTML is rebuilt by `mspkpi report`
        written[role] = png
        print(
            f"{role:<13} {ranked.client_id} {ranked.report.client.client_name} "
            f"({ranked.report.client.language_code}): score {ranked.score}/5, SLA "
            f"{ranked.sla_rate:.1%}, CSAT {ranked.csat_rate:.1%} -> {png}"
        )
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--period", default="2026-Q3", help="quarter (YYYY-Qn) or month")
    parser.add_argument("--out", default="docs/reports", help="folder of the PNG files")
    parser.add_argument("--database", help="warehouse (MSPKPI_DUCKDB_PATH)")
    args = parser.parse_args(argv)
    database = resolve(args.database) if args.database else Settings.from_env().duckdb_path
    write_showcase(database, Period.parse(args.period), resolve(args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

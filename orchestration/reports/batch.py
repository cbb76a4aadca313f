"""Reports of a period for one client or all of them: what `mspkpi report` and the Dagster asset
`reports/client_reports` both call."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.reports.data import (
    ClientReport,
    build_client_report,
    fetch_period_data,
    open_warehouse,
)
from orchestration.reports.periods import Period
from orchestration.reports.render import ReportFiles, write_report


@dataclass(frozen=True)
class WrittenReport:
    report: ClientReport
    files: ReportFiles
    seconds: float


def write_period_reports(
    database: Path,
    period: Period,
    out_dir: Path,
    *,
    client_ids: Sequence[str] | None = None,
    pdf: bool = True,
    generated_on: date | None = None,
    progress: Callable[[WrittenReport], None] | None = None,
) -> list[WrittenReport]:
    """Write the reports of `period` under out_dir/<period>/: for `client_ids`, or every client
    with a service-review row in the period. The warehouse is read once, read-only, and closed
    before the slow part (charts and PDFs) starts, so a run can write it meanwhile."""
    con = open_warehouse(database)
    try:
        only = client_ids[0] if client_ids and len(client_ids) == 1 else None
        data = fetch_period_data(con, period, only)
    finally:
        con.close()
    written = []
    for client_id in client_ids or data.client_ids:
        started = time.monotonic()
        report = build_client_report(data, client_id)
        files = write_report(report, out_dir, pdf=pdf, generated_on=generated_on)
        result = WrittenReport(report, files, time.monotonic() - started)
        written.append(result)
        if progress:
            progress(result)
    return written

"""This month's alerts (marts.kpi_alerts): read, logged, written to JSON, posted to a webhook.

The Dagster sensor `daily_refresh_alerts` and `mspkpi alerts` both call `report_alerts`. Reading
is read-only; a webhook that fails is reported in the result and the log, never raised: the
alerts file is the record, the webhook a convenience.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

SEVERITY_ORDER = {"critical": 0, "warning": 1}
WEBHOOK_TIMEOUT_SECONDS = 10.0


class AlertsError(RuntimeError):
    """The alerts cannot be read; the message says why and what to do next."""


@dataclass(frozen=True)
class Alert:
    """One row of marts.kpi_alerts."""

    alert_id: str
    month: str
    alert_type: str
    severity: str
    client_id: str | None
    client_name: str | None
    kpi_name: str
    kpi_label: str
    unit: str
    value: float
    threshold: float | None
    currency: str | None
    message: str


@dataclass(frozen=True)
class AlertReport:
    """The alerts of one month (None when the warehouse has no complete month yet)."""

    month: date | None
    alerts: tuple[Alert, ...]

    def counts(self) -> dict[str, int]:
        """Alerts per severity, every severity present (0 included)."""
        counted = Counter(alert.severity for alert in self.alerts)
        return {severity: counted.get(severity, 0) for severity in SEVERITY_ORDER}

    def counts_by_type(self) -> dict[str, int]:
        return dict(sorted(Counter(alert.alert_type for alert in self.alerts).items()))


@dataclass(frozen=True)
class ReportResult:
    report: AlertReport
    path: Path
    webhook_status: str  # "not set", "posted (HTTP 200)" or the reason it failed
    webhook_error: str | None = field(default=None)


def read_alerts(database: Path, month: date | None = None) -> AlertReport:
    """The alerts of `month`, by default of the reporting month (the latest complete month with
    data at the as-of time, kpi_alerts.is_reporting_month), critical first."""
    if not database.is_file():
        raise AlertsError(f"no warehouse at {database}: build it with `mspkpi run` first")
    try:
        con = duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as error:
        raise AlertsError(f"cannot open {database} to read it: {error}") from error
    try:
        exists = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'marts' and table_name in ('kpi_alerts', 'kpi_scorecard')"
        ).fetchone()[0]
        if exists < 2:
            raise AlertsError(
                f"{database} has no marts.kpi_alerts: run `mspkpi run` to build the alerts"
            )
        if month is None:
            month = con.execute(
                "select max(month_start_on) from marts.kpi_scorecard where is_reporting_month"
            ).fetchone()[0]
        if month is None:
            return AlertReport(month=None, alerts=())
        records = con.execute(
            """
            select alert_id, strftime(month_start_on, '%Y-%m'), alert_type, severity, client_id,
                client_name, kpi_name, kpi_label_en, unit, kpi_value, threshold_value, currency,
                message
            from marts.kpi_alerts
            where month_start_on = ?
            order by case severity when 'critical' then 0 else 1 end, alert_type, alert_id
            """,
            [month],
        ).fetchall()
    finally:
        con.close()
    return AlertReport(month=month, alerts=tuple(Alert(*record) for record in records))


def alerts_payload(report: AlertReport, *, run_id: str, generated_at: datetime) -> dict:
    """The JSON document of a report: what the file holds and the webhook receives."""
    return {
        "source": "mspkpi",
        "month": f"{report.month:%Y-%m}" if report.month else None,
        "run_id": run_id,
        "generated_at": generated_at.astimezone(UTC).isoformat(timespec="seconds"),
        "counts": report.counts(),
        "counts_by_type": report.counts_by_type(),
        "alerts": [asdict(alert) for alert in report.alerts],
    }


def alerts_file_path(directory: Path, run_date: date, run_id: str) -> Path:
    """`<dir>/<run date>_<run id>.json`; the run id keeps two runs of a day apart."""
    safe_id = "".join(char if char.isalnum() or char in "-_" else "-" for char in run_id)
    return directory / f"{run_date:%Y-%m-%d}_{safe_id}.json"


def write_alerts_file(payload: dict, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def post_webhook(
    url: str, payload: dict, timeout: float = WEBHOOK_TIMEOUT_SECONDS
) -> tuple[bool, str]:
    """POST the payload as JSON. (True, 'posted (HTTP 200)'), or (False, why it failed)."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "User-Agent": "mspkpi-alerts"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return True, f"posted (HTTP {response.status})"
    except urllib.error.HTTPError as error:
        return False, f"the webhook {url} answered HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        return False, f"the webhook {url} could not be reached: {reason}"


def report_alerts(
    database: Path,
    *,
    alerts_dir: Path,
    run_id: str,
    run_date: date,
    webhook_url: str = "",
    month: date | None = None,
    log: Callable[[str], None] = print,
    warn: Callable[[str], None] = print,
    generated_at: datetime | None = None,
) -> ReportResult:
    """Read the month's alerts, log each one, write the JSON file, POST it when a webhook is set."""
    report = read_alerts(database, month)
    month_text = f"{report.month:%Y-%m}" if report.month else "no complete month yet"
    counts = report.counts()
    log(
        f"{len(report.alerts)} alerts for {month_text}: "
        + ", ".join(f"{count} {severity}" for severity, count in counts.items())
    )
    for alert in report.alerts:
        (warn if alert.severity == "critical" else log)(f"[{alert.severity}] {alert.message}")
    payload = alerts_payload(report, run_id=run_id, generated_at=generated_at or datetime.now(UTC))
    path = write_alerts_file(payload, alerts_file_path(alerts_dir, run_date, run_id))
    log(f"alerts written to {path}")
    if not webhook_url:
        return ReportResult(report=report, path=path, webhook_status="not set")
    posted, status = post_webhook(webhook_url, payload)
    if posted:
        log(f"alerts {status} to the webhook")
        return ReportResult(report=report, path=path, webhook_status=status)
    warn(f"alerts not posted: {status}. They are in {path}; check MSPKPI_ALERT_WEBHOOK.")
    return ReportResult(report=report, path=path, webhook_status="failed", webhook_error=status)


def render(report: AlertReport) -> str:
    """The alerts as text for a terminal: counts, then one line per alert, grouped by type."""
    if report.month is None:
        return "No complete month in the warehouse yet: no alerts."
    counts = report.counts()
    lines = [
        f"Alerts for {report.month:%Y-%m}: {len(report.alerts)} "
        f"({', '.join(f'{count} {severity}' for severity, count in counts.items())})"
    ]
    current_type = None
    for alert in report.alerts:
        if alert.alert_type != current_type:
            current_type = alert.alert_type
            lines.append("")
            lines.append(
                f"{alert.alert_type} ({alert.severity}, {report.counts_by_type()[current_type]})"
            )
        lines.append(f"  {alert.message}")
    return "\n".join(lines)


def summary_lines(report: AlertReport) -> list[str]:
    """Two or three lines for the end of `mspkpi run`: counts by type and the critical alerts."""
    if report.month is None:
        return ["alerts: no complete month yet"]
    by_type = ", ".join(f"{count} {kind}" for kind, count in report.counts_by_type().items())
    lines = [f"alerts for {report.month:%Y-%m}: {len(report.alerts)} ({by_type or 'none'})"]
    lines += [
        f"  [critical] {alert.message}" for alert in report.alerts if alert.severity == "critical"
    ]
    if report.alerts:
        lines.append("  every alert: `mspkpi alerts`; the month's KPIs: `mspkpi scorecard`")
    return lines

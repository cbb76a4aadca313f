"""Report the month's alerts (marts.kpi_alerts) when a `daily_refresh` run succeeds."""

from __future__ import annotations

from datetime import UTC, datetime

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    RunStatusSensorContext,
    SkipReason,
    run_status_sensor,
)

from orchestration.alerts import AlertsError, report_alerts
from orchestration.defs.schedules import daily_refresh_job
from orchestration.settings import Settings, env, resolve


def run_end_time(context: RunStatusSensorContext, run_id: str) -> datetime:
    """When the run ended (its record in the instance), the date of its alerts file; now if the
    instance has no end time for it."""
    record = context.instance.get_run_record_by_id(run_id)
    if record is not None and record.end_time is not None:
        return datetime.fromtimestamp(record.end_time, tz=UTC)
    return datetime.now(UTC)


@run_status_sensor(
    name="daily_refresh_alerts",
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[daily_refresh_job],
    # on by default: it only reads the warehouse after a successful nightly run
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "After each successful daily_refresh run: logs the reporting month's alerts, writes "
        "them to MSPKPI_ALERTS_DIR/<run date>_<run id>.json and POSTs them to "
        "MSPKPI_ALERT_WEBHOOK when set."
    ),
)
def daily_refresh_alerts(context: RunStatusSensorContext) -> SkipReason:
    run_id = context.dagster_run.run_id
    finished_at = run_end_time(context, run_id)
    try:
        result = report_alerts(
            Settings.from_env().duckdb_path,
            alerts_dir=resolve(env("MSPKPI_ALERTS_DIR")),
            run_id=run_id,
            run_date=finished_at.date(),
            webhook_url=env("MSPKPI_ALERT_WEBHOOK"),
            log=context.log.info,
            warn=context.log.warning,
            generated_at=finished_at,
        )
    except AlertsError as error:
        context.log.error(f"alerts of run {run_id} not reported: {error}")
        return SkipReason(f"alerts not reported: {error}")
    month = f"{result.report.month:%Y-%m}" if result.report.month else "no complete month"
    return SkipReason(
        f"{len(result.report.alerts)} alerts for {month} written to {result.path}; "
        f"webhook: {result.webhook_error or result.webhook_status}"
    )

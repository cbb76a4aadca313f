"""`reports/client_reports`: every client's QBR of a quarter, one partition per calendar quarter.

It reads the service-review, SLA, CSAT, tickets-per-endpoint, proactive-IT and MRR marts (its
upstream assets) read-only and writes <MSPKPI_REPORTS_DIR>/<YYYY-Qn>/<client_id>.html and .pdf for
every client served in the quarter. Partitions run from MSPKPI_REPORTS_FIRST_QUARTER to the last
complete quarter; the schedule writes a quarter's reports on the second day of the next quarter,
after the nightly refresh has loaded the quarter's last day.
"""

# no `from __future__ import annotations`: Dagster reads the Config annotation at decoration time
from datetime import datetime

from dagster import (
    AssetKey,
    Config,
    MaterializeResult,
    MetadataValue,
    RunRequest,
    ScheduleEvaluationContext,
    TimeWindowPartitionsDefinition,
    asset,
    define_asset_job,
    schedule,
)
from pydantic import Field

from orchestration.defs.ingest.assets import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.reports.batch import write_period_reports
from orchestration.reports.data import MART_SCHEMA, REPORT_MARTS, REPORT_SEEDS, SEED_SCHEMA
from orchestration.reports.periods import Period
from orchestration.settings import env, resolve

CLIENT_REPORTS_KEY = AssetKey(["reports", "client_reports"])


def quarterly_partitions(first_quarter: str) -> TimeWindowPartitionsDefinition:
    """One partition per calendar quarter from `first_quarter` (YYYY-Qn), keyed by the quarter's
    first day (2026-07-01 is 2026-Q3), up to the last quarter that has ended."""
    period = Period.parse(first_quarter)
    if period.period_type != "quarter":
        raise ValueError(
            f"MSPKPI_REPORTS_FIRST_QUARTER={first_quarter!r} is not a quarter (YYYY-Qn, e.g. "
            "2024-Q4)"
        )
    return TimeWindowPartitionsDefinition(
        cron_schedule="0 0 1 1,4,7,10 *",
        start=datetime.combine(period.start_on, datetime.min.time()),
        fmt="%Y-%m-%d",
        timezone="UTC",
        end_offset=0,
    )


QUARTERLY_PARTITIONS = quarterly_partitions(env("MSPKPI_REPORTS_FIRST_QUARTER"))


def partition_key(quarter: Period) -> str:
    """The partition of a quarter: its first day (2026-Q3 -> 2026-07-01)."""
    return quarter.start_on.isoformat()


REPORT_INPUT_KEYS = [AssetKey([MART_SCHEMA, name]) for name in REPORT_MARTS] + [
    AssetKey([SEED_SCHEMA, name]) for name in REPORT_SEEDS
]


class ClientReportsConfig(Config):
    """Run config: `pdf: false` writes the HTML only; `client_ids` rewrites only those clients'
    reports (after a correction), every client served in the quarter when empty."""

    pdf: bool = True
    client_ids: list[str] = Field(default_factory=list)


@asset(
    key=CLIENT_REPORTS_KEY,
    deps=REPORT_INPUT_KEYS,
    partitions_def=QUARTERLY_PARTITIONS,
    group_name="reports",
    kinds={"html", "pdf"},
    # the reports only read the warehouse, but DuckDB cannot open it while another step writes
    pool=WAREHOUSE_POOL,
    description=(
        "Quarterly business review (QBR) of every client served in the quarter, in the client's "
        "language: <MSPKPI_REPORTS_DIR>/<YYYY-Qn>/<client_id>.html (self-contained) and .pdf. "
        "Same code as `mspkpi report --all-clients --period YYYY-Qn`."
    ),
)
def client_reports(
    context, config: ClientReportsConfig, warehouse: WarehouseResource
) -> MaterializeResult:
    period = Period.quarter_of(context.partition_time_window.start.date())
    out_dir = resolve(env("MSPKPI_REPORTS_DIR"))
    settings = warehouse.settings()
    context.log.info(f"writing the {period.label} reports of {settings.duckdb_path} to {out_dir}")
    written = write_period_reports(
        settings.duckdb_path, period, out_dir, client_ids=config.client_ids or None, pdf=config.pdf
    )
    seconds = sum(item.seconds for item in written)
    languages: dict[str, int] = {}
    for item in written:
        language = item.report.client.language_code
        languages[language] = languages.get(language, 0) + 1
    return MaterializeResult(
        metadata={
            "period": period.label,
            "folder": MetadataValue.path(str(out_dir / period.label)),
            "client_count": len(written),
            "clients_by_language": MetadataValue.json(languages),
            "pdf": config.pdf,
            "render_seconds": round(seconds, 1),
            "seconds_per_client": round(seconds / len(written), 2) if written else 0.0,
        }
    )


quarterly_client_reports_job = define_asset_job(
    name="quarterly_client_reports",
    selection=[CLIENT_REPORTS_KEY],
    description="Write every client's QBR of a quarter (HTML and PDF).",
)


@schedule(
    job=quarterly_client_reports_job,
    name="quarterly_client_reports_schedule",
    # the 2nd of January, April, July and October at 06:00 UTC: after the nightly refresh
    # (02:00 by default) has loaded the last day of the quarter that just ended
    cron_schedule="0 6 2 1,4,7,10 *",
    execution_timezone="UTC",
)
def quarterly_client_reports_schedule(context: ScheduleEvaluationContext) -> RunRequest:
    """The QBRs of the quarter that has just ended."""
    quarter = Period.quarter_of(context.scheduled_execution_time.date()).previous()
    key = partition_key(quarter)
    return RunRequest(run_key=key, partition_key=key)

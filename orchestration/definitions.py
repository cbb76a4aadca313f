"""The one entry point Dagster loads (`dagster dev -m orchestration.definitions`)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import DBT_EXECUTABLE, dbt_project
from orchestration.defs.alerts.sensors import daily_refresh_alerts
from orchestration.defs.dbt.assets import mspkpi_dbt_assets
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.ingest.sensors import new_extract_files
from orchestration.defs.quality.checks import quality_checks
from orchestration.defs.reports.assets import (
    client_reports,
    quarterly_client_reports_job,
    quarterly_client_reports_schedule,
)
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.schedules import daily_refresh_job, daily_refresh_schedule
from orchestration.defs.serving.assets import serving_marts

defs = Definitions(
    assets=[*ingest_assets, mspkpi_dbt_assets, serving_marts, client_reports],
    # quality suites (orchestration/quality) beside the checks dagster-dbt makes of the dbt tests
    asset_checks=quality_checks,
    jobs=[daily_refresh_job, quarterly_client_reports_job],
    schedules=[daily_refresh_schedule, quarterly_client_reports_schedule],
    sensors=[new_extract_files, daily_refresh_alerts],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
    },
    # DuckDB allows one writing process per file: steps run one at a time, in this process.
    executor=in_process_executor,
)

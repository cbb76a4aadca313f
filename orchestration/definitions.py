"""The one entry point Dagster loads (`dagster dev -m orchestration.definitions`)."""

from __future__ import annotations

from dagster import Definitions, in_process_executor
from dagster_dbt import DbtCliResource

from orchestration.dbt_project import DBT_EXECUTABLE, dbt_project
from orchestration.defs.dbt.assets import mspkpi_dbt_assets
from orchestration.defs.ingest.assets import ingest_assets
from orchestration.defs.ingest.sensors import new_extract_files
from orchestration.defs.resources import WarehouseResource
from orchestration.defs.schedules import daily_refresh_job, daily_refresh_schedule

defs = Definitions(
    assets=[*ingest_assets, mspkpi_dbt_assets],
    jobs=[daily_refresh_job],
    schedules=[daily_refresh_schedule],
    sensors=[new_extract_files],
    resources={
        "warehouse": WarehouseResource(),
        "dbt": DbtCliResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE)),
    },
    # DuckDB allows one writing process per file: steps run one at a time, in this process.
    executor=in_process_executor,
)

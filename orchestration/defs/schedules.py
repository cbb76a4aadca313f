"""The nightly refresh: every ingest asset, then every dbt model (the large ones incrementally)
and its data tests."""

from __future__ import annotations

from dagster import AssetSelection, ScheduleDefinition, define_asset_job

from orchestration.settings import env

daily_refresh_job = define_asset_job(
    name="daily_refresh",
    # the client reports are partitioned by quarter: their own job and schedule write them
    selection=AssetSelection.all() - AssetSelection.groups("reports"),
    description="Ingest every new extract file, then dbt build the whole project.",
)

daily_refresh_schedule = ScheduleDefinition(
    name="daily_refresh_schedule",
    job=daily_refresh_job,
    cron_schedule=env("MSPKPI_SCHEDULE_CRON"),
    execution_timezone=env("MSPKPI_SCHEDULE_TIMEZONE"),
)

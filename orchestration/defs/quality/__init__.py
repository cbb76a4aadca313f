"""Dagster asset checks of the data quality suites (orchestration/quality)."""

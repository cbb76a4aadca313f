"""Dagster definitions, one folder per integration (ingest, dbt), gathered by definitions.py."""

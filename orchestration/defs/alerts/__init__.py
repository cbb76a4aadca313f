"""Dagster: the month's alerts reported after each successful nightly refresh."""

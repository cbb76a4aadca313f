"""Resources built from environment variables (see .env.example)."""

from __future__ import annotations

from dagster import ConfigurableResource, EnvVar

from orchestration.settings import DEFAULTS, Settings, resolve


class WarehouseResource(ConfigurableResource):
    """Where the extracts land and where the DuckDB warehouse lives."""

    raw_dir: str
    duckdb_path: str
    source_timezone: str

    def settings(self) -> Settings:
        return Settings(
            raw_dir=resolve(self.raw_dir),
            duckdb_path=resolve(self.duckdb_path),
            source_timezone=self.source_timezone,
        )


def warehouse_from_env() -> WarehouseResource:
    """EnvVar values are read when a run starts, so the UI never shows a stale path."""
    return WarehouseResource(
        raw_dir=EnvVar("MSPKPI_RAW_DIR").get_value(DEFAULTS["MSPKPI_RAW_DIR"]),
        duckdb_path=EnvVar("MSPKPI_DUCKDB_PATH").get_value(DEFAULTS["MSPKPI_DUCKDB_PATH"]),
        source_timezone=EnvVar("MSPKPI_SOURCE_TIMEZONE").get_value(
            DEFAULTS["MSPKPI_SOURCE_TIMEZONE"]
        ),
    )

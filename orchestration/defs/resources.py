"""Resources built from environment variables (see .env.example)."""

from __future__ import annotations

from dagster import ConfigurableResource

from orchestration.settings import Settings, resolve


class WarehouseResource(ConfigurableResource):
    """Where the extracts land and where the DuckDB warehouse lives.

    Empty fields are read from the environment when a run starts (MSPKPI_RAW_DIR,
    MSPKPI_DUCKDB_PATH, MSPKPI_SOURCE_TIMEZONE), so a changed .env needs no code reload; the same
    variables drive dbt's profile, so the ingest assets and the dbt assets always share one file.
    """

    raw_dir: str = ""
    duckdb_path: str = ""
    source_timezone: str = ""

    def settings(self) -> Settings:
        from_env = Settings.from_env()
        return Settings(
            raw_dir=resolve(self.raw_dir) if self.raw_dir else from_env.raw_dir,
            duckdb_path=resolve(self.duckdb_path) if self.duckdb_path else from_env.duckdb_path,
            source_timezone=self.source_timezone or from_env.source_timezone,
        )

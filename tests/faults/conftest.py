"""Fixtures of the fault tests: the small sample ingested once (raw only), and for each test a
copy of that warehouse to deliver bad files into.

The copy keeps the file name `warehouse.duckdb`: DuckDB names a file's catalog after it, and the
views dbt creates are qualified with that name, so a renamed copy of a built warehouse would have
broken views.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from orchestration.ingest import DeliveryResult
from orchestration.pipeline import ingest
from orchestration.sample import generate_sample
from orchestration.settings import Settings
from tests.faults.extracts import SAMPLE_OPTIONS, Files, Warehouse, write_files

WAREHOUSE_NAME = "warehouse.duckdb"


@dataclass(frozen=True)
class SampleTemplate:
    raw_dir: Path  # the sample's extract files
    database: Path  # the sample ingested (raw schema only, no dbt build)


@pytest.fixture(scope="session")
def sample_template(tmp_path_factory: pytest.TempPathFactory) -> SampleTemplate:
    root = tmp_path_factory.mktemp("fault_sample")
    raw_dir, database = root / "raw", root / WAREHOUSE_NAME
    generate_sample(raw_dir, **SAMPLE_OPTIONS)
    ingest(Settings(raw_dir=raw_dir, duckdb_path=database, source_timezone="UTC"))
    return SampleTemplate(raw_dir, database)


@dataclass(frozen=True)
class FaultWarehouse(Warehouse):
    """A copy of a good warehouse and an empty landing folder to drop bad deliveries into."""

    raw_dir: Path
    before: int  # the last delivery of the good warehouse

    def deliver(self, files: Files) -> list[DeliveryResult]:
        """Drop the files and run the ingestion a run starts with (`mspkpi ingest`)."""
        write_files(self.raw_dir, files)
        settings = Settings(raw_dir=self.raw_dir, duckdb_path=self.path, source_timezone="UTC")
        return [result for result in ingest(settings) if result.status != "skipped"]

    def new_audit(self) -> list[tuple]:
        return self.audit(after_delivery=self.before)


def copy_warehouse(source: Path, folder: Path) -> FaultWarehouse:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / WAREHOUSE_NAME
    shutil.copyfile(source, target)
    raw_dir = folder / "raw"
    raw_dir.mkdir()
    return FaultWarehouse(target, raw_dir, Warehouse(target).last_delivery())


@pytest.fixture
def warehouse(sample_template: SampleTemplate, tmp_path: Path) -> Iterator[FaultWarehouse]:
    """The sample's raw warehouse, copied for this test."""
    yield copy_warehouse(sample_template.database, tmp_path / "warehouse")

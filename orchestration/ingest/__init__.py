"""Ingestion of extract files (CSV, CSV.GZ, Parquet) into DuckDB's `raw` schema.

The extract contract (`orchestration/contract/extracts.yml`) says what a file must look like; this
package reads each delivery with DuckDB's own readers, types and checks every value in SQL, keeps
the valid rows in `raw.<system>__<entity>` and every broken one in `raw._rejects`, and records each
delivery in `raw._load_audit` (loaded + rejected = received, always).
"""

from orchestration.ingest.load import load_all, load_entity
from orchestration.ingest.results import (
    ContractViolation,
    DeliveryResult,
    Reject,
    ValidationReport,
)
from orchestration.ingest.schema import ensure_raw_schema
from orchestration.ingest.validate import validate_raw_dir

__all__ = [
    "ContractViolation",
    "DeliveryResult",
    "Reject",
    "ValidationReport",
    "ensure_raw_schema",
    "load_all",
    "load_entity",
    "validate_raw_dir",
]

"""Where the quality checks keep their files, and the thresholds an operator may tune."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from orchestration.settings import env, resolve


@dataclass(frozen=True)
class QualitySettings:
    """docs_dir: the Great Expectations data docs site (index.html); gx_dir: the latest validation
    result and suite of every check, the store the docs are rendered from; max_rejected_share: the
    share of a delivery's rows the loader may reject before the delivery is flagged."""

    docs_dir: Path
    gx_dir: Path
    max_rejected_share: float

    @classmethod
    def for_warehouse(cls, duckdb_path: Path) -> QualitySettings:
        """By default both folders live in `quality/` beside the warehouse file (data/quality/docs
        for data/warehouse.duckdb): the docs describe that warehouse, so two warehouses (a test's,
        a benchmark's) never overwrite each other's docs."""
        beside = duckdb_path.parent / "quality"
        docs = env("MSPKPI_QUALITY_DOCS_DIR")
        return cls(
            docs_dir=resolve(docs) if docs else beside / "docs",
            gx_dir=beside / "gx",
            max_rejected_share=parse_share(env("MSPKPI_QUALITY_MAX_REJECTED_SHARE")),
        )


def parse_share(text: str) -> float:
    """A fraction in [0, 1] (0.01 = 1 %), with a message naming the variable when it is not."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value <= 1.0:
        raise ValueError(
            f"MSPKPI_QUALITY_MAX_REJECTED_SHARE={text!r} is not a fraction between 0 and 1 "
            "(0.01 = 1 %): fix it in .env or the environment"
        )
    return value

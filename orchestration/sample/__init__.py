"""The sample MSP: realistic, deterministic extract files for demos, tests and benchmarks.

`generate_sample(out_dir)` writes what an MSP would drop in the landing folder, following the
extract contract (orchestration/contract/extracts.yml), including a few rows broken on purpose
(`SampleSummary.broken_rows`) so that the rejects are never empty.
"""

from .deliveries import BrokenRow, SampleSummary
from .generator import generate_sample

__all__ = ["BrokenRow", "SampleSummary", "generate_sample"]

"""What ingestion hands back: per-delivery results, rejects and the dry-run validation report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LOADED = "loaded"
SKIPPED = "skipped"
REFUSED = "refused"


class ContractViolation(Exception):
    """A problem that is not about rows: missing raw directory, unknown time zone, a raw table
    whose column type no longer matches the contract. Row problems never raise; they are rejects."""


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one file (one delivery).

    status: 'loaded' (the file was accepted; some rows may still be rejected), 'skipped' (the same
    content was already loaded or refused: nothing happened) or 'refused' (the file was rejected
    whole). In a `ValidationReport`, 'loaded' means "would be loaded".
    Always: loaded + rejected = received.
    """

    entity: str
    file: str
    content_hash: str
    status: str
    received: int
    loaded: int
    rejected: int
    message: str | None = None


@dataclass(frozen=True)
class Reject:
    """One broken value (or malformed line) of a rejected row, as kept in `raw._rejects`."""

    file: str
    line: int
    column: str | None
    value: str | None
    reason: str


@dataclass(frozen=True)
class ValidationReport:
    """The result of `validate_raw_dir`: a contract check of a raw directory that loads nothing.

    `rejects` holds at most `max_rejects` entries (by file and line); `reject_count` is the total.
    `entities_without_files` is informational (not every MSP exports every system), so it does not
    make the report fail; unknown folders do, since their files would be silently ignored.
    """

    raw_dir: Path
    files: tuple[DeliveryResult, ...]
    rejects: tuple[Reject, ...]
    reject_count: int
    unknown_folders: tuple[str, ...]
    entities_without_files: tuple[str, ...]
    ignored_files: tuple[str, ...]

    def render(self, rejects_per_file: int = 10) -> str:
        """The report as text for an operator (the `mspkpi validate` output)."""
        lines = [f"Checked {self.raw_dir} against the extract contract."]
        for result in self.files:
            lines += _render_file(result, self.rejects, rejects_per_file)
        if self.reject_count > len(self.rejects):
            lines.append(f"({self.reject_count - len(self.rejects)} more rejects not listed)")
        if self.unknown_folders:
            folders = ", ".join(self.unknown_folders)
            lines.append(f"Unknown folders (their files are ignored; check the name): {folders}")
        if self.ignored_files:
            lines.append(f"Ignored files (not .csv, .csv.gz or .parquet in <system>/<entity>/): "
                         f"{', '.join(self.ignored_files)}")  # fmt: skip
        if self.entities_without_files:
            lines.append(f"No file for: {', '.join(self.entities_without_files)}")
        lines.append("OK" if self.ok else "NOT OK: fix the files above and validate again")
        return "\n".join(lines)

    @property
    def ok(self) -> bool:
        """True when every file loads without a rejected row and no folder is unknown."""
        return (
            not self.unknown_folders
            and self.reject_count == 0
            and all(f.status != REFUSED and f.rejected == 0 for f in self.files)
        )


def _render_file(result: DeliveryResult, rejects: tuple[Reject, ...], limit: int) -> list[str]:
    if result.status != LOADED or result.rejected == 0:
        return [result.message or f"{result.file}: ok, {result.loaded} rows"]
    lines = [f"{result.file}: {result.rejected} of {result.received} rows rejected"]
    own = [r for r in rejects if r.file == result.file]
    for reject in own[:limit]:
        where = f"line {reject.line}" + (f", {reject.column}" if reject.column else "")
        lines.append(f"  {where}: {reject.reason}")
    if len(own) > limit:
        lines.append(f"  ... and {len(own) - limit} more")
    return lines

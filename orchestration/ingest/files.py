"""Finding delivery files under the raw directory and the few facts read from them in Python:
the content hash, the header and where the blank lines are (all streamed in chunks, so a file of
any size is read in bounded memory; rows themselves are only ever read by DuckDB)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from orchestration.contract import Contract, Entity

CHUNK_BYTES = 1 << 20
SUFFIXES = (".csv", ".csv.gz", ".parquet")


@dataclass(frozen=True)
class DeliveryFile:
    entity: Entity
    path: Path
    relative: str  # 'psa/tickets/2026-01.csv', the name used in every table and message

    @property
    def format(self) -> str:
        return "parquet" if self.path.name.lower().endswith(".parquet") else "csv"

    @property
    def gzipped(self) -> bool:
        return self.path.name.lower().endswith(".gz")


@dataclass(frozen=True)
class LineScan:
    """What DuckDB does not tell about a CSV: its empty lines (skipped silently, yet counted in
    DuckDB's own line numbers) and how many physical lines it has."""

    blank_lines: tuple[int, ...]
    line_count: int


@dataclass(frozen=True)
class FileFacts:
    content_hash: str
    size_bytes: int
    lines: LineScan | None  # a plain CSV is scanned while hashing; None: not scanned (yet)


@dataclass(frozen=True)
class RawDirLayout:
    files: tuple[DeliveryFile, ...]
    unknown_folders: tuple[str, ...]  # '<system>/<entity>' folders that the contract does not know
    ignored_files: tuple[str, ...]  # files that are not deliveries (wrong place or extension)


def is_delivery_name(name: str) -> bool:
    lowered = name.lower()
    return not name.startswith((".", "~")) and lowered.endswith(SUFFIXES)


def entity_files(raw_dir: Path, entity: Entity) -> list[DeliveryFile]:
    """The entity's delivery files, in name order (the order they are loaded in)."""
    folder = raw_dir / entity.system / entity.name
    if not folder.is_dir():
        return []
    paths = sorted(p for p in folder.iterdir() if p.is_file() and is_delivery_name(p.name))
    return [DeliveryFile(entity, p, p.relative_to(raw_dir).as_posix()) for p in paths]


def scan_raw_dir(raw_dir: Path, contract: Contract) -> RawDirLayout:
    known = {entity.key for entity in contract.entities}
    files: list[DeliveryFile] = []
    for entity in contract.entities:
        files.extend(entity_files(raw_dir, entity))
    unknown: list[str] = []
    ignored: list[str] = []
    for path in sorted(raw_dir.rglob("*")):
        relative = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        depth = len(relative.parts)
        if path.is_dir() and depth == 2 and relative.as_posix() not in known:
            unknown.append(relative.as_posix())
        elif path.is_file() and not _is_known_delivery(relative, known):
            ignored.append(relative.as_posix())
    return RawDirLayout(tuple(files), tuple(unknown), tuple(ignored))


def _is_known_delivery(relative: Path, known: set[str]) -> bool:
    folder = "/".join(relative.parts[:-1])
    return len(relative.parts) == 3 and folder in known and is_delivery_name(relative.name)


def inspect_file(delivery: DeliveryFile) -> FileFacts:
    """Hash the file bytes; for a plain CSV, scan its lines in the same pass."""
    digest = hashlib.sha256()
    lines: LineScan | None = None
    with open(delivery.path, "rb") as handle:
        chunks = _hashed(_chunks(handle), digest)
        if delivery.format == "csv" and not delivery.gzipped:
            lines = scan_lines(chunks)
        else:
            for _chunk in chunks:
                pass
    return FileFacts(digest.hexdigest(), delivery.path.stat().st_size, lines)


def csv_line_scan(delivery: DeliveryFile, facts: FileFacts) -> LineScan:
    """The line scan of a CSV delivery, decompressing a .csv.gz (OSError/EOFError if broken)."""
    if facts.lines is not None:
        return facts.lines
    with gzip.open(delivery.path, "rb") as handle:
        return scan_lines(_chunks(handle))


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    while chunk := handle.read(CHUNK_BYTES):
        yield chunk


def _hashed(chunks: Iterable[bytes], digest: hashlib._Hash) -> Iterator[bytes]:
    for chunk in chunks:
        digest.update(chunk)
        yield chunk


def scan_lines(chunks: Iterable[bytes]) -> LineScan:
    """Empty lines ('\n\n' or '\n\r\n') and the line count, chunk by chunk at C speed.

    Each chunk is searched together with the last two bytes of the previous one, so an empty line
    that straddles two chunks is found once. Line breaks inside quoted values are not told apart
    (see the module docstring of `orchestration.ingest.delivery`).
    """
    blank: list[int] = []
    tail = b""
    newlines_before = 0  # newlines in the data before `buffer`
    for chunk in chunks:
        buffer = tail + chunk
        counted_to, newlines = 0, newlines_before
        for start in sorted(_blank_line_starts(buffer, len(tail))):
            newlines += buffer.count(b"\n", counted_to, start)
            counted_to = start
            blank.append(newlines + 1)
        keep = min(2, len(buffer))
        newlines_before += buffer.count(b"\n", 0, len(buffer) - keep)
        tail = buffer[len(buffer) - keep :]
    unterminated_last_line = 1 if tail and not tail.endswith(b"\n") else 0
    return LineScan(tuple(blank), newlines_before + tail.count(b"\n") + unterminated_last_line)


def _blank_line_starts(buffer: bytes, old: int) -> set[int]:
    """Offsets where an empty line starts, for matches that reach past the first `old` bytes."""
    starts: set[int] = set()
    for pattern in (b"\n\n", b"\n\r\n"):
        position = buffer.find(pattern)
        while position != -1:
            if position + len(pattern) > old:
                starts.add(position + 1)
            position = buffer.find(pattern, position + 1)
    return starts


def read_csv_header(delivery: DeliveryFile) -> list[str] | None:
    """The header row as written (BOM removed), or None for an empty file.

    Raises UnicodeDecodeError / csv.Error / OSError (gzip) when the header cannot be read.
    """
    opener = gzip.open if delivery.gzipped else open
    with opener(delivery.path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return next(csv.reader(text), None)

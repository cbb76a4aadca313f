"""Materialise the ingest assets of the entities whose folder received new or changed files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from dagster import RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.contract import load_contract
from orchestration.defs.ingest.assets import ingest_assets, raw_asset_key
from orchestration.settings import Settings

EXTRACT_SUFFIXES = (".csv", ".csv.gz", ".parquet")


def snapshot_files(raw_dir: Path) -> dict[str, list[float]]:
    """`{relative path: [mtime, size]}` of every extract file under raw_dir."""
    files: dict[str, list[float]] = {}
    if not raw_dir.is_dir():
        return files
    for path in sorted(raw_dir.glob("*/*/*")):
        if path.is_file() and path.name.endswith(EXTRACT_SUFFIXES):
            stat = path.stat()
            files[path.relative_to(raw_dir).as_posix()] = [stat.st_mtime, stat.st_size]
    return files


def changed_entities(before: dict[str, list[float]], after: dict[str, list[float]]) -> list[str]:
    """Entity keys (`psa/tickets`) with a file that is new or changed since `before`."""
    changed = {name.rsplit("/", 1)[0] for name, stat in after.items() if before.get(name) != stat}
    known = {entity.key for entity in load_contract().entities}
    return sorted(changed & known)


@sensor(
    name="new_extract_files",
    asset_selection=ingest_assets,
    minimum_interval_seconds=60,
    description="Loads new extract files as soon as they land in MSPKPI_RAW_DIR.",
)
def new_extract_files(context: SensorEvaluationContext):
    raw_dir = Settings.from_env().raw_dir
    before = json.loads(context.cursor) if context.cursor else {}
    after = snapshot_files(raw_dir)
    entities = changed_entities(before, after)
    context.update_cursor(json.dumps(after))
    if not entities:
        return SkipReason(f"no new file under {raw_dir}")
    contract = load_contract()
    return RunRequest(
        run_key=hashlib.sha256(json.dumps(after, sort_keys=True).encode()).hexdigest(),
        asset_selection=[raw_asset_key(contract.entity(key)) for key in entities],
        tags={"mspkpi/entities": ",".join(entities)},
    )

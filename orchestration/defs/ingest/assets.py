"""One Dagster asset per extract entity: it loads that entity's new files into `raw`."""

from __future__ import annotations

from dagster import AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.contract import Entity, load_contract
from orchestration.defs.resources import WarehouseResource
from orchestration.ingest import ensure_raw_schema, load_entity
from orchestration.pipeline import connect

# Every step that writes the warehouse takes a slot of this pool: DuckDB has one writer per file.
WAREHOUSE_POOL = "duckdb_warehouse"


def raw_asset_key(entity: Entity) -> AssetKey:
    """`raw/psa__tickets`: the same key the dbt translator gives the dbt source."""
    return AssetKey(["raw", entity.raw_table])


def build_ingest_asset(entity: Entity) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(entity),
        group_name=f"raw_{entity.system}",
        description=f"{entity.description} Loaded from <raw_dir>/{entity.key}/.",
        kinds={"duckdb", "csv"},
        pool=WAREHOUSE_POOL,
    )
    def ingest_entity(context, warehouse: WarehouseResource) -> MaterializeResult:
        settings = warehouse.settings()
        con = connect(settings.duckdb_path)
        try:
            ensure_raw_schema(con)
            results = load_entity(
                con, settings.raw_dir, entity, source_timezone=settings.source_timezone
            )
        finally:
            con.close()
        new = [r for r in results if r.status != "skipped"]
        for result in new:
            if result.status == "refused":
                context.log.error(result.message)
            elif result.rejected:
                context.log.warning(
                    f"{result.file}: {result.rejected} of {result.received} rows rejected; "
                    "see raw._rejects for line, column and reason"
                )
        return MaterializeResult(
            metadata={
                "new_deliveries": len(new),
                "rows_received": sum(r.received for r in new),
                "rows_loaded": sum(r.loaded for r in new),
                "rows_rejected": sum(r.rejected for r in new),
                "files": MetadataValue.md(
                    "\n".join(
                        f"- `{r.file}` {r.status}: {r.loaded} loaded, {r.rejected} rejected"
                        for r in new
                    )
                    or "no new file"
                ),
            }
        )

    return ingest_entity


ingest_assets = [build_ingest_asset(entity) for entity in load_contract().entities]

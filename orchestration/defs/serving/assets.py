"""`serving/marts`: publishes the documented marts to the serving file after every mart is built.

It depends on every dbt asset of the marts schema, so the daily job publishes once, at the end, and
a run that rebuilds only some marts publishes them too. It runs in the warehouse's pool: it reads
the warehouse, which DuckDB cannot open while another step writes it.
"""

from __future__ import annotations

import json

from dagster import AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.dbt_project import dbt_project
from orchestration.defs.dbt.assets import mspkpi_dbt_assets
from orchestration.defs.ingest.assets import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.pipeline import MART_SCHEMA
from orchestration.serving import publish, serving_path

MART_ASSET_KEYS = sorted(
    (key for key in mspkpi_dbt_assets.keys if key.path[0] == MART_SCHEMA),
    key=lambda key: key.to_user_string(),
)


@asset(
    key=AssetKey(["serving", "marts"]),
    deps=MART_ASSET_KEYS,
    group_name="serving",
    kinds={"duckdb"},
    pool=WAREHOUSE_POOL,
    description=(
        "Read-only copy of the documented marts (MSPKPI_SERVING_PATH, default serving.duckdb "
        "beside the warehouse), replaced atomically: BI tools and notebooks read it while runs "
        "write the warehouse. See docs/metabase.md."
    ),
)
def serving_marts(context, warehouse: WarehouseResource) -> MaterializeResult:
    settings = warehouse.settings()
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    result = publish(settings.duckdb_path, serving_path(settings.duckdb_path), manifest=manifest)
    for table, reason in result.skipped.items():
        context.log.warning(f"marts.{table} is not served: {reason}")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(result.path)),
            "served_marts": len(result.rows),
            "rows": MetadataValue.json(result.rows),
            "not_served": MetadataValue.json(result.skipped),
            "seconds": round(result.seconds, 2),
        }
    )

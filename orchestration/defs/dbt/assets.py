"""The dbt project as Dagster assets: staging, intermediate and marts, after the raw assets."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import PRODUCTION_BUILD_EXCLUDES, dbt_project, ensure_manifest
from orchestration.defs.ingest.assets import WAREHOUSE_POOL


class MspkpiTranslator(DagsterDbtTranslator):
    """dbt sources are the raw tables the ingest assets write: same key, so lineage connects."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props["schema"]


ensure_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    project=dbt_project,
    dagster_dbt_translator=MspkpiTranslator(),
    pool=WAREHOUSE_POOL,
)
def mspkpi_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource):
    yield from dbt.cli(["build", *PRODUCTION_BUILD_EXCLUDES], context=context).stream()

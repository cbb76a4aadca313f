"""The dbt project as Dagster assets: staging, intermediate and marts, after the raw assets."""

from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_project import PRODUCTION_BUILD_EXCLUDES, dbt_project, ensure_manifest
from orchestration.defs.ingest.assets import WAREHOUSE_POOL
from orchestration.defs.resources import WarehouseResource
from orchestration.pipeline import plan_build, record_passed_build


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
def mspkpi_dbt_assets(
    context: AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
):
    """`dbt build` of what the new deliveries and the as-of time reach (build_scope), recorded
    once it passed; a selection made in the UI (a subset) builds what was selected."""
    scope = None
    if not context.is_subset and dbt_project.target == "duckdb":
        ensure_manifest()
        scope = plan_build(warehouse.settings(), manifest=dbt_project.manifest_path)
        context.log.info(scope.describe())
    args = ["build", *PRODUCTION_BUILD_EXCLUDES, *(scope.dbt_args if scope else [])]
    invocation = dbt.cli(args, context=context)
    yield from invocation.stream()
    if scope is not None:
        built = invocation.target_path / "manifest.json"
        record_passed_build(warehouse.settings(), scope, built_manifest=built)

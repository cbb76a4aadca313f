"""The quality suites as Dagster asset checks, beside the checks dagster-dbt makes of dbt tests.

Each raw asset has `blocking_expectations` (blocking: when it fails, the dbt assets of the same run
do not run), `warning_expectations` and `source_freshness`; each mart has `blocking_expectations`
(and `warning_expectations` when a dbt test of it is a warning). One multi-asset check per layer
runs the selected checks in one step, one GE context and one warehouse connection (taken from the
`duckdb_warehouse` pool: DuckDB has one writer per file), writes every result to
quality.check_results and rebuilds the data docs.
"""

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from orchestration.contract import load_contract
from orchestration.dbt_project import dbt_project, ensure_manifest
from orchestration.defs.ingest.assets import WAREHOUSE_POOL, raw_asset_key
from orchestration.defs.resources import WarehouseResource
from orchestration.pipeline import connect
from orchestration.quality.config import QualitySettings
from orchestration.quality.freshness import CHECK_NAME as FRESHNESS
from orchestration.quality.runner import QualityReport, check_marts, check_raw, describe
from orchestration.quality.store import CheckResult
from orchestration.quality.suites import ERROR, WARN, Suite, mart_suites

BLOCKING = "blocking_expectations"
WARNING = "warning_expectations"

RAW_DESCRIPTIONS = {
    BLOCKING: "Great Expectations on the new deliveries: column types, required values, currency "
    "and time formats, key unique within a delivery. Blocking: when it fails, the dbt assets of "
    "the run do not run.",
    WARNING: "Great Expectations on the new deliveries: allowed values, ranges and row rules of "
    "the contract, and each delivery's share of rejected rows (MSPKPI_QUALITY_MAX_REJECTED_SHARE).",
    FRESHNESS: "Time since the latest delivery that loaded rows (raw._load_audit) against the dbt "
    "source's warn_after (warning) and error_after (error); never blocks.",
}

MART_DESCRIPTIONS = {
    BLOCKING: "Great Expectations on the mart: grain unique, rates in [0, 1], totals reconciled "
    "with the marts they summarise. Blocking for assets downstream of the mart.",
    WARNING: "Great Expectations on the mart: the checks of its dbt tests of severity warn.",
}


def read_manifest() -> dict[str, Any]:
    """The manifest the dbt assets were built from (orchestration/defs/dbt/assets.py parses it)."""
    return json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))


def raw_check_specs() -> list[AssetCheckSpec]:
    return [
        AssetCheckSpec(
            name,
            asset=raw_asset_key(entity),
            blocking=name == BLOCKING,
            description=description,
        )
        for entity in load_contract().entities
        for name, description in RAW_DESCRIPTIONS.items()
    ]


def _severities(suite: Suite) -> set[str]:
    return {expectation.meta["severity"] for expectation in suite.expectations}


def mart_check_specs(suites: Iterable[Suite]) -> list[AssetCheckSpec]:
    """A blocking spec for each mart (a mart not built fails it), a warning one where needed."""
    names: dict[tuple[str, ...], set[str]] = {}
    for suite in suites:
        names.setdefault(suite.asset_key, {BLOCKING})
        if WARN in _severities(suite):
            names[suite.asset_key].add(WARNING)
    return [
        AssetCheckSpec(
            name,
            asset=AssetKey(list(key)),
            blocking=name == BLOCKING,
            description=MART_DESCRIPTIONS[name],
        )
        for key, checks in sorted(names.items())
        for name in sorted(checks)
    ]


def _markdown(results: Sequence[CheckResult]) -> str:
    failing = [r for r in results if not r.passed]
    if not failing:
        return f"all {len(results)} checks passed"
    return "\n".join(f"- `{describe(r)}`" for r in failing)


def check_result(key: AssetCheckKey, report: QualityReport, docs: Path | None) -> AssetCheckResult:
    """The AssetCheckResult of one spec from the rows of quality.check_results it stands for."""
    asset = key.asset_key.to_user_string()
    results = report.for_asset(asset)
    if key.name == FRESHNESS:
        results = [r for r in results if r.check_name == FRESHNESS]
        severity = (
            AssetCheckSeverity.ERROR
            if any(r.severity == ERROR and not r.passed for r in results)
            else AssetCheckSeverity.WARN
        )
    else:
        wanted = ERROR if key.name == BLOCKING else WARN
        results = [r for r in results if r.check_name != FRESHNESS and r.severity == wanted]
        severity = AssetCheckSeverity.ERROR if key.name == BLOCKING else AssetCheckSeverity.WARN
    metadata: dict[str, Any] = {
        "checks": len(results),
        "failed_checks": sum(not r.passed for r in results),
        "failing_rows": sum(r.failing_rows_count or 0 for r in results if not r.passed),
        "results": MetadataValue.md(_markdown(results)),
        "quality_run_id": results[0].run_id if results else "",
    }
    if asset in report.scope and key.name != FRESHNESS:
        metadata["scope"] = report.scope[asset]  # e.g. "3 new deliveries"
    if docs:
        metadata["data_docs"] = MetadataValue.path(str(docs))
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=all(r.passed for r in results),
        severity=severity,
        metadata=metadata,
    )


def _ordered(keys: Iterable[AssetCheckKey]) -> list[AssetCheckKey]:
    return sorted(keys, key=lambda k: (k.asset_key.to_user_string(), k.name))


@multi_asset_check(
    name="raw_quality_checks",
    specs=raw_check_specs(),
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="Quality checks of the raw tables (orchestration/quality): the rows of the "
    "deliveries not checked yet, the column types, the rejected share and source freshness.",
)
def raw_quality_checks(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckResult]:
    selected = _ordered(context.selected_asset_check_keys)
    assets = {key.asset_key for key in selected}
    entities = [e for e in load_contract().entities if raw_asset_key(e) in assets]
    settings = warehouse.settings()
    con = connect(settings.duckdb_path)
    try:
        report = check_raw(
            con,
            QualitySettings.for_warehouse(settings.duckdb_path),
            context.run.run_id,
            entities=entities,
            manifest=read_manifest(),
        )
    finally:
        con.close()
    for key in selected:
        yield check_result(key, report, report.docs_index)


ensure_manifest()  # the mart checks are the manifest's marts, as the dbt assets are


@multi_asset_check(
    name="mart_quality_checks",
    specs=mart_check_specs(mart_suites(read_manifest())),
    can_subset=True,
    pool=WAREHOUSE_POOL,
    description="Quality checks of the marts (orchestration/quality): grain, rates, "
    "reconciliations.",
)
def mart_quality_checks(
    context: AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[AssetCheckResult]:
    selected = _ordered(context.selected_asset_check_keys)
    marts = sorted({key.asset_key.path[-1] for key in selected})
    settings = warehouse.settings()
    con = connect(settings.duckdb_path)
    try:
        report = check_marts(
            con,
            QualitySettings.for_warehouse(settings.duckdb_path),
            context.run.run_id,
            read_manifest(),
            marts=marts,
        )
    finally:
        con.close()
    for key in selected:
        yield check_result(key, report, report.docs_index)


quality_checks = [raw_quality_checks, mart_quality_checks]

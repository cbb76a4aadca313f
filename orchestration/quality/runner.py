"""The quality checks of a run: raw suites after the ingest, mart suites after dbt, freshness; the
results written to quality.check_results and the data docs rebuilt. The CLI (`mspkpi run`,
`mspkpi quality`) and the Dagster asset checks both call `check_raw` and `check_marts`."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from orchestration.contract import Entity, load_contract
from orchestration.quality.config import QualitySettings
from orchestration.quality.freshness import check_freshness, freshness_rules
from orchestration.quality.store import (
    CheckResult,
    ensure_quality_schema,
    mark_validated,
    pending_deliveries_sql,
    to_json,
    write_results,
)
from orchestration.quality.suites import (
    DELIVERY_SCOPE,
    ROW_SCOPE,
    Suite,
    mart_suites,
    raw_columns_suite,
    raw_deliveries_suite,
    raw_rows_suite,
)
from orchestration.quality.validation import Validator


@dataclass(frozen=True)
class QualityReport:
    """The results of one call, and where the data docs are."""

    results: tuple[CheckResult, ...]
    docs_index: Path | None
    deliveries_validated: int = 0
    scope: Mapping[str, str] = field(default_factory=dict)

    @property
    def blocking(self) -> list[CheckResult]:
        return [r for r in self.results if r.blocks]

    @property
    def failures(self) -> list[CheckResult]:
        """Every check that did not pass, blocking ones first."""
        return sorted((r for r in self.results if not r.passed), key=lambda r: not r.blocks)

    def for_asset(self, asset_key: str) -> list[CheckResult]:
        return [r for r in self.results if r.asset_key == asset_key]


def now_utc() -> datetime:
    """Naive UTC, the convention of every timestamp in the warehouse."""
    return datetime.now(UTC).replace(tzinfo=None)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, row_scope: str, delivery_scope: str):
    query = sql.replace(ROW_SCOPE, row_scope).replace(DELIVERY_SCOPE, delivery_scope)
    return con.execute(query).df()


def scopes(entity: Entity, full: bool) -> tuple[str, str]:
    """The rows and audit lines a run checks: the pending deliveries (and rows that came from no
    delivery, i.e. inserted by hand), or everything with `full`."""
    if full:
        return "true", "true"
    pending = pending_deliveries_sql(entity.key)
    return (
        f"(_delivery_id in ({pending}) or _delivery_id is null)",
        f"delivery_id in ({pending})",
    )


def check_raw(
    con: duckdb.DuckDBPyConnection,
    settings: QualitySettings,
    run_id: str,
    *,
    entities: Sequence[Entity] | None = None,
    full: bool = False,
    manifest: Mapping[str, Any] | None = None,
    now: datetime | None = None,
    build_docs: bool = True,
) -> QualityReport:
    """Validate the raw rows of the pending deliveries (all rows with `full`), the raw tables'
    column types and the deliveries' rejected share, and each source's freshness when a manifest
    is given. Entities whose blocking checks pass have their pending deliveries marked checked."""
    entities = list(entities if entities is not None else load_contract().entities)
    now = now or now_utc()
    ensure_quality_schema(con)
    validator = Validator(settings, run_id, now)
    results: list[CheckResult] = []
    scope: dict[str, str] = {}
    passed_entities = []
    for entity in entities:
        row_scope, delivery_scope = scopes(entity, full)
        scope[f"raw/{entity.raw_table}"] = _describe_scope(con, entity, full)
        entity_results = []
        for suite in (
            raw_rows_suite(entity),
            raw_columns_suite(entity),
            raw_deliveries_suite(entity, settings.max_rejected_share),
        ):
            frame = _frame(con, suite.sql, row_scope, delivery_scope)
            entity_results += validator.validate(suite, frame)
        if not any(r.blocks for r in entity_results):
            passed_entities.append(entity.key)
        results += entity_results
    if manifest is not None:
        results += check_freshness(con, entities, freshness_rules(manifest), now, run_id)
    con.begin()
    try:
        write_results(con, results)
        marked = mark_validated(con, passed_entities, run_id, now)
    except BaseException:
        con.rollback()
        raise
    con.commit()
    docs = validator.build_docs() if build_docs else None
    return QualityReport(tuple(results), docs, marked, scope)


def check_sources_freshness(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    manifest: Mapping[str, Any],
    *,
    entities: Sequence[Entity] | None = None,
    now: datetime | None = None,
) -> QualityReport:
    """Each source's freshness (never blocking), written to quality.check_results."""
    entities = list(entities if entities is not None else load_contract().entities)
    ensure_quality_schema(con)
    results = check_freshness(con, entities, freshness_rules(manifest), now or now_utc(), run_id)
    write_results(con, results)
    return QualityReport(tuple(results), None)


def _describe_scope(con: duckdb.DuckDBPyConnection, entity: Entity, full: bool) -> str:
    if full:
        return "every row"
    pending = con.execute(f"select count(*) from ({pending_deliveries_sql(entity.key)})").fetchone()
    return f"{pending[0]} new deliveries"


def existing_marts(con: duckdb.DuckDBPyConnection) -> set[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'"
    ).fetchall()
    return {name for (name,) in rows}


def check_marts(
    con: duckdb.DuckDBPyConnection,
    settings: QualitySettings,
    run_id: str,
    manifest: Mapping[str, Any],
    *,
    marts: Sequence[str] | None = None,
    now: datetime | None = None,
    build_docs: bool = True,
) -> QualityReport:
    """Validate the marts' grain and rates and the reconciliations (of the given marts only)."""
    now = now or now_utc()
    ensure_quality_schema(con)
    built = existing_marts(con)
    validator = Validator(settings, run_id, now)
    results: list[CheckResult] = []
    for suite in mart_suites(manifest):
        if marts is not None and suite.asset_key[1] not in marts:
            continue
        missing = _missing_tables(suite, built)
        if missing:
            results.append(_not_built(suite, missing, run_id, now))
            continue
        results += validator.validate(suite, con.execute(suite.sql).df())
    con.begin()
    try:
        write_results(con, results)
    except BaseException:
        con.rollback()
        raise
    con.commit()
    docs = validator.build_docs() if build_docs else None
    return QualityReport(tuple(results), docs)


def _missing_tables(suite: Suite, built: set[str]) -> list[str]:
    """The marts a suite reads that the warehouse does not have (not built yet, or renamed)."""
    return [name for name in suite.reads if name not in built]


def _not_built(suite: Suite, missing: list[str], run_id: str, now: datetime) -> CheckResult:
    return CheckResult(
        run_id=run_id,
        checked_at=now,
        asset_key=suite.asset,
        check_name="tables_built" if suite.name.endswith(".reconciliation") else "table_built",
        suite_name=suite.name,
        expectation_type=None,
        severity="error",
        passed=False,
        rows_checked=None,
        failing_rows_count=None,
        failing_keys_sample=tuple({"table": f"marts.{name}"} for name in missing),
        observed={"missing": [f"marts.{name}" for name in missing]},
    )


# --- text for operators ---------------------------------------------------------------------------

UNITS = {"deliveries": "deliveries", "columns": "columns"}  # what a suite's frame rows are


def describe(result: CheckResult) -> str:
    """`raw/surveys__client_surveys nps_score_between_0_and_10: 1 of 126 rows fail, keys
    [{"response_id": "CS-0001", ...}]`."""
    if result.failing_rows_count is None:
        what = json.dumps(result.observed.get("exception") or result.observed.get("missing"))
    elif result.check_name == "source_freshness":
        observed = result.observed
        what = (
            f"last load {observed['last_loaded_at'] or 'never'}, {observed['age_hours']} h ago "
            f"(warn after {observed['warn_after']}, error after {observed['error_after']})"
        )
    else:
        unit = UNITS.get(result.suite_name.rsplit(".", 1)[-1], "rows")
        of = f" of {result.rows_checked:,}" if result.rows_checked is not None else ""
        what = f"{result.failing_rows_count:,}{of} {unit} fail"
        values = [
            v
            for v in result.observed.get("partial_unexpected_list", [])
            if to_json(v) != "null" and not isinstance(v, dict)  # a null or a key: the keys say it
        ]
        if values:
            what += f" (values {to_json(values[:3])})"
        if result.failing_keys_sample:
            sample = to_json(list(result.failing_keys_sample)[:3])
            what += f", e.g. {sample}"
    return f"{result.severity:<5} {result.asset_key} {result.check_name}: {what}"


def summary_line(report: QualityReport, what: str) -> str:
    checks = len(report.results)
    assets = len({r.asset_key for r in report.results})
    return (
        f"{checks} checks on {assets} {what}: {len(report.failures)} failed "
        f"({len(report.blocking)} blocking)"
    )

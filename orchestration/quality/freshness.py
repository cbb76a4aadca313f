"""Source freshness: how long ago each raw table last received rows, against dbt's thresholds.

The thresholds are the dbt sources' `freshness` (warn_after / error_after), read from the dbt
manifest, so the contract (orchestration/contract/render.py writes them into the sources yml) stays
their one definition. The age is computed from `raw._load_audit` rather than by running
`dbt source freshness`: the audit's `started_at` of the latest delivery that loaded rows is exactly
the `max(_loaded_at)` dbt would compute (the loader stamps every row of a delivery with it), but it
costs one query on a small table instead of a dbt process and a scan of every raw table, and it
runs inside the same warehouse connection as the other checks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import duckdb

from orchestration.contract import Entity
from orchestration.quality.store import CheckResult
from orchestration.quality.suites import ERROR, WARN

CHECK_NAME = "source_freshness"

PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


@dataclass(frozen=True)
class FreshnessRule:
    """dbt's freshness of one source table; a None threshold is not checked."""

    source: str
    warn_after: timedelta | None
    error_after: timedelta | None


def _threshold(spec: Mapping[str, Any] | None) -> timedelta | None:
    if not spec or spec.get("count") is None or spec.get("period") is None:
        return None
    return spec["count"] * PERIODS[spec["period"]]


def freshness_rules(manifest: Mapping[str, Any]) -> dict[str, FreshnessRule]:
    """raw table name -> its freshness, from the manifest's sources (schema raw)."""
    rules = {}
    for source in manifest["sources"].values():
        if source["schema"] != "raw":
            continue
        freshness = source.get("freshness") or {}
        rules[source["identifier"]] = FreshnessRule(
            source=f"{source['source_name']}.{source['name']}",
            warn_after=_threshold(freshness.get("warn_after")),
            error_after=_threshold(freshness.get("error_after")),
        )
    return rules


def last_loads(con: duckdb.DuckDBPyConnection) -> dict[str, datetime]:
    """entity key (`psa/tickets`) -> when its latest delivery that loaded rows was loaded."""
    rows = con.execute(
        "select entity, max(started_at) from raw._load_audit "
        "where status = 'loaded' and loaded > 0 group by entity"
    ).fetchall()
    return dict(rows)


def _describe(delta: timedelta | None) -> str | None:
    if delta is None:
        return None
    hours = delta.total_seconds() / 3600
    return f"{hours / 24:g} days" if hours % 24 == 0 else f"{hours:g} hours"


def freshness_result(
    entity: Entity,
    rule: FreshnessRule | None,
    last_loaded_at: datetime | None,
    now: datetime,
    run_id: str,
) -> CheckResult:
    """Failed with severity warn past warn_after, error past error_after or when nothing was ever
    loaded (a passing check is recorded as warn: the level it would fail at first)."""
    age = now - last_loaded_at if last_loaded_at else None
    warn_after = rule.warn_after if rule else None
    error_after = rule.error_after if rule else None
    if rule is None or (warn_after is None and error_after is None):
        passed, severity = True, WARN  # not monitored
    elif age is None:
        passed, severity = False, ERROR  # never loaded: dbt reports the same as an error
    elif error_after is not None and age > error_after:
        passed, severity = False, ERROR
    elif warn_after is not None and age > warn_after:
        passed, severity = False, WARN
    else:
        passed, severity = True, WARN
    observed = {
        "source": rule.source if rule else None,
        "last_loaded_at": last_loaded_at.isoformat(sep=" ") if last_loaded_at else None,
        "age_hours": round(age.total_seconds() / 3600, 2) if age is not None else None,
        "warn_after": _describe(warn_after),
        "error_after": _describe(error_after),
        "computed_from": "raw._load_audit (latest delivery that loaded rows)",
    }
    if rule is None or (warn_after is None and error_after is None):
        observed["note"] = "no freshness in the dbt sources for this table: not checked"
    return CheckResult(
        run_id=run_id,
        checked_at=now,
        asset_key=f"raw/{entity.raw_table}",
        check_name=CHECK_NAME,
        suite_name="dbt source freshness",
        expectation_type=None,
        severity=severity,
        passed=passed,
        rows_checked=None,
        failing_rows_count=0 if passed else 1,
        failing_keys_sample=() if passed else ({"source": observed["source"]},),
        observed=observed,
        can_block=False,
    )


def check_freshness(
    con: duckdb.DuckDBPyConnection,
    entities: Sequence[Entity],
    rules: Mapping[str, FreshnessRule],
    now: datetime,
    run_id: str,
) -> list[CheckResult]:
    loads = last_loads(con)
    return [
        freshness_result(entity, rules.get(entity.raw_table), loads.get(entity.key), now, run_id)
        for entity in entities
    ]

"""The `quality` schema: every check's result per run, and the deliveries already checked.

`quality.check_results` has one row per check per run (the history an operator or a dashboard
reads; the view `quality.latest_check_results` keeps the last row of each check).
`quality.validated_deliveries` lists the deliveries whose blocking raw checks passed: a run checks
only the deliveries not listed there, so a daily run reads its new rows, not the whole raw layer,
and a delivery that failed stays pending (and blocking) until its rows are fixed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd

from orchestration.ingest.sql import literal

SCHEMA = "quality"

DDL = (
    f"create schema if not exists {SCHEMA}",
    f"""create table if not exists {SCHEMA}.check_results (
    run_id varchar not null,
    checked_at timestamp not null,
    asset_key varchar not null,
    check_name varchar not null,
    suite_name varchar not null,
    expectation_type varchar,
    severity varchar not null check (severity in ('error', 'warn')),
    passed boolean not null,
    rows_checked bigint,
    failing_rows_count bigint,
    failing_keys_sample varchar,
    observed varchar,
    primary key (run_id, asset_key, check_name)
)""",
    f"""create table if not exists {SCHEMA}.validated_deliveries (
    delivery_id bigint primary key,
    entity varchar not null,
    run_id varchar not null,
    validated_at timestamp not null
)""",
    f"""create or replace view {SCHEMA}.latest_check_results as
select *
from {SCHEMA}.check_results
qualify row_number() over (partition by asset_key, check_name order by checked_at desc) = 1""",
)


RESULT_COLUMNS = (
    "run_id",
    "checked_at",
    "asset_key",
    "check_name",
    "suite_name",
    "expectation_type",
    "severity",
    "passed",
    "rows_checked",
    "failing_rows_count",
    "failing_keys_sample",
    "observed",
)


@dataclass(frozen=True)
class CheckResult:
    """One check of one asset in one run: a row of quality.check_results."""

    run_id: str
    checked_at: datetime
    asset_key: str
    check_name: str
    suite_name: str
    expectation_type: str | None
    severity: str
    passed: bool
    rows_checked: int | None
    failing_rows_count: int | None
    failing_keys_sample: tuple[dict[str, Any], ...]
    observed: dict[str, Any]
    can_block: bool = True  # source freshness never blocks, whatever its severity

    @property
    def blocks(self) -> bool:
        return not self.passed and self.severity == "error" and self.can_block


def _plain(value: Any) -> Any:
    """numpy / pandas scalars as JSON values; a midnight timestamp (a DATE read by pandas) as a
    date, so keys read `2026-01-01`, not `2026-01-01T00:00:00`."""
    if hasattr(value, "item") and not isinstance(value, (list, tuple, dict)):
        with contextlib.suppress(ValueError, AttributeError, TypeError):
            value = value.item()
    if value is pd.NA or value is pd.NaT:  # pandas' nulls of nullable integers and timestamps
        return None
    if isinstance(value, datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN: pandas' null
        return None
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def to_json(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=False)


def ensure_quality_schema(con: duckdb.DuckDBPyConnection) -> None:
    for statement in DDL:
        con.execute(statement)


def write_results(con: duckdb.DuckDBPyConnection, results: Sequence[CheckResult]) -> None:
    """Insert the results (a retried Dagster step replaces its own earlier rows)."""
    rows = [
        (
            r.run_id,
            r.checked_at,
            r.asset_key,
            r.check_name,
            r.suite_name,
            r.expectation_type,
            r.severity,
            r.passed,
            r.rows_checked,
            r.failing_rows_count,
            to_json(list(r.failing_keys_sample)),
            to_json(r.observed),
        )
        for r in results
    ]
    if not rows:
        return
    # one set-based insert: executemany costs a round trip per row (seconds for a few hundred)
    frame = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    con.register("quality_results_frame", frame)
    try:
        con.execute(
            f"insert or replace into {SCHEMA}.check_results "
            f"select {', '.join(RESULT_COLUMNS)} from quality_results_frame"
        )
    finally:
        con.unregister("quality_results_frame")


def pending_deliveries_sql(entity_key: str) -> str:
    """The entity's deliveries whose blocking checks have not passed yet."""
    return (
        f"select delivery_id from raw._load_audit where entity = {literal(entity_key)} "
        f"and delivery_id not in (select delivery_id from {SCHEMA}.validated_deliveries)"
    )


def mark_validated(
    con: duckdb.DuckDBPyConnection,
    entity_keys: Iterable[str],
    run_id: str,
    validated_at: datetime,
) -> int:
    """Record the pending deliveries of these entities as checked; returns how many."""
    marked = 0
    for key in entity_keys:
        marked += con.execute(
            f"insert into {SCHEMA}.validated_deliveries "
            f"select delivery_id, entity, ?, ? from raw._load_audit "
            f"where delivery_id in ({pending_deliveries_sql(key)})",
            [run_id, validated_at],
        ).fetchone()[0]
    return marked

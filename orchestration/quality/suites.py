"""What the quality checks expect, as Great Expectations suites.

Raw suites are built from the extract contract (the one description the loader also enforces), mart
suites from the dbt manifest (the grain and rate tests of the marts' yml) plus a handful of
reconciliations written here. Pure: no database, no GE context. A `Suite` is a query giving one
pandas frame and the expectations that frame must meet; every expectation carries its check name
and severity in `meta`, which is how a GE result becomes a row of `quality.check_results`.

Severity (DECISIONLOG "Data quality"): `error` blocks what is downstream (the dbt build after an
ingest, Dagster's downstream assets): the structure a model relies on, i.e. column types, required
values and keys. `warn` flags without stopping: values outside the contract's enums, ranges and row
rules (the loader already rejects such rows, so one found in raw is a loader bug or a hand-inserted
row that skews one row's contribution, not the build) and deliveries with many rejected rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import great_expectations as gx
from great_expectations.expectations import Expectation

from orchestration.contract import Column, Contract, Entity
from orchestration.ingest.schema import METADATA_COLUMNS, SQL_TYPES
from orchestration.ingest.sql import ident, literal

ERROR = "error"
WARN = "warn"

# Placeholders the runner replaces: the rows / audit lines of the deliveries a run checks.
ROW_SCOPE = "{row_scope}"
DELIVERY_SCOPE = "{delivery_scope}"

# The formats of the contract types that DuckDB stores as VARCHAR (the loader normalises them).
TEXT_FORMATS = {
    "cur": r"^[A-Z]{3}$",
    "hhmm": r"^(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00)$",
}

MART_SCHEMA = "marts"
RATE_TEST = "rate_between_zero_and_one"


@dataclass(frozen=True)
class Suite:
    """One GE suite on one frame. `sql` gives the frame (it may hold ROW_SCOPE / DELIVERY_SCOPE);
    `key_columns` identify a failing row in `failing_keys_sample`."""

    name: str
    asset_key: tuple[str, ...]
    sql: str
    key_columns: tuple[str, ...]
    expectations: tuple[Expectation, ...]
    reads: tuple[str, ...] = ()  # the marts the query reads (a missing one fails the suite)

    @property
    def asset(self) -> str:
        """`raw/psa__tickets`: the Dagster asset key as a string, the `asset_key` column."""
        return "/".join(self.asset_key)


def expect(expectation: type[Expectation], check: str, severity: str, **kwargs: Any) -> Expectation:
    """An expectation tagged with the check name and severity that quality.check_results keeps."""
    note = (
        "Blocking: what is downstream does not run while this fails."
        if severity == ERROR
        else "Warning: flagged, nothing is stopped."
    )
    return expectation(meta={"check_name": check, "severity": severity}, notes=note, **kwargs)


def _number(value: float) -> str:
    return f"{value:g}".replace("-", "minus_").replace(".", "_")


# --- raw ------------------------------------------------------------------------------------------


def raw_suites(contract: Contract, max_rejected_share: float) -> list[Suite]:
    """Three suites per entity: its rows, its columns' types, its deliveries' rejected share."""
    suites: list[Suite] = []
    for entity in contract.entities:
        suites += [
            raw_rows_suite(entity),
            raw_columns_suite(entity),
            raw_deliveries_suite(entity, max_rejected_share),
        ]
    return suites


def raw_key(entity: Entity) -> tuple[str, str]:
    """The Dagster key of the entity's ingest asset (orchestration/defs/ingest/assets.py)."""
    return ("raw", entity.raw_table)


def _column_expectations(column: Column) -> list[Expectation]:
    expectations = []
    if column.required:
        expectations.append(
            expect(
                gx.expectations.ExpectColumnValuesToNotBeNull,
                f"{column.name}_not_null",
                ERROR,
                column=column.name,
            )
        )
    if column.type in TEXT_FORMATS:
        expectations.append(
            expect(
                gx.expectations.ExpectColumnValuesToMatchRegex,
                f"{column.name}_is_{column.type}",
                ERROR,
                column=column.name,
                regex=TEXT_FORMATS[column.type],
            )
        )
    if column.values:
        expectations.append(
            expect(
                gx.expectations.ExpectColumnValuesToBeInSet,
                f"{column.name}_in_allowed_values",
                WARN,
                column=column.name,
                value_set=list(column.values),
            )
        )
    if column.min is not None or column.max is not None:
        expectations.append(
            expect(
                gx.expectations.ExpectColumnValuesToBeBetween,
                _range_check_name(column),
                WARN,
                column=column.name,
                min_value=column.min,
                max_value=column.max,
            )
        )
    return expectations


def _range_check_name(column: Column) -> str:
    """`nps_score_between_0_and_10`, `amount_at_least_0`, `tier_at_most_3`."""
    if column.min is not None and column.max is not None:
        return f"{column.name}_between_{_number(column.min)}_and_{_number(column.max)}"
    if column.min is not None:
        return f"{column.name}_at_least_{_number(column.min)}"
    return f"{column.name}_at_most_{_number(column.max)}"


def rule_column(rule_name: str) -> str:
    """The frame column holding a row rule's verdict (true, or null when it cannot be judged)."""
    return f"rule__{rule_name}"


def raw_rows_sql(entity: Entity) -> str:
    """The rows of the checked deliveries, with each row rule evaluated by DuckDB as the loader
    evaluates it: a row breaks a rule only when the predicate is false (null passes)."""
    columns = [ident(column.name) for column in entity.columns]
    columns += ["_delivery_id", "_source_file", "_source_line"]
    columns += [
        f"(({check.sql}) is not false) as {ident(rule_column(check.name))}"
        for check in entity.checks
    ]
    return (
        f"select {', '.join(columns)} from raw.{ident(entity.raw_table)} "
        f"where {ROW_SCOPE} order by _delivery_id, _source_line"
    )


def raw_rows_suite(entity: Entity) -> Suite:
    """Required values, text formats, enums, ranges, row rules and the key within a delivery."""
    expectations: list[Expectation] = []
    for column in entity.columns:
        expectations += _column_expectations(column)
    expectations.append(
        expect(
            gx.expectations.ExpectCompoundColumnsToBeUnique,
            "key_unique_within_delivery",
            ERROR,
            column_list=["_delivery_id", *entity.primary_key],
            ignore_row_if="never",
        )
    )
    for check in entity.checks:
        expectations.append(
            expect(
                gx.expectations.ExpectColumnValuesToBeInSet,
                f"rule_{check.name}",
                WARN,
                column=rule_column(check.name),
                value_set=[True],
            )
        )
    return Suite(
        name=f"raw.{entity.raw_table}.rows",
        asset_key=raw_key(entity),
        sql=raw_rows_sql(entity),
        key_columns=(*entity.primary_key, "_delivery_id", "_source_line"),
        expectations=tuple(expectations),
    )


def raw_columns_sql(entity: Entity) -> str:
    """Each contract and lineage column with the type the contract gives it and the type the
    warehouse table has (null when the column is missing)."""
    wanted = [(column.name, SQL_TYPES[column.type]) for column in entity.columns]
    wanted += list(METADATA_COLUMNS.items())
    values = ", ".join(
        f"({literal(name)}, {literal(sql_type)}, {position})"
        for position, (name, sql_type) in enumerate(wanted)
    )
    table = literal(f"raw.{entity.raw_table}")
    return (
        "select wanted.column_name, wanted.contract_type, actual.type as warehouse_type "
        f"from (values {values}) as wanted (column_name, contract_type, position) "
        f"left join pragma_table_info({table}) as actual on actual.name = wanted.column_name "
        "order by wanted.position"
    )


def raw_columns_suite(entity: Entity) -> Suite:
    return Suite(
        name=f"raw.{entity.raw_table}.columns",
        asset_key=raw_key(entity),
        sql=raw_columns_sql(entity),
        key_columns=("column_name",),
        expectations=(
            expect(
                gx.expectations.ExpectColumnPairValuesToBeEqual,
                "column_types_match_contract",
                ERROR,
                column_A="warehouse_type",
                column_B="contract_type",
                ignore_row_if="neither",
            ),
        ),
    )


def raw_deliveries_suite(entity: Entity, max_rejected_share: float) -> Suite:
    """The share of each checked delivery's rows that the loader rejected (a refused file: all)."""
    sql = (
        "select delivery_id, file, status, received, loaded, rejected, "
        "rejected::double / nullif(received, 0) as rejected_share "
        f"from raw._load_audit where entity = {literal(entity.key)} and {DELIVERY_SCOPE} "
        "order by delivery_id"
    )
    return Suite(
        name=f"raw.{entity.raw_table}.deliveries",
        asset_key=raw_key(entity),
        sql=sql,
        key_columns=("file",),
        expectations=(
            expect(
                gx.expectations.ExpectColumnValuesToBeBetween,
                "rejected_rows_share",
                WARN,
                column="rejected_share",
                min_value=0,
                max_value=max_rejected_share,
            ),
        ),
    )


# --- marts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MartTests:
    """What the dbt manifest says about one mart: its uniqueness tests (grain first) and the
    columns tested as rates, each with the dbt test's severity."""

    name: str
    unique_keys: tuple[tuple[tuple[str, ...], str], ...]
    rate_columns: tuple[tuple[str, str], ...]

    @property
    def grain(self) -> tuple[str, ...]:
        return self.unique_keys[0][0] if self.unique_keys else ()


def _severity(test: Mapping[str, Any]) -> str:
    return WARN if str(test.get("config", {}).get("severity", "error")).lower() == "warn" else ERROR


def mart_tests(manifest: Mapping[str, Any]) -> list[MartTests]:
    """Every table of schema `marts` with its uniqueness and rate tests, by model name."""
    models = {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model"
        and node["schema"] == MART_SCHEMA
        and node["config"].get("materialized") != "ephemeral"
    }
    unique: dict[str, list[tuple[int, tuple[str, ...], str]]] = {uid: [] for uid in models}
    rates: dict[str, list[tuple[str, str]]] = {uid: [] for uid in models}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        model = node.get("attached_node")
        if node["resource_type"] != "test" or model not in models:
            continue
        kwargs = metadata.get("kwargs", {})
        if metadata.get("name") == "unique_combination_of_columns":
            columns = tuple(kwargs["combination_of_columns"])
            unique[model].append((0, columns, _severity(node)))
        elif metadata.get("name") == "unique":
            unique[model].append((1, (kwargs["column_name"],), _severity(node)))
        elif metadata.get("name") == RATE_TEST:
            rates[model].append((kwargs["column_name"], _severity(node)))
    found = []
    for uid, node in models.items():
        order = list(node.get("columns", {}))

        def position(column: str, order: list[str] = order) -> int:
            return order.index(column) if column in order else len(order)

        keys = sorted(unique[uid], key=lambda k: (k[0], [position(c) for c in k[1]]))
        # a key tested twice (`unique` and a one-column combination) is checked once
        distinct = {columns: severity for _, columns, severity in reversed(keys)}
        ordered = list(dict.fromkeys(columns for _, columns, _ in keys))
        found.append(
            MartTests(
                name=node["name"],
                unique_keys=tuple((columns, distinct[columns]) for columns in ordered),
                rate_columns=tuple(sorted(rates[uid], key=lambda r: position(r[0]))),
            )
        )
    return sorted(found, key=lambda m: m.name)


def _unique_expectation(columns: tuple[str, ...], check: str, severity: str) -> Expectation:
    if len(columns) == 1:
        return expect(
            gx.expectations.ExpectColumnValuesToBeUnique, check, severity, column=columns[0]
        )
    return expect(
        gx.expectations.ExpectCompoundColumnsToBeUnique,
        check,
        severity,
        column_list=list(columns),
        ignore_row_if="never",
    )


def mart_suite(tests: MartTests) -> Suite:
    """Grain unique (every uniqueness test of the mart) and every tested rate in [0, 1]. Only the
    columns these need are read, so a 10-million-row fact costs one column, not forty."""
    expectations = []
    for position, (columns, severity) in enumerate(tests.unique_keys):
        check = "grain_unique" if position == 0 else f"{'__'.join(columns)}_unique"
        expectations.append(_unique_expectation(columns, check, severity))
    for column, severity in tests.rate_columns:
        expectations.append(
            expect(
                gx.expectations.ExpectColumnValuesToBeBetween,
                f"{column}_between_0_and_1",
                severity,
                column=column,
                min_value=0,
                max_value=1,
            )
        )
    columns = _distinct(
        [c for key, _ in tests.unique_keys for c in key] + [c for c, _ in tests.rate_columns]
    )
    order = ", ".join(ident(c) for c in tests.grain) or "1"
    return Suite(
        name=f"marts.{tests.name}",
        asset_key=(MART_SCHEMA, tests.name),
        sql=f"select {', '.join(ident(c) for c in columns) or '1 as no_column'} "
        f"from {MART_SCHEMA}.{ident(tests.name)} order by {order}",
        key_columns=tests.grain,
        expectations=tuple(expectations),
        reads=(tests.name,),
    )


def _distinct(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# --- reconciliations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Reconciliation:
    """A total of `mart` that must equal the same total computed from `against` (another mart, or
    the mart's own detail rows): `sql` returns one row per key with a `<measure>_difference` column
    (mart minus source) per measure; a difference beyond its measure's tolerance fails."""

    mart: str
    against: str
    sql: str
    key_columns: tuple[str, ...]
    tolerances: tuple[tuple[str, float], ...]
    reads: tuple[str, ...]

    def suite(self) -> Suite:
        expectations = tuple(
            expect(
                gx.expectations.ExpectColumnValuesToBeBetween,
                f"{measure}_reconciles_with_{self.against}",
                ERROR,
                column=f"{measure}_difference",
                min_value=-tolerance,
                max_value=tolerance,
            )
            for measure, tolerance in self.tolerances
        )
        return Suite(
            name=f"marts.{self.mart}.reconciliation",
            asset_key=(MART_SCHEMA, self.mart),
            sql=self.sql,
            key_columns=self.key_columns,
            expectations=expectations,
            reads=self.reads,
        )


CENT = 0.005  # amounts reconcile to the cent (doubles summed in another order differ by ~1e-9)

# The service-desk marts count every ticket of fct_tickets in the month it was created; their months
# run from the first ticket's month (the spine's start) to the as-of month.
SERVICE_DESK_MONTHLY = {
    "kpi_sla_compliance_monthly": "month_start_on",
    "kpi_escalations_monthly": "month_start_on",
    "kpi_proactive_it_monthly": "month_start_on",
    "kpi_tickets_per_endpoint_monthly": "month_start_on",
    "kpi_service_review_monthly": "period_start_on",
}


def _tickets_reconciliation(mart: str, month_column: str) -> Reconciliation:
    sql = f"""
with reported as (
    select {month_column} as month_start_on, sum(tickets_created_count) as tickets_created_count
    from marts.{mart}
    group by 1
),
expected as (
    select
        cast(date_trunc('month', created_at) as date) as month_start_on,
        count(*) as tickets_created_count
    from marts.fct_tickets
    group by 1
),
bounds as (
    select (select min(month_start_on) from expected) as first_month_on,
           (select max(month_start_on) from reported) as last_month_on
)
select
    month_start_on,
    coalesce(reported.tickets_created_count, 0) - coalesce(expected.tickets_created_count, 0)
        as tickets_created_count_difference
from expected
full join reported using (month_start_on)
cross join bounds
where month_start_on between bounds.first_month_on and bounds.last_month_on
order by month_start_on"""
    return Reconciliation(
        mart=mart,
        against="fct_tickets",
        sql=sql,
        key_columns=("month_start_on",),
        tolerances=(("tickets_created_count", 0),),
        reads=(mart, "fct_tickets"),
    )


MRR_RECONCILIATION = Reconciliation(
    mart="kpi_mrr_monthly",
    against="fct_client_mrr_monthly",
    sql="""
with clients as (
    select
        month_start_on,
        sum(mrr_amount) as mrr_amount,
        count(*) filter (where is_paying) as paying_client_count
    from marts.fct_client_mrr_monthly
    group by 1
)
select
    month_start_on,
    coalesce(mrr.mrr_amount, 0) - coalesce(clients.mrr_amount, 0) as mrr_amount_difference,
    coalesce(mrr.paying_client_count, 0) - coalesce(clients.paying_client_count, 0)
        as paying_client_count_difference
from marts.kpi_mrr_monthly as mrr
full join clients using (month_start_on)
order by month_start_on""",
    key_columns=("month_start_on",),
    tolerances=(("mrr_amount", CENT), ("paying_client_count", 0)),
    reads=("kpi_mrr_monthly", "fct_client_mrr_monthly"),
)

# The churn cohort of a month is the clients paying at the end of the previous month.
CHURN_RECONCILIATION = Reconciliation(
    mart="kpi_churn_monthly",
    against="kpi_mrr_monthly",
    sql="""
select
    month_start_on,
    coalesce(churn.starting_client_count, 0) - coalesce(mrr.previous_paying_client_count, 0)
        as starting_client_count_difference
from marts.kpi_churn_monthly as churn
full join marts.kpi_mrr_monthly as mrr using (month_start_on)
order by month_start_on""",
    key_columns=("month_start_on",),
    tolerances=(("starting_client_count", 0),),
    reads=("kpi_churn_monthly", "kpi_mrr_monthly"),
)


def _total_of_parts(
    mart: str,
    part_column: str,
    keys: tuple[str, ...],
    measures: tuple[str, ...],
    label: str,
) -> Reconciliation:
    """The row of `mart` whose `part_column` is 'all' holds, per key, the sum of the other rows."""
    key_list = ", ".join(keys)
    sums = ", ".join(f"sum({m}) as {m}" for m in measures)
    differences = ",\n    ".join(
        f"coalesce(total.{m}, 0) - coalesce(parts.{m}, 0) as {m}_difference" for m in measures
    )
    sql = f"""
with parts as (
    select {key_list}, {sums}
    from marts.{mart}
    where {part_column} <> 'all'
    group by {key_list}
),
total as (
    select * from marts.{mart} where {part_column} = 'all'
)
select
    {key_list},
    {differences}
from total
full join parts using ({key_list})
order by {key_list}"""
    return Reconciliation(
        mart=mart,
        against=label,
        sql=sql,
        key_columns=keys,
        tolerances=tuple((m, 0) for m in measures),
        reads=(mart,),
    )


# channel = 'all' is the month's total of the channels.
FUNNEL_RECONCILIATION = _total_of_parts(
    "kpi_funnel_monthly",
    "channel",
    ("month_start_on",),
    (
        "visitor_count",
        "lead_count",
        "qualified_lead_count",
        "opportunity_count",
        "won_client_count",
    ),
    "channels",
)

# department = 'all' is the company: the sum of its departments.
TURNOVER_RECONCILIATION = _total_of_parts(
    "kpi_employee_turnover",
    "department",
    ("period_type", "period_start_on"),
    ("hire_count", "departure_count", "headcount_first_day_count", "headcount_last_day_count"),
    "departments",
)


def reconciliations() -> list[Reconciliation]:
    """The totals that must agree across marts (DECISIONLOG "Data quality" says why these)."""
    return [
        *(_tickets_reconciliation(mart, column) for mart, column in SERVICE_DESK_MONTHLY.items()),
        MRR_RECONCILIATION,
        CHURN_RECONCILIATION,
        FUNNEL_RECONCILIATION,
        TURNOVER_RECONCILIATION,
    ]


def mart_suites(manifest: Mapping[str, Any]) -> list[Suite]:
    """A suite per mart (grain, rates) and a suite per reconciliation whose marts exist."""
    tests = mart_tests(manifest)
    names = {mart.name for mart in tests}
    suites = [mart_suite(mart) for mart in tests]
    for reconciliation in reconciliations():
        if set(reconciliation.reads) <= names:
            suites.append(reconciliation.suite())
    return suites

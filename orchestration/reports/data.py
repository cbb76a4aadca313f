"""The data of a client report: what the marts say about one client and one period.

Two steps, so that 120 reports cost a handful of queries: `fetch_period_data` reads the marts once
for a period (every client, or one), then `build_client_report` is a pure function of those rows
that returns a typed `ClientReport`: headline figures with the previous period, the change and the
benchmark status, and the monthly series the charts draw.

Every figure comes from a mart. The service-review figures (volume, SLA, times, first-contact
resolution, escalation, CSAT) and their previous value and change are the columns of
`kpi_service_review_quarterly` / `_monthly` as they are. The marts without a quarterly grain
(tickets per endpoint, proactive IT, MRR) are re-aggregated here the way the service review does
it: a quarter's rate is the sum of its months' numerators over the sum of their denominators,
never a mean of monthly rates. Benchmark statuses use the `kpi_benchmarks` seed with the rule of
the dbt macro `benchmark_status` (tests check both agree on every mart row).
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import duckdb

from orchestration.reports.periods import Period

BenchmarkStatus = Literal["best_in_class", "on_target", "below_target"]
Unit = Literal["count", "rate", "minutes", "ratio", "money"]
Better = Literal["higher", "lower"]

MART_SCHEMA = "marts"
SEED_SCHEMA = "seeds"
# every relation a report reads: the Dagster asset depends on these, the errors name them
REPORT_MARTS = (
    "dim_clients",
    "kpi_service_review_monthly",
    "kpi_service_review_quarterly",
    "kpi_sla_compliance_monthly",
    "kpi_csat_monthly",
    "kpi_tickets_per_endpoint_monthly",
    "kpi_proactive_it_monthly",
    "fct_client_mrr_monthly",
)
REPORT_SEEDS = ("kpi_benchmarks",)


class ReportDataError(LookupError):
    """The warehouse cannot give the report asked for; the message lists what exists."""


@dataclass(frozen=True)
class Benchmark:
    """One row of the `kpi_benchmarks` seed."""

    kpi_name: str
    direction: str  # higher_is_better, lower_is_better, or neutral (never a status)
    minimum_value: float | None
    target_value: float | None
    best_in_class_value: float | None

    @property
    def goal_value(self) -> float | None:
        """The figure "on target" means reaching: the target, else the minimum."""
        return self.target_value if self.target_value is not None else self.minimum_value

    def status(self, value: float | None) -> BenchmarkStatus | None:
        """The rule of the dbt macro `benchmark_status`: best in class first (the seed's SLA
        best-in-class, 95 %, is laxer than its 100 % aim), then on target, else below target;
        None when the value or every figure of the seed is missing."""
        if value is None or self.direction not in ("higher_is_better", "lower_is_better"):
            return None

        def reaches(threshold: float | None) -> bool:
            if threshold is None:
                return False
            if self.direction == "higher_is_better":
                return value >= threshold
            return value <= threshold

        if reaches(self.best_in_class_value):
            return "best_in_class"
        if reaches(self.goal_value):
            return "on_target"
        if self.goal_value is None and self.best_in_class_value is None:
            return None
        return "below_target"


@dataclass(frozen=True)
class Client:
    client_id: str
    client_name: str
    language_code: str
    country_code: str | None
    billing_currency: str | None
    segment: str | None
    industry: str | None


@dataclass(frozen=True)
class Headline:
    """One headline figure: this period, the previous one, the change and the benchmark status.

    `source` names the mart column the value comes from (or the sums it is re-aggregated from),
    so a reader of the report, and its tests, can find it."""

    key: str
    unit: Unit
    current: float | None
    previous: float | None
    change: float | None
    better: Better | None = None
    benchmark_kpi: str | None = None
    benchmark_status: BenchmarkStatus | None = None
    numerator: float | None = None
    denominator: float | None = None
    currency: str | None = None
    source: str = ""

    @property
    def is_improvement(self) -> bool | None:
        """True when the change goes the better way, None when it has no direction or is 0."""
        if self.change is None or self.better is None or self.change == 0:
            return None
        return (self.change > 0) == (self.better == "higher")


@dataclass(frozen=True)
class TrendPoint:
    """One month of the charts (None where the client was not served or the rate has no
    denominator)."""

    month_start_on: date
    is_in_period: bool
    is_month_complete: bool | None
    tickets_created_count: int | None
    proactive_tickets_count: int | None
    reactive_tickets_count: int | None
    sla_resolution_compliance_rate: float | None
    csat_rate: float | None


@dataclass(frozen=True)
class PrioritySla:
    """Resolution SLA compliance of one priority over the period."""

    priority: str
    tickets_resolved_within_sla_count: int
    sla_tickets_resolved_count: int
    sla_resolution_compliance_rate: float | None
    benchmark_status: BenchmarkStatus | None
    breached_open_ticket_count: int


@dataclass(frozen=True)
class ClientReport:
    client: Client
    period: Period
    previous_period: Period
    served_month_count: int
    is_period_complete: bool
    data_as_of: date | None
    headlines: tuple[Headline, ...]
    trend: tuple[TrendPoint, ...]
    sla_by_priority: tuple[PrioritySla, ...]
    benchmarks: Mapping[str, Benchmark] = field(default_factory=dict)

    def headline(self, key: str) -> Headline:
        for headline in self.headlines:
            if headline.key == key:
                return headline
        raise KeyError(key)


@dataclass(frozen=True)
class PeriodData:
    """The mart rows of one period (and the trend window before it), for one or every client.

    Rows are dicts keyed by column name, grouped by client id; monthly rows cover the 12 months
    of the trend window, which always include the period and the previous period."""

    period: Period
    clients: Mapping[str, Client]
    review: Mapping[str, dict[str, Any]]
    sla_monthly: Mapping[str, list[dict[str, Any]]]
    csat_monthly: Mapping[str, list[dict[str, Any]]]
    endpoints_monthly: Mapping[str, list[dict[str, Any]]]
    proactive_monthly: Mapping[str, list[dict[str, Any]]]
    mrr_monthly: Mapping[str, list[dict[str, Any]]]
    review_monthly: Mapping[str, list[dict[str, Any]]]
    benchmarks: Mapping[str, Benchmark]
    data_as_of: date | None

    @property
    def client_ids(self) -> list[str]:
        """The clients with a service-review row in the period (served in it), sorted."""
        return sorted(self.review)


# ---------------------------------------------------------------------------------------------
# pure computations


def safe_ratio(numerator: float | None, denominator: float | None) -> float | None:
    """numerator / denominator, None on a zero or missing denominator (the marts' safe_divide)."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def difference(current: float | None, previous: float | None) -> float | None:
    """this - previous, None when either is missing (the marts' `_change`)."""
    if current is None or previous is None:
        return None
    return current - previous


def _months_of(rows: Iterable[dict[str, Any]], months: Sequence[date]) -> list[dict[str, Any]]:
    wanted = set(months)
    return [row for row in rows if row["month_start_on"] in wanted]


def _sum(rows: Iterable[dict[str, Any]], column: str) -> int | None:
    """The sum of a count over the served months; None when the client was served in none."""
    values = [row[column] for row in rows]
    return sum(values) if values else None


def tickets_per_endpoint(
    rows: Sequence[dict[str, Any]], months: Sequence[date]
) -> tuple[float | None, int | None, bool]:
    """Tickets per endpoint per month over the months: sum of tickets / sum of month-end managed
    endpoints, over the served months with endpoints (a month of the mart whose ratio is null
    adds neither tickets nor endpoints). For one month it is the mart's `tickets_per_endpoint`.
    Also returns the endpoints of the last month and whether every month counted is complete
    (the mart gives no benchmark status to a month-to-date count)."""
    period_rows = [row for row in _months_of(rows, months) if row["managed_endpoint_count"]]
    if not period_rows:
        return None, None, False
    tickets = sum(row["tickets_created_count"] for row in period_rows)
    endpoints = sum(row["managed_endpoint_count"] for row in period_rows)
    last = max(period_rows, key=lambda row: row["month_start_on"])
    complete = all(row["is_month_complete"] for row in period_rows)
    return tickets / endpoints, last["managed_endpoint_count"], complete


def mrr_at_period_end(rows: Sequence[dict[str, Any]], period: Period) -> dict[str, Any] | None:
    """The client's MRR row of the period's last month in the revenue window (the last complete
    month when the period is not over), in its own currency; None without any."""
    in_period = _months_of(rows, period.months)
    return max(in_period, key=lambda row: row["month_start_on"]) if in_period else None


def _rate_headline(
    key: str,
    review: Mapping[str, Any],
    column: str,
    numerator: str,
    denominator: str,
    better: Better,
    source: str,
    benchmark: Benchmark | None = None,
) -> Headline:
    value = review[column]
    return Headline(
        key=key,
        unit="rate",
        current=value,
        previous=review[f"{column}_previous"],
        change=review[f"{column}_change"],
        better=better,
        benchmark_kpi=benchmark.kpi_name if benchmark else None,
        benchmark_status=benchmark.status(value) if benchmark else None,
        numerator=review[numerator],
        denominator=review[denominator],
        source=f"{source}.{column}",
    )


def _minutes_headline(key: str, review: Mapping[str, Any], column: str, source: str) -> Headline:
    return Headline(
        key=key,
        unit="minutes",
        current=_float(review[column]),
        previous=_float(review[f"{column}_previous"]),
        change=_float(review[f"{column}_change"]),
        better="lower",
        source=f"{source}.{column}",
    )


def _summed_rate(
    key: str,
    rows: Sequence[dict[str, Any]],
    period: Period,
    numerator: str,
    denominator: str,
    better: Better,
    source: str,
) -> Headline:
    current_rows = _months_of(rows, period.months)
    previous_rows = _months_of(rows, period.previous().months)
    num, den = _sum(current_rows, numerator), _sum(current_rows, denominator)
    current = safe_ratio(num, den)
    previous = safe_ratio(_sum(previous_rows, numerator), _sum(previous_rows, denominator))
    return Headline(
        key=key,
        unit="rate",
        current=current,
        previous=previous,
        change=difference(current, previous),
        better=better,
        numerator=num,
        denominator=den,
        source=f"{source}: sum({numerator}) / sum({denominator})",
    )


def build_client_report(data: PeriodData, client_id: str) -> ClientReport:
    """The report of one client for the data's period. Raises ReportDataError naming the
    clients of the period when the client has no service-review row in it."""
    period = data.period
    if client_id not in data.clients:
        raise ReportDataError(unknown_client_message(client_id, data.clients))
    if client_id not in data.review:
        raise ReportDataError(
            f"client {client_id} was not served in {period.label}: "
            f"kpi_service_review_{_review_suffix(period)} has no row for it. "
            f"Clients of {period.label}: {_list(data.client_ids)}"
        )
    review = data.review[client_id]
    source = f"kpi_service_review_{_review_suffix(period)}"
    benchmarks = data.benchmarks
    sla_benchmark = benchmarks.get("sla_compliance_rate")
    csat_benchmark = benchmarks.get("csat_rate")
    endpoint_benchmark = benchmarks.get("tickets_per_endpoint")

    endpoints = data.endpoints_monthly.get(client_id, [])
    tpe, endpoint_count, tpe_complete = tickets_per_endpoint(endpoints, period.months)
    tpe_previous, _, _ = tickets_per_endpoint(endpoints, period.previous().months)
    mrr_rows = data.mrr_monthly.get(client_id, [])
    mrr_now = mrr_at_period_end(mrr_rows, period)
    mrr_before = mrr_at_period_end(mrr_rows, period.previous())
    mrr_current = _float(mrr_now["mrr_own_currency_amount"]) if mrr_now else None
    mrr_previous = _float(mrr_before["mrr_own_currency_amount"]) if mrr_before else None
    proactive = data.proactive_monthly.get(client_id, [])

    headlines = (
        Headline(
            key="tickets_created",
            unit="count",
            current=review["tickets_created_count"],
            previous=review["tickets_created_count_previous"],
            change=review["tickets_created_count_change"],
            source=f"{source}.tickets_created_count",
        ),
        _rate_headline(
            "sla_resolution_compliance",
            review,
            "sla_resolution_compliance_rate",
            "tickets_resolved_within_sla_count",
            "sla_tickets_resolved_count",
            "higher",
            source,
            sla_benchmark,
        ),
        _rate_headline(
            "csat",
            review,
            "csat_rate",
            "positive_csat_response_count",
            "csat_response_count",
            "higher",
            source,
            csat_benchmark,
        ),
        Headline(
            key="tickets_per_endpoint",
            unit="ratio",
            current=tpe,
            previous=tpe_previous,
            change=difference(tpe, tpe_previous),
            better="lower",
            benchmark_kpi=endpoint_benchmark.kpi_name if endpoint_benchmark else None,
            benchmark_status=(
                endpoint_benchmark.status(tpe) if endpoint_benchmark and tpe_complete else None
            ),
            denominator=endpoint_count,
            source=(
                "kpi_tickets_per_endpoint_monthly: sum(tickets_created_count) / "
                "sum(managed_endpoint_count)"
            ),
        ),
        _rate_headline(
            "sla_response_compliance",
            review,
            "sla_response_compliance_rate",
            "tickets_responded_within_sla_count",
            "sla_tickets_responded_count",
            "higher",
            source,
        ),
        _minutes_headline(
            "median_first_response", review, "median_first_response_business_minutes", source
        ),
        _minutes_headline(
            "median_resolution", review, "median_resolution_business_minutes", source
        ),
        _rate_headline(
            "first_contact_resolution",
            review,
            "first_contact_resolution_rate",
            "tickets_resolved_first_contact_count",
            "tickets_resolved_count",
            "higher",
            source,
        ),
        _rate_headline(
            "escalation",
            review,
            "escalation_rate",
            "tickets_escalated_count",
            "tickets_created_count",
            "lower",
            source,
        ),
        _summed_rate(
            "proactive_share",
            proactive,
            period,
            "proactive_tickets_count",
            "tickets_created_count",
            "higher",
            "kpi_proactive_it_monthly",
        ),
        _summed_rate(
            "alert_auto_remediation",
            proactive,
            period,
            "alerts_auto_remediated_count",
            "rmm_alert_count",
            "higher",
            "kpi_proactive_it_monthly",
        ),
        Headline(
            key="mrr",
            unit="money",
            current=mrr_current,
            previous=mrr_previous,
            change=difference(mrr_current, mrr_previous),
            currency=(mrr_now or mrr_before or {}).get("currency")
            or data.clients[client_id].billing_currency,
            source="fct_client_mrr_monthly.mrr_own_currency_amount (period's last month)",
        ),
    )
    return ClientReport(
        client=data.clients[client_id],
        period=period,
        previous_period=period.previous(),
        served_month_count=review["served_month_count"],
        is_period_complete=review["is_period_complete"],
        data_as_of=None if review["is_period_complete"] else data.data_as_of,
        headlines=headlines,
        trend=_trend(data, client_id),
        sla_by_priority=_sla_by_priority(data, client_id, sla_benchmark),
        benchmarks=benchmarks,
    )


def _trend(data: PeriodData, client_id: str) -> tuple[TrendPoint, ...]:
    """The 12 months of the charts. SLA compliance sums the priorities of
    kpi_sla_compliance_monthly (numerators over denominators), which is the service review's
    monthly rate."""
    period_months = set(data.period.months)
    sla: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for row in data.sla_monthly.get(client_id, []):
        sla[row["month_start_on"]][0] += row["tickets_resolved_within_sla_count"]
        sla[row["month_start_on"]][1] += row["sla_tickets_resolved_count"]
    csat = {row["month_start_on"]: row for row in data.csat_monthly.get(client_id, [])}
    proactive = {row["month_start_on"]: row for row in data.proactive_monthly.get(client_id, [])}
    review = {row["period_start_on"]: row for row in data.review_monthly.get(client_id, [])}
    points = []
    for month in data.period.trend_months():
        month_review = review.get(month)
        month_proactive = proactive.get(month)
        month_csat = csat.get(month)
        points.append(
            TrendPoint(
                month_start_on=month,
                is_in_period=month in period_months,
                is_month_complete=(
                    month_review["is_period_complete"] if month_review is not None else None
                ),
                tickets_created_count=(
                    month_review["tickets_created_count"] if month_review is not None else None
                ),
                proactive_tickets_count=(
                    month_proactive["proactive_tickets_count"] if month_proactive else None
                ),
                reactive_tickets_count=(
                    month_proactive["reactive_tickets_count"] if month_proactive else None
                ),
                sla_resolution_compliance_rate=(safe_ratio(*sla[month]) if month in sla else None),
                csat_rate=month_csat["csat_rate"] if month_csat else None,
            )
        )
    return tuple(points)


PRIORITY_ORDER = ("p1", "p2", "p3", "p4")


def _sla_by_priority(
    data: PeriodData, client_id: str, benchmark: Benchmark | None
) -> tuple[PrioritySla, ...]:
    """The period's resolution compliance per priority, and the breached open backlog at the
    end of the period's last served month."""
    rows = _months_of(data.sla_monthly.get(client_id, []), data.period.months)
    by_priority: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_priority[row["priority"]].append(row)
    result = []
    for priority in sorted(by_priority, key=lambda p: (p not in PRIORITY_ORDER, p)):
        priority_rows = by_priority[priority]
        within = sum(row["tickets_resolved_within_sla_count"] for row in priority_rows)
        resolved = sum(row["sla_tickets_resolved_count"] for row in priority_rows)
        last = max(priority_rows, key=lambda row: row["month_start_on"])
        rate = safe_ratio(within, resolved)
        result.append(
            PrioritySla(
                priority=priority,
                tickets_resolved_within_sla_count=within,
                sla_tickets_resolved_count=resolved,
                sla_resolution_compliance_rate=rate,
                benchmark_status=benchmark.status(rate) if benchmark else None,
                breached_open_ticket_count=last["month_end_breached_open_ticket_count"],
            )
        )
    return tuple(result)


def _review_suffix(period: Period) -> str:
    return "quarterly" if period.period_type == "quarter" else "monthly"


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, Decimal) else value


def _list(items: Sequence[str], limit: int = 150) -> str:
    if not items:
        return "none"
    if len(items) <= limit:
        return ", ".join(items)
    return f"{', '.join(items[:10])}, ... {', '.join(items[-3:])} ({len(items)} in all)"


def unknown_client_message(client_id: str, clients: Mapping[str, Client]) -> str:
    known = sorted(clients)
    close = difflib.get_close_matches(client_id, known, n=3)
    hint = f" Did you mean {', '.join(close)}?" if close else ""
    return (
        f"unknown client {client_id!r}: dim_clients has no such client_id.{hint} "
        f"Known clients ({len(known)}): {_list(known)}"
    )


# ---------------------------------------------------------------------------------------------
# reading the warehouse


def open_warehouse(database: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection (reports never write the warehouse), with a message that says what
    to do when the file is missing or a writer holds it."""
    if not database.exists():
        raise ReportDataError(
            f"no warehouse at {database}: build it first with `mspkpi run` (or point "
            "--database / MSPKPI_DUCKDB_PATH at it)"
        )
    try:
        return duckdb.connect(str(database), read_only=True)
    except duckdb.IOException as error:
        raise ReportDataError(
            f"cannot open the warehouse {database} read-only: {error}. A run is probably "
            "writing it; try again when it has finished."
        ) from error


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict]:
    try:
        cursor = con.execute(sql, list(params))
    except duckdb.CatalogException as error:
        raise ReportDataError(
            f"{error}. The report reads {', '.join(REPORT_MARTS)} (schema {MART_SCHEMA}) and "
            f"{SEED_SCHEMA}.kpi_benchmarks: build them with `mspkpi run`."
        ) from error
    columns = [description[0] for description in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _by_client(rows: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[row["client_id"]].append(row)
    return dict(grouped)


def available_periods(con: duckdb.DuckDBPyConnection, period_type: str) -> list[str]:
    """The periods of that type the service-review mart holds, oldest first."""
    table = (
        "kpi_service_review_quarterly"
        if period_type == "quarter"
        else ("kpi_service_review_monthly")
    )
    rows = _rows(
        con, f"select distinct period_label from {MART_SCHEMA}.{table} order by period_label"
    )
    return [row["period_label"] for row in rows]


def client_periods(con: duckdb.DuckDBPyConnection, client_id: str, period_type: str) -> list[str]:
    rows = _rows(
        con,
        f"select period_label from {MART_SCHEMA}.kpi_service_review_periods "
        "where client_id = ? and period_type = ? order by period_start_on",
        [client_id, period_type],
    )
    return [row["period_label"] for row in rows]


def fetch_period_data(
    con: duckdb.DuckDBPyConnection, period: Period, client_id: str | None = None
) -> PeriodData:
    """Every mart row a report of `period` needs, for one client or all. Raises
    ReportDataError listing the periods the warehouse holds when it has none of this one, and
    the known clients (or the client's periods) when the client is unknown or was not served."""
    clients = {
        row["client_id"]: Client(**row)
        for row in _rows(
            con,
            f"select client_id, client_name, language_code, country_code, billing_currency, "
            f"segment, industry from {MART_SCHEMA}.dim_clients order by client_id",
        )
    }
    if client_id is not None and client_id not in clients:
        raise ReportDataError(unknown_client_message(client_id, clients))
    client_filter, client_params = ("and client_id = ?", [client_id]) if client_id else ("", [])
    suffix = _review_suffix(period)
    review = {
        row["client_id"]: row
        for row in _rows(
            con,
            f"select * from {MART_SCHEMA}.kpi_service_review_{suffix} "
            f"where period_start_on = ? {client_filter}",
            [period.start_on, *client_params],
        )
    }
    if not review:
        existing = available_periods(con, period.period_type)
        if client_id is None or period.label not in existing:
            raise ReportDataError(
                f"no data for {period.label} in {MART_SCHEMA}.kpi_service_review_{suffix}. "
                f"Periods with data: {_list(existing)}"
            )
        raise ReportDataError(
            f"client {client_id} ({clients[client_id].client_name}) was not served in "
            f"{period.label}. Its periods: "
            f"{_list(client_periods(con, client_id, period.period_type))}"
        )
    window = period.trend_months()
    first, last = window[0], window[-1]

    def monthly(table: str, order: str = "month_start_on") -> dict[str, list[dict[str, Any]]]:
        return _by_client(
            _rows(
                con,
                f"select * from {MART_SCHEMA}.{table} "
                f"where month_start_on between ? and ? {client_filter} order by {order}",
                [first, last, *client_params],
            )
        )

    review_monthly = _by_client(
        _rows(
            con,
            f"select * from {MART_SCHEMA}.kpi_service_review_monthly "
            f"where period_start_on between ? and ? {client_filter} order by period_start_on",
            [first, last, *client_params],
        )
    )
    benchmarks = {
        row["kpi_name"]: Benchmark(
            kpi_name=row["kpi_name"],
            direction=row["direction"],
            minimum_value=_float(row["minimum_value"]),
            target_value=_float(row["target_value"]),
            best_in_class_value=_float(row["best_in_class_value"]),
        )
        for row in _rows(
            con,
            f"select kpi_name, direction, minimum_value, target_value, best_in_class_value "
            f"from {SEED_SCHEMA}.kpi_benchmarks",
        )
    }
    # the as-of date: the day the current month's endpoints are counted on (the marts' "now")
    as_of_rows = _rows(
        con,
        f"select max(endpoints_counted_on) as as_of_on "
        f"from {MART_SCHEMA}.kpi_tickets_per_endpoint_monthly where not is_month_complete",
    )
    return PeriodData(
        period=period,
        clients=clients,
        review=review,
        sla_monthly=monthly("kpi_sla_compliance_monthly", "month_start_on, priority"),
        csat_monthly=monthly("kpi_csat_monthly"),
        endpoints_monthly=monthly("kpi_tickets_per_endpoint_monthly"),
        proactive_monthly=monthly("kpi_proactive_it_monthly"),
        mrr_monthly=monthly("fct_client_mrr_monthly"),
        review_monthly=review_monthly,
        benchmarks=benchmarks,
        data_as_of=as_of_rows[0]["as_of_on"] if as_of_rows else None,
    )


def load_client_report(database: Path, period: Period, client_id: str) -> ClientReport:
    """Read the warehouse read-only and build one client's report."""
    con = open_warehouse(database)
    try:
        data = fetch_period_data(con, period, client_id)
    finally:
        con.close()
    return build_client_report(data, client_id)

"""Every query of docs/sql-cookbook.md runs on the published sample and gives the figures the page
quotes. The page is the only copy of the queries: the test reads them from it.

The expected values were worked out from the marts by other routes than the cookbook's query (the
comment above each says which), on the default sample as of November 2026, when the last complete
month is October 2026, the last complete quarter 2026-Q3 and the last complete year 2025.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.serving import publish

COOKBOOK = Path(__file__).resolve().parents[1] / "docs" / "sql-cookbook.md"
SECTION = re.compile(r"^## (\d+)\. (.+?)\n(.*?)(?=^## \d+\. |\Z)", re.MULTILINE | re.DOTALL)
SQL_BLOCK = re.compile(r"```sql\n(.*?)```", re.DOTALL)


def cookbook_queries(text: str) -> dict[int, tuple[str, str]]:
    """Question number -> (question, the first ```sql block of its section)."""
    queries = {}
    for number, question, body in SECTION.findall(text):
        block = SQL_BLOCK.search(body)
        assert block, f"question {number} of {COOKBOOK.name} has no ```sql block"
        queries[int(number)] = (question.strip(), block.group(1))
    return queries


QUERIES = cookbook_queries(COOKBOOK.read_text(encoding="utf-8"))


def test_the_cookbook_has_ten_numbered_questions():
    assert sorted(QUERIES) == list(range(1, 11))
    assert all(question.endswith("?") for question, _ in QUERIES.values())


@pytest.fixture(scope="module")
def serving(built_sample, dbt_manifest, tmp_path_factory):
    as_of = getattr(built_sample, "as_of", "") or os.environ.get("MSPKPI_AS_OF", "")
    if as_of and not as_of.startswith("2026-11"):
        pytest.skip(
            f"the cookbook's figures are those of the sample as of November 2026 (as of {as_of}: "
            "another last complete month and quarter)"
        )
    path = tmp_path_factory.mktemp("cookbook") / "serving.duckdb"
    publish(built_sample.database, path, manifest=dbt_manifest)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


def run(con: duckdb.DuckDBPyConnection, number: int) -> list[dict]:
    relation = con.sql(QUERIES[number][1])
    return [dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchone()[0]


def test_1_worst_sla_clients_last_quarter(serving):
    rows = run(serving, 1)
    assert len(rows) == 5 and {row["period_label"] for row in rows} == {"2026-Q3"}
    worst = rows[0]
    # fct_tickets: Optique Lefèvre's tickets with an SLA policy resolved in 2026-Q3, and those
    # within their resolution target
    resolved, within = serving.execute(
        "select count(*), count(*) filter (where t.is_resolution_within_sla) "
        "from marts.fct_tickets as t join marts.dim_clients as c using (client_id) "
        "where c.client_name = 'Optique Lefèvre SARL' and t.has_sla_policy "
        "and t.resolved_at >= '2026-07-01' and t.resolved_at < '2026-10-01'"
    ).fetchone()
    assert (resolved, within) == (16, 6)
    assert worst["client_name"] == "Optique Lefèvre SARL"
    assert (worst["sla_tickets_resolved_count"], worst["tickets_resolved_within_sla_count"]) == (
        16,
        6,
    )
    assert worst["sla_resolution_compliance_rate"] == 0.375  # 6 / 16
    assert [row["sla_resolution_compliance_rate"] for row in rows] == sorted(
        row["sla_resolution_compliance_rate"] for row in rows
    )


def test_2_mrr_bridge_adds_up(serving):
    rows = run(serving, 2)
    amounts = [row["amount"] for row in rows]
    assert rows[0]["step"] == "MRR at the end of October 2025"
    assert rows[-1]["step"] == "= MRR at the end of October 2026"
    # the seven steps add up to the end MRR (to the cent of the rounding of each step)
    assert sum(amounts[:-1]) == pytest.approx(amounts[-1], abs=0.05)
    # kpi_mrr_monthly: MRR of October 2026 and of October 2025 (the month before the window)
    assert amounts[-1] == round(
        scalar(
            serving,
            "select mrr_amount from marts.kpi_mrr_monthly where month_start_on = '2026-10-01'",
        ),
        2,
    )
    assert amounts[-1] == 138891.88
    assert amounts[0] == 110859.53


def test_3_churn_by_segment_adds_up_to_the_yearly_churn(serving):
    rows = {row["segment"]: row for row in run(serving, 3)}
    assert list(rows) == ["enterprise", "mid_market", "smb", "all"]
    # kpi_churn_yearly, 2025: 6 of the 64 clients paying at the start were lost
    starting, churned = serving.execute(
        "select starting_client_count, churned_client_count from marts.kpi_churn_yearly "
        "where year_start_on = '2025-01-01'"
    ).fetchone()
    assert (rows["all"]["starting_client_count"], rows["all"]["churned_client_count"]) == (
        starting,
        churned,
    )
    assert (starting, churned) == (64, 6)
    assert sum(rows[s]["churned_client_count"] for s in ("enterprise", "mid_market", "smb")) == 6
    assert (rows["smb"]["starting_client_count"], rows["smb"]["churned_client_count"]) == (38, 5)
    assert rows["smb"]["client_churn_rate"] == 0.132  # 5 / 38


def test_4_revenue_concentration(serving):
    rows = run(serving, 4)
    assert [row["mrr_rank"] for row in rows] == list(range(1, 11))
    # fct_client_mrr_monthly, October 2026: 98 paying clients; the largest pays 6,700.00 of the
    # 138,891.88 of MRR (0.048)
    paying, total = serving.execute(
        "select count(*), sum(mrr_amount) from marts.fct_client_mrr_monthly "
        "where month_start_on = '2026-10-01' and mrr_amount > 0"
    ).fetchone()
    assert paying == 98
    assert rows[0]["client_name"] == "Thomas Patrimoine" and rows[0]["mrr_amount"] == 6700.0
    assert rows[0]["mrr_share"] == round(6700.0 / total, 3) == 0.048
    top_10 = sum(row["mrr_amount"] for row in rows)
    assert rows[-1]["cumulative_mrr_share"] == round(top_10 / total, 3) == 0.296


def test_5_tickets_per_endpoint(serving):
    top = run(serving, 5)[0]
    # fct_tickets: Collège Beauce opened 19 tickets in 2026-Q3; kpi_tickets_per_endpoint_monthly:
    # it became a client in September, with 11 endpoints at the month's end, and managed none in
    # July and August (months left out) -> 19 / 11 = 1.73
    tickets = scalar(
        serving,
        "select count(*) from marts.fct_tickets join marts.dim_clients using (client_id) "
        "where client_name = 'Collège Beauce' and created_on >= '2026-07-01' "
        "and created_on < '2026-10-01'",
    )
    months = serving.execute(
        "select month_start_on, managed_endpoint_count "
        "from marts.kpi_tickets_per_endpoint_monthly join marts.dim_clients using (client_id) "
        "where client_name = 'Collège Beauce' and month_start_on between '2026-07-01' "
        "and '2026-09-01' and managed_endpoint_count > 0"
    ).fetchall()
    assert tickets == 19
    assert [(str(month), endpoints) for month, endpoints in months] == [("2026-09-01", 11)]
    assert top["client_name"] == "Collège Beauce"
    assert top["tickets_created_count"] == 19 and top["average_managed_endpoint_count"] == 11.0
    assert top["tickets_per_endpoint_per_month"] == round(19 / 11, 2) == 1.73


def test_6_csat_trend(serving):
    rows = run(serving, 6)
    assert [str(row["month_start_on"]) for row in rows] == [
        "2026-05-01",
        "2026-06-01",
        "2026-07-01",
        "2026-08-01",
        "2026-09-01",
        "2026-10-01",
    ]
    october = rows[-1]
    # October 2026: 542 positive of 645 responses -> 0.840; May 391 / 519 -> 0.753
    assert (october["positive_csat_response_count"], october["csat_response_count"]) == (542, 645)
    assert october["csat_rate"] == 0.84
    assert rows[0]["csat_rate"] == 0.753


def test_7_turnover_by_department(serving):
    rows = {row["department"]: row for row in run(serving, 7)}
    # 2025: the service desk lost 4 of an average of (24 + 26) / 2 = 25 -> 0.16, above 0.15
    desk = rows["service_desk"]
    assert (desk["departure_count"], float(desk["average_headcount"])) == (4, 25.0)
    assert desk["employee_turnover_rate"] == 0.16 and desk["benchmark_status"] == "below_target"
    # the company: the same 4 departures over (40 + 42) / 2 = 41 -> 0.098
    assert rows["all"]["departure_count"] == 4 and rows["all"]["employee_turnover_rate"] == 0.098
    assert list(rows)[-1] == "all"


def test_8_revenue_per_logged_hour(serving):
    lowest = run(serving, 8)[0]
    # fct_client_mrr_monthly: Guérin Patrimoine's three month-end MRRs of 2026-Q3 add up to
    # 450.00; fct_tickets: its 16 tickets created in the quarter logged 21.5 hours -> 20.93
    hours = scalar(
        serving,
        "select sum(logged_hours) from marts.fct_tickets join marts.dim_clients using (client_id) "
        "where client_name = 'Guérin Patrimoine SAS' and created_on >= '2026-07-01' "
        "and created_on < '2026-10-01'",
    )
    assert float(hours) == 21.5
    assert lowest["client_name"] == "Guérin Patrimoine SAS"
    assert lowest["recurring_revenue_amount"] == 450.0
    assert lowest["revenue_per_logged_hour_amount"] == round(450 / 21.5, 2) == 20.93


def test_9_channel_economics(serving):
    rows = {row["channel"]: row for row in run(serving, 9)}
    # kpi_funnel_monthly and kpi_cost_per_lead_monthly, November 2025 to October 2026: referrals
    # brought 189 leads and 8 clients for 4,000.00 of spend -> 500.00 a client
    referral = rows["referral"]
    assert (referral["lead_count"], referral["won_client_count"]) == (189, 8)
    assert float(referral["marketing_spend_amount"]) == 4000.0
    assert referral["marketing_cost_per_won_client_amount"] == 500.0
    assert rows["all"]["won_client_count"] == sum(
        row["won_client_count"] for channel, row in rows.items() if channel != "all"
    )
    assert next(iter(rows)) == "referral" and list(rows)[-1] == "all"


def test_10_clv_to_cac_by_segment(serving):
    rows = {row["segment"]: row for row in run(serving, 10)}
    # kpi_customer_lifetime_value: 29 small-business clients with a known acquisition cost, 17
    # of them below a ratio of 1; together 110,676.63 of lifetime value for 371,723.31 of
    # acquisition cost -> 0.30
    smb = rows["smb"]
    assert (smb["client_count"], smb["below_one_client_count"]) == (29, 17)
    assert smb["clv_to_cac_ratio"] == round(110676.63 / 371723.31, 2) == 0.3
    assert sum(row["client_count"] for row in rows.values()) == scalar(
        serving,
        "select count(*) from marts.kpi_customer_lifetime_value where has_acquisition_cost",
    )

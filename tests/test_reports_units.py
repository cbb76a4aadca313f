"""Client reports without a warehouse: periods, locale formatting, benchmark rule, strings."""

from __future__ import annotations

from datetime import date

import pytest

from orchestration.reports import formatting as fmt
from orchestration.reports.data import Benchmark, Headline, safe_ratio, tickets_per_endpoint
from orchestration.reports.i18n import LANGUAGES, STRINGS, language_of, translate
from orchestration.reports.periods import Period
from orchestration.reports.render import duration, signed_duration

NBSP, NNBSP = "\u00a0", "\u202f"  # CLDR French: no-break space before % and €, narrow in groups


def test_quarter_and_month_periods():
    q3 = Period.parse("2026-Q3")
    assert (q3.start_on, q3.end_on, q3.period_type, q3.label) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
        "quarter",
        "2026-Q3",
    )
    assert q3.months == (date(2026, 7, 1), date(2026, 8, 1), date(2026, 9, 1))
    assert Period.parse("2026q1").previous().label == "2025-Q4"
    assert Period.parse("2026-01").previous().label == "2025-12"
    assert Period.parse("2024-02").end_on == date(2024, 2, 29)
    assert Period.quarter_of(date(2026, 11, 22)).label == "2026-Q4"
    trend = q3.trend_months()
    assert (len(trend), trend[0], trend[-1]) == (12, date(2025, 10, 1), date(2026, 9, 1))


@pytest.mark.parametrize("text", ["2026-Q5", "2026-13", "Q3 2026", "2026-9", ""])
def test_a_bad_period_names_both_accepted_forms(text):
    with pytest.raises(ValueError, match=r"YYYY-Qn.*YYYY-MM"):
        Period.parse(text)


def test_french_numbers_follow_cldr():
    fr = fmt.report_locale("fr", "FR")
    assert fmt.percent(0.952, fr) == f"95,2{NBSP}%"
    assert fmt.money(1234.5, "EUR", fr) == f"1{NNBSP}234,50{NBSP}€"
    assert fmt.number(1234, fr) == f"1{NNBSP}234"
    assert fmt.points(-0.014529914529914478, fr) == "-1,5 pts"
    assert fmt.period_name(Period.parse("2026-Q3"), fr) == "T3 2026"
    assert fmt.period_name(Period.parse("2026-09"), fr) == "septembre 2026"


def test_english_numbers_follow_cldr():
    en = fmt.report_locale("en", "GB")
    assert fmt.percent(0.952, en) == "95.2%"
    assert fmt.money(1234.5, "EUR", en) == "€1,234.50"
    assert fmt.money(1234.5, "GBP", en) == "£1,234.50"
    assert fmt.signed_number(12, en) == "+12"
    assert fmt.signed_number(0, en) == "0"
    assert fmt.period_name(Period.parse("2026-Q3"), en) == "Q3 2026"
    assert fmt.percent(None, en) == fmt.DASH


def test_country_refines_the_language_when_cldr_knows_the_pair():
    assert str(fmt.report_locale("fr", "CH")) == "fr_CH"
    assert str(fmt.report_locale("en", "XX")) == "en"
    # Swiss French writes the percent sign without a space
    assert fmt.percent(0.952, fmt.report_locale("fr", "CH")) == "95,2%"


def test_business_minutes_read_as_hours_and_minutes():
    en = fmt.report_locale("en", "GB")
    assert duration(45, en, "en") == "45 min"
    assert duration(77, en, "en") == "1 h 17"
    assert duration(430, en, "en") == "7 h 10"
    assert duration(337.5, en, "en") == "5 h 38"  # rounded half to even: 337.5 -> 338
    assert signed_duration(-92.5, en, "en") == "-1 h 32"
    assert signed_duration(10, en, "en") == "+10 min"


# the seed's three rows the report uses (seeds/kpi_benchmarks.csv)
SLA = Benchmark("sla_compliance_rate", "higher_is_better", None, 1.0, 0.95)
CSAT = Benchmark("csat_rate", "higher_is_better", 0.75, None, 0.90)
PER_ENDPOINT = Benchmark("tickets_per_endpoint", "lower_is_better", None, 1.0, None)


@pytest.mark.parametrize(
    ("benchmark", "value", "status"),
    [
        (SLA, 1.0, "best_in_class"),  # best in class is checked first, so 100 % is not on_target
        (SLA, 0.95, "best_in_class"),
        (SLA, 0.9499, "below_target"),
        (CSAT, 0.90, "best_in_class"),
        (CSAT, 0.75, "on_target"),  # no target: the minimum is the goal
        (CSAT, 0.7499, "below_target"),
        (PER_ENDPOINT, 1.0, "on_target"),
        (PER_ENDPOINT, 1.01, "below_target"),
        (SLA, None, None),
        (Benchmark("tickets_created_count", "neutral", None, None, None), 3, None),
    ],
)
def test_benchmark_status_is_the_macro_rule(benchmark, value, status):
    assert benchmark.status(value) == status


def test_tickets_per_endpoint_sums_tickets_over_endpoints():
    """C0003's 2026-Q3 rows of kpi_tickets_per_endpoint_monthly: (32 + 19 + 44) tickets over
    (51 + 51 + 50) endpoints = 95 / 152; a month without endpoints adds nothing."""
    rows = [
        _endpoint_row(date(2026, 7, 1), 32, 51),
        _endpoint_row(date(2026, 8, 1), 19, 51),
        _endpoint_row(date(2026, 9, 1), 44, 50),
        _endpoint_row(date(2026, 10, 1), 7, 0),
    ]
    value, endpoints, complete = tickets_per_endpoint(rows, Period.parse("2026-Q3").months)
    assert (value, endpoints, complete) == (95 / 152, 50, True)
    assert tickets_per_endpoint(rows, Period.parse("2026-10").months) == (None, None, False)


def _endpoint_row(month: date, tickets: int, endpoints: int) -> dict:
    return {
        "month_start_on": month,
        "tickets_created_count": tickets,
        "managed_endpoint_count": endpoints,
        "is_month_complete": True,
    }


def test_change_direction_tells_improvement_from_regression():
    lower = Headline("escalation", "rate", 0.10, 0.12, -0.02, better="lower")
    higher = Headline("csat", "rate", 0.80, 0.90, -0.10, better="higher")
    neutral = Headline("tickets_created", "count", 120, 135, -15)
    assert (lower.is_improvement, higher.is_improvement, neutral.is_improvement) == (
        True,
        False,
        None,
    )
    assert safe_ratio(3, 0) is None


def test_every_string_exists_in_both_languages():
    for key, texts in STRINGS.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(texts.values()), key
    assert language_of("FR") == "fr"
    assert language_of("de") == "en"  # a language without a translation gets English
    assert translate("responses", "fr", count="25") == "25 réponses"

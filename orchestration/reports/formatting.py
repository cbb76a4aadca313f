"""Numbers as the client reads them (CLDR rules through Babel, which dbt's agate already installs):
fr gives "95,2 %", "1 234,50 €" (narrow no-break spaces), en gives "95.2%", "€1,234.50"."""

from __future__ import annotations

from datetime import date

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_currency, format_decimal, format_percent

from orchestration.reports.periods import Period

# an en dash, shown for a figure that does not exist (no denominator, no previous period)
DASH = "\u2013"


def report_locale(language_code: str, country_code: str | None) -> Locale:
    """The client's language refined by its country when CLDR knows the pair (fr_CH, en_US),
    else the language alone."""
    if country_code:
        try:
            return Locale.parse(f"{language_code}_{country_code.upper()}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(language_code)


def _with_decimals(pattern: str, decimals: int) -> str:
    """The locale's own pattern (keeps its spacing, e.g. fr "#,##0 %") with fixed decimals."""
    if decimals <= 0:
        return pattern
    return pattern.replace("0", "0." + "0" * decimals, 1) if "." not in pattern else pattern


def percent(value: float | None, locale: Locale, decimals: int = 1) -> str:
    """A fraction as a percentage: 0.952 -> "95,2 %" (fr) or "95.2%" (en)."""
    if value is None:
        return DASH
    pattern = _with_decimals(locale.percent_formats[None].pattern, decimals)
    return format_percent(value, pattern, locale=locale)


def points(value: float | None, locale: Locale, decimals: int = 1) -> str:
    """A change of a rate in percentage points, signed: 0.021 -> "+2,1 pts" / "+2.1 pts"."""
    if value is None:
        return DASH
    return f"{signed_number(value * 100, locale, decimals)} pts"


def number(value: float | None, locale: Locale, decimals: int = 0) -> str:
    """A plain number with the locale's grouping: 1234 -> "1 234" (fr) or "1,234" (en)."""
    if value is None:
        return DASH
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, pattern, locale=locale)


def signed_number(value: float | None, locale: Locale, decimals: int = 0) -> str:
    """A change with its sign, "+12" or "-3" (the locale's minus sign)."""
    if value is None:
        return DASH
    text = number(abs(value), locale, decimals)
    if round(value, decimals) == 0:
        return text
    minus = locale.number_symbols.get("latn", locale.number_symbols).get("minusSign", "-")
    return ("+" if value > 0 else minus) + text


def money(value: float | None, currency: str, locale: Locale) -> str:
    """An amount in its currency: 1234.5 EUR -> "1 234,50 €" (fr) or "€1,234.50" (en)."""
    if value is None:
        return DASH
    return format_currency(value, currency, locale=locale)


def signed_money(value: float | None, currency: str, locale: Locale) -> str:
    if value is None:
        return DASH
    text = money(abs(value), currency, locale)
    if round(value, 2) == 0:
        return text
    minus = locale.number_symbols.get("latn", locale.number_symbols).get("minusSign", "-")
    return ("+" if value > 0 else minus) + text


def period_name(period: Period, locale: Locale) -> str:
    """ "Q3 2026" / "T3 2026" for a quarter, "September 2026" / "septembre 2026" for a month."""
    if period.period_type == "quarter":
        letter = "T" if locale.language == "fr" else "Q"
        return f"{letter}{(period.start_on.month - 1) // 3 + 1} {period.start_on.year}"
    return format_date(period.start_on, "LLLL y", locale=locale)


def long_date(day: date, locale: Locale) -> str:
    """ "30 septembre 2026" / "30 September 2026"."""
    return format_date(day, "long", locale=locale)

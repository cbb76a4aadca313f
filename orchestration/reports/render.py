"""A ClientReport as a self-contained HTML page (inline CSS and SVG: no script, no network) and
as a PDF (WeasyPrint renders the same HTML with the print rules of the stylesheet)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import jinja2
from babel import Locale

from orchestration.reports import formatting as fmt
from orchestration.reports.charts import Chart, build_charts
from orchestration.reports.data import ClientReport, Headline, PrioritySla
from orchestration.reports.i18n import language_of, translate

TEMPLATES = Path(__file__).parent / "templates"
STATUS_KEYS = {
    "best_in_class": "status_best_in_class",
    "on_target": "status_on_target",
    "below_target": "status_below_target",
}


@dataclass(frozen=True)
class HeadlineView:
    """A headline as the page shows it: every text already in the client's language."""

    key: str
    unit: str
    label: str
    value: str
    previous: str
    change: str
    detail: str
    direction: str  # improvement | regression | neutral
    arrow: str
    status: str | None
    status_text: str
    raw: Headline


@dataclass(frozen=True)
class ReportFiles:
    html: Path
    pdf: Path | None


def duration(minutes: float | None, locale: Locale, language: str) -> str:
    """Business minutes as "77 min" or "7 h 10" (rounded to the minute)."""
    if minutes is None:
        return fmt.DASH
    total = round(minutes)
    if abs(total) < 60:
        return f"{fmt.number(total, locale)} {translate('minutes_short', language)}"
    hours, rest = divmod(abs(total), 60)
    text = translate("hours_minutes", language, hours=fmt.number(hours, locale), minutes=rest)
    return text if total >= 0 else f"-{text}"


def signed_duration(minutes: float | None, locale: Locale, language: str) -> str:
    if minutes is None:
        return fmt.DASH
    text = duration(abs(minutes), locale, language)
    if round(minutes) == 0:
        return text
    return ("+" if minutes > 0 else "-") + text


def _value(headline: Headline, value: float | None, locale: Locale, language: str) -> str:
    if headline.unit == "rate":
        return fmt.percent(value, locale)
    if headline.unit == "minutes":
        return duration(value, locale, language)
    if headline.unit == "ratio":
        return fmt.number(value, locale, decimals=2)
    if headline.unit == "money":
        return fmt.money(value, headline.currency or "EUR", locale)
    return fmt.number(value, locale)


def _change(headline: Headline, locale: Locale, language: str) -> str:
    change = headline.change
    if headline.unit == "rate":
        return fmt.points(change, locale)
    if headline.unit == "minutes":
        return signed_duration(change, locale, language)
    if headline.unit == "ratio":
        return fmt.signed_number(change, locale, decimals=2)
    if headline.unit == "money":
        return fmt.signed_money(change, headline.currency or "EUR", locale)
    return fmt.signed_number(change, locale)


def _detail(headline: Headline, report: ClientReport, locale: Locale, language: str) -> str:
    number = fmt.number
    if headline.key == "csat" and headline.denominator is not None:
        return translate("responses", language, count=number(headline.denominator, locale))
    if headline.key == "tickets_per_endpoint" and headline.denominator is not None:
        return translate("endpoints", language, count=number(headline.denominator, locale))
    if headline.key == "alert_auto_remediation" and headline.denominator is not None:
        return translate(
            "alerts_of",
            language,
            num=number(headline.numerator, locale),
            den=number(headline.denominator, locale),
        )
    if headline.unit == "rate" and headline.denominator is not None:
        return translate(
            "tickets_of",
            language,
            num=number(headline.numerator, locale),
            den=number(headline.denominator, locale),
        )
    if headline.key == "mrr" and headline.current is not None:
        last_day = report.period.end_on
        return translate("mrr_at", language, day=fmt.long_date(last_day, locale))
    return ""


def headline_view(
    headline: Headline, report: ClientReport, locale: Locale, language: str
) -> HeadlineView:
    improvement = headline.is_improvement
    direction = {True: "improvement", False: "regression", None: "neutral"}[improvement]
    arrow = ""
    if headline.change:
        arrow = "▲" if headline.change > 0 else "▼"
    status = headline.benchmark_status
    return HeadlineView(
        key=headline.key,
        unit=headline.unit,
        label=translate(headline.key, language),
        value=_value(headline, headline.current, locale, language),
        previous=_value(headline, headline.previous, locale, language),
        change=_change(headline, locale, language),
        detail=_detail(headline, report, locale, language),
        direction=direction,
        arrow=arrow,
        status=status,
        status_text=translate(STATUS_KEYS[status], language) if status else "",
        raw=headline,
    )


def _sla_row(row: PrioritySla, locale: Locale) -> dict:
    return {
        "priority": row.priority,
        "within": fmt.number(row.tickets_resolved_within_sla_count, locale),
        "resolved": fmt.number(row.sla_tickets_resolved_count, locale),
        "rate": fmt.percent(row.sla_resolution_compliance_rate, locale),
        "raw_rate": row.sla_resolution_compliance_rate,
        "status": row.benchmark_status,
        "breached": fmt.number(row.breached_open_ticket_count, locale),
    }


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@cache
def _css() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


class _Strings:
    """`t.key` in the template: the string in the report's language."""

    def __init__(self, language: str) -> None:
        self._language = language

    def __getattr__(self, key: str) -> str:
        return translate(key, self._language)


def render_html(
    report: ClientReport,
    *,
    generated_on: date | None = None,
    charts: tuple[Chart, ...] | None = None,
) -> str:
    """The report as one HTML document: inline CSS, inline SVG charts, every number formatted in
    the client's language, and the raw figures in data-* attributes for tests and scrapers."""
    client = report.client
    language = language_of(client.language_code)
    locale = fmt.report_locale(language, client.country_code)
    period = report.period
    title = translate(f"title_{period.period_type}", language)
    previous_name = fmt.period_name(report.previous_period, locale)
    notes = []
    if not report.is_period_complete:
        as_of = fmt.long_date(report.data_as_of, locale) if report.data_as_of else fmt.DASH
        notes.append(translate("period_to_date", language, as_of=as_of))
    # a period still running has fewer months by nature: the note is for a client that started
    # or left during the period
    elif report.served_month_count < period.month_count:
        notes.append(
            translate(
                "partial_period",
                language,
                served=report.served_month_count,
                total=period.month_count,
            )
        )
    has_previous = any(h.previous is not None for h in report.headlines)
    compared = (
        translate("compared_with", language, previous=previous_name)
        if has_previous
        else translate("no_previous", language)
    )
    period_kind = translate(f"period_kind_{period.period_type}", language)
    generated_on = generated_on or date.today()
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            css=_css(),
            language=language,
            title=title,
            client=client,
            period=period,
            period_name=fmt.period_name(period, locale),
            period_dates=(
                f"{fmt.long_date(period.start_on, locale)} {fmt.DASH} "
                f"{fmt.long_date(period.end_on, locale)}"
            ),
            compared_with=compared,
            notes=notes,
            t=_Strings(language),
            headlines=[headline_view(h, report, locale, language) for h in report.headlines],
            charts=charts if charts is not None else build_charts(report, locale, language),
            sla_rows=[_sla_row(row, locale) for row in report.sla_by_priority],
            about_text=translate(
                "about_text", language, period_kind=period_kind, period_kind_fr=period_kind
            ),
            generated=translate(
                "generated",
                language,
                day=fmt.long_date(generated_on, locale),
                source="mspkpi (marts)",
            ),
        )
    )


def write_pdf(html: str, path: Path) -> Path:
    """The PDF of the HTML (A4, the stylesheet's print rules); fonts come from the system."""
    import weasyprint  # imported late: loading Pango takes a second the HTML-only path skips

    path.parent.mkdir(parents=True, exist_ok=True)
    weasyprint.HTML(string=html, base_url=str(TEMPLATES)).write_pdf(path)
    return path


def report_paths(out_dir: Path, report: ClientReport) -> tuple[Path, Path]:
    """<out_dir>/<period>/<client_id>.html and .pdf (2026-Q3/C0001.html)."""
    folder = out_dir / report.period.label
    return folder / f"{report.client.client_id}.html", folder / f"{report.client.client_id}.pdf"


def write_report(
    report: ClientReport, out_dir: Path, *, pdf: bool = True, generated_on: date | None = None
) -> ReportFiles:
    """Write the report's HTML (and PDF) under out_dir/<period>/; returns the paths."""
    html_path, pdf_path = report_paths(out_dir, report)
    html = render_html(report, generated_on=generated_on)
    html_path.parent.mkdir(parents=True, exist_ok=True)
    html_path.write_text(html, encoding="utf-8")
    return ReportFiles(html=html_path, pdf=write_pdf(html, pdf_path) if pdf else None)

"""The report's four charts as Vega-Lite (Altair) specs, rendered to static SVG by vl-convert.

Static SVG, not a JavaScript chart, so that the HTML is self-contained (no script, no network)
and WeasyPrint draws the same charts into the PDF. Months are ordinal labels written by Babel in
the client's language; axis numbers use d3's locale of the same language (fr-FR: "95 %").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import altair as alt
import vl_convert
from babel import Locale
from babel.dates import format_date

from orchestration.reports.data import Benchmark, ClientReport, TrendPoint
from orchestration.reports.i18n import translate

WIDTH, HEIGHT = 330, 150
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
# colour-blind-safe pair (Okabe-Ito blue and orange) plus greys for context
PERIOD_COLOUR, CONTEXT_COLOUR = "#0b5394", "#9fb8d3"
PROACTIVE_COLOUR, REACTIVE_COLOUR = "#009e73", "#e69f00"
RULE_COLOURS = {"best_in_class": "#2e7d32", "target": "#c62828"}
D3_LOCALES = {"fr": "fr-FR", "en": "en-GB"}

CHART_KEYS = ("ticket_volume", "sla", "csat", "proactive")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str


def month_label(point: TrendPoint, locale: Locale) -> str:
    """ "juil. 26" / "Jul 26": short enough for 12 labels on a 330-pixel axis."""
    return format_date(point.month_start_on, "MMM yy", locale=locale)


def _config() -> dict:
    return {
        "font": FONT,
        "view": {"stroke": None},
        "axis": {"labelFontSize": 10, "titleFontSize": 10, "gridColor": "#e6e6e6"},
        "legend": {"labelFontSize": 10, "orient": "bottom", "title": None},
    }


def _month_axis(labels: Sequence[str], *, padding: float = 0.1) -> alt.X:
    return alt.X(
        "month:O",
        sort=list(labels),
        title=None,
        axis=alt.Axis(labelAngle=-45),
        scale=alt.Scale(paddingInner=padding, paddingOuter=padding / 2),
    )


def _period_band(labels: Sequence[str], rows: list[dict], padding: float = 0.1) -> alt.Chart:
    """A light band behind the period's months, so the eye finds "this quarter"."""
    period_rows = [{"month": row["month"]} for row in rows if row["in_period"]]
    return (
        alt.Chart(alt.Data(values=period_rows))
        .mark_rect(color="#eef3f9")
        .encode(x=_month_axis(labels, padding=padding))
    )


def _rows(report: ClientReport, locale: Locale) -> tuple[list[str], list[dict]]:
    labels = [month_label(point, locale) for point in report.trend]
    rows = [
        {
            "month": label,
            "in_period": point.is_in_period,
            "tickets": point.tickets_created_count,
            "proactive": point.proactive_tickets_count,
            "reactive": point.reactive_tickets_count,
            "sla": point.sla_resolution_compliance_rate,
            "csat": point.csat_rate,
        }
        for label, point in zip(labels, report.trend, strict=True)
    ]
    return labels, rows


def ticket_volume_spec(report: ClientReport, locale: Locale, language: str) -> dict:
    labels, rows = _rows(report, locale)
    bars = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar()
        .encode(
            x=_month_axis(labels),
            y=alt.Y("tickets:Q", title=None, axis=alt.Axis(format="d", tickMinStep=1)),
            color=alt.condition(
                "datum.in_period", alt.value(PERIOD_COLOUR), alt.value(CONTEXT_COLOUR)
            ),
        )
    )
    return _finish(bars, translate("chart_ticket_volume", language))


def _rate_spec(
    report: ClientReport,
    locale: Locale,
    field: str,
    title: str,
    rules: list[tuple[float, str, str]],
) -> dict:
    labels, rows = _rows(report, locale)
    values = [row[field] for row in rows if row[field] is not None]
    floor = min([*values, *(value for value, _, _ in rules), 1.0])
    # start the axis a little under the lowest value or benchmark, at a multiple of 10 points
    domain_min = max(0.0, int((floor - 0.05) * 10) / 10)
    y = alt.Y(
        f"{field}:Q",
        title=None,
        scale=alt.Scale(domain=[domain_min, 1.0], clamp=True),
        axis=alt.Axis(format=".0%", tickCount=5),
    )
    line = (
        alt.Chart(alt.Data(values=rows))
        .mark_line(color=PERIOD_COLOUR, strokeWidth=2)
        .encode(x=_month_axis(labels, padding=0), y=y)
        .transform_filter(f"isValid(datum.{field})")
    )
    points = (
        alt.Chart(alt.Data(values=rows))
        .mark_point(filled=True, size=45)
        .encode(
            x=_month_axis(labels, padding=0),
            y=y,
            color=alt.condition(
                "datum.in_period", alt.value(PERIOD_COLOUR), alt.value(CONTEXT_COLOUR)
            ),
        )
        .transform_filter(f"isValid(datum.{field})")
    )
    # no padding between months: the band behind the period is one continuous area
    layers: list[alt.Chart] = [_period_band(labels, rows, padding=0), line, points]
    for value, label, colour in rules:
        rule_data = alt.Data(values=[{"y": value, "label": label}])
        layers.append(
            alt.Chart(rule_data)
            .mark_rule(color=colour, strokeDash=[4, 3])
            .encode(y=alt.Y("y:Q", scale=alt.Scale(domain=[domain_min, 1.0])))
        )
        layers.append(
            alt.Chart(rule_data)
            .mark_text(align="left", dx=3, dy=-5, fontSize=9, color=colour)
            .encode(
                y=alt.Y("y:Q", scale=alt.Scale(domain=[domain_min, 1.0])),
                x=alt.value(0),
                text="label:N",
            )
        )
    return _finish(alt.layer(*layers), title)


def _benchmark_rules(benchmark: Benchmark | None, language: str) -> list[tuple[float, str, str]]:
    """Dashed lines at the seed's best-in-class and target (or minimum) levels."""
    if benchmark is None:
        return []
    rules = []
    if benchmark.best_in_class_value is not None:
        rules.append(
            (
                benchmark.best_in_class_value,
                translate("best_in_class_line", language),
                RULE_COLOURS["best_in_class"],
            )
        )
    goal = benchmark.goal_value
    # SLA's 100 % aim sits on the axis' top edge and says nothing a reader can use: only a goal
    # below best in class is drawn
    if goal is not None and (
        benchmark.best_in_class_value is None or goal < benchmark.best_in_class_value
    ):
        rules.append((goal, translate("target_line", language), RULE_COLOURS["target"]))
    return rules


def sla_spec(report: ClientReport, locale: Locale, language: str) -> dict:
    rules = _benchmark_rules(report.benchmarks.get("sla_compliance_rate"), language)
    return _rate_spec(report, locale, "sla", translate("chart_sla", language), rules)


def csat_spec(report: ClientReport, locale: Locale, language: str) -> dict:
    rules = _benchmark_rules(report.benchmarks.get("csat_rate"), language)
    return _rate_spec(report, locale, "csat", translate("chart_csat", language), rules)


def proactive_spec(report: ClientReport, locale: Locale, language: str) -> dict:
    labels, rows = _rows(report, locale)
    proactive, reactive = translate("proactive", language), translate("reactive", language)
    long_rows = [
        {"month": row["month"], "kind": kind, "tickets": row[field], "order": order}
        for row in rows
        for kind, field, order in ((proactive, "proactive", 0), (reactive, "reactive", 1))
        if row[field] is not None
    ]
    bars = (
        alt.Chart(alt.Data(values=long_rows))
        .mark_bar()
        .encode(
            x=_month_axis(labels),
            y=alt.Y("tickets:Q", title=None, stack="zero", axis=alt.Axis(format="d")),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=[proactive, reactive], range=[PROACTIVE_COLOUR, REACTIVE_COLOUR]
                ),
            ),
            order=alt.Order("order:Q"),
        )
    )
    return _finish(
        alt.layer(_period_band(labels, rows), bars), translate("chart_proactive", language)
    )


def _finish(chart: alt.Chart | alt.LayerChart, title: str) -> dict:
    # validate=False: the specs are fixed by this module, and schema validation costs more than
    # rendering
    spec = chart.properties(width=WIDTH, height=HEIGHT).to_dict(validate=False)
    spec["config"] = _config()
    spec["background"] = "white"
    # the title is the HTML heading above the chart (translatable, selectable, in the PDF outline)
    spec.pop("title", None)
    spec["description"] = title
    return spec


def render_svg(spec: dict, language: str) -> str:
    locale = D3_LOCALES.get(language, "en-GB")
    svg = vl_convert.vegalite_to_svg(spec, format_locale=locale, time_format_locale=locale)
    # vl-convert writes a fixed width and height: drop them so CSS sizes the chart, keep viewBox
    head, _, rest = svg.partition(">")
    head = " ".join(part for part in head.split(" ") if not part.startswith(("width=", "height=")))
    return f'{head} preserveAspectRatio="xMidYMid meet">{rest}'


def build_charts(report: ClientReport, locale: Locale, language: str) -> tuple[Chart, ...]:
    """The four charts of a report, as inline SVG strings in the report's order."""
    specs = {
        "ticket_volume": (ticket_volume_spec, "chart_ticket_volume"),
        "sla": (sla_spec, "chart_sla"),
        "csat": (csat_spec, "chart_csat"),
        "proactive": (proactive_spec, "chart_proactive"),
    }
    return tuple(
        Chart(
            key=key,
            title=translate(title_key, language),
            svg=render_svg(builder(report, locale, language), language),
        )
        for key, (builder, title_key) in specs.items()
    )

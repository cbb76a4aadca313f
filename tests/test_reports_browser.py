"""A report as a browser draws it: headless Chromium (Debian's package, installed by
scripts/install-chromium when missing) renders C0001's 2026-Q3 QBR; the screenshot shows the four
charts drawn (not blank, in their colours) and the DOM's numbers are the marts' numbers."""

from __future__ import annotations

import html as html_lib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from orchestration.reports.browser import ChromiumUnavailable, dump_dom, ensure_chromium, screenshot
from orchestration.reports.charts import (
    CHART_KEYS,
    CONTEXT_COLOUR,
    PERIOD_COLOUR,
    PROACTIVE_COLOUR,
    REACTIVE_COLOUR,
)
from orchestration.reports.data import load_client_report
from orchestration.reports.periods import Period
from orchestration.reports.render import render_html

WIDTH = 1100
NBSP, NNBSP = "\u00a0", "\u202f"

# added to a copy of the page only: the report itself has no script
PROBE = """
<script>
const charts = {};
for (const figure of document.querySelectorAll('[data-chart]')) {
  const r = figure.querySelector('svg').getBoundingClientRect();
  charts[figure.dataset.chart] = [r.left + scrollX, r.top + scrollY, r.width, r.height];
}
const pre = document.createElement('pre');
pre.id = 'layout';
pre.textContent = JSON.stringify({
  charts, width: innerWidth, height: document.documentElement.scrollHeight});
document.body.appendChild(pre);
</script>
"""


@pytest.fixture(scope="module")
def chromium() -> str:
    try:
        return ensure_chromium(install=True)
    except ChromiumUnavailable as error:
        pytest.skip(f"no headless Chromium: {error}")


@pytest.fixture(scope="module")
def page(built_sample, tmp_path_factory) -> Path:
    report = load_client_report(built_sample.database, Period.parse("2026-Q3"), "C0001")
    path = tmp_path_factory.mktemp("browser") / "C0001.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def layout(page, chromium) -> dict:
    probe = page.with_name("probe.html")
    probe.write_text(
        page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    dom = dump_dom(probe, width=WIDTH, chromium=chromium)
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.DOTALL)
    assert found, "the probe script did not run"
    return json.loads(html_lib.unescape(found[1]))


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _has_colour(image, colour: str, tolerance: int = 40) -> bool:
    target = _hex(colour)
    return any(
        all(abs(a - b) <= tolerance for a, b in zip(pixel, target, strict=True))
        for _count, pixel in image.getcolors(maxcolors=1 << 20)
    )


def test_the_charts_are_drawn_in_the_screenshot(page, layout, chromium):
    from PIL import Image

    assert layout["width"] == WIDTH
    assert set(layout["charts"]) == set(CHART_KEYS)
    png = screenshot(
        page,
        page.with_suffix(".png"),
        width=WIDTH,
        height=layout["height"],
        chromium=chromium,
        crop=False,
    )
    expected_colours = {
        "ticket_volume": [PERIOD_COLOUR, CONTEXT_COLOUR],
        "sla": [PERIOD_COLOUR],
        "csat": [PERIOD_COLOUR],
        "proactive": [PROACTIVE_COLOUR, REACTIVE_COLOUR],
    }
    with Image.open(png) as screenshot_image:
        rgb = screenshot_image.convert("RGB")
    for key, (left, top, width, height) in layout["charts"].items():
        assert width > 300 and height > 120, (key, width, height)
        chart = rgb.crop((round(left), round(top), round(left + width), round(top + height)))
        pixels = chart.width * chart.height
        not_white = sum(
            count for count, pixel in chart.getcolors(maxcolors=1 << 20) if min(pixel) < 235
        )
        # axes, labels and marks: a blank or failed chart is ~0 %, a drawn one well above 3 %
        assert not_white / pixels > 0.03, (key, not_white / pixels)
        assert len(chart.getcolors(maxcolors=1 << 20)) > 20, key
        for colour in expected_colours[key]:
            assert _has_colour(chart, colour), f"{key}: no {colour} pixel, the marks did not draw"


class _Headlines(HTMLParser):
    """data-* attributes and visible value text of every [data-headline] card."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: dict[str, dict] = {}
        self._card: str | None = None
        self._in_value = False
        self.svg_marks: dict[str, int] = {}
        self._chart: str | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-headline" in attributes:
            self._card = attributes["data-headline"]
            self.cards[self._card] = {**attributes, "text": ""}
        if attributes.get("data-role") == "value":
            self._in_value = True
        if "data-chart" in attributes:
            self._chart = attributes["data-chart"]
            self.svg_marks[self._chart] = 0
        if self._chart and tag in ("path", "rect", "line") and attributes.get("d", "x") != "":
            self.svg_marks[self._chart] += 1

    def handle_endtag(self, tag):
        if tag == "p":
            self._in_value = False
        if tag == "figure":
            self._chart = None

    def handle_data(self, data):
        if self._in_value and self._card:
            self.cards[self._card]["text"] += data.strip()


@pytest.fixture(scope="module")
def rendered_dom(page, chromium) -> _Headlines:
    parser = _Headlines()
    parser.feed(dump_dom(page, width=WIDTH, chromium=chromium))
    return parser


def test_the_page_shows_the_marts_numbers(built_sample, rendered_dom):
    """The figures in the DOM Chromium built equal the marts, queried here directly."""
    review = built_sample.query(
        "select tickets_created_count, sla_resolution_compliance_rate, csat_rate, "
        "median_first_response_business_minutes, median_resolution_business_minutes, "
        "first_contact_resolution_rate, escalation_rate, sla_response_compliance_rate, "
        "sla_resolution_compliance_rate_previous, sla_resolution_compliance_rate_change "
        "from marts.kpi_service_review_quarterly "
        "where client_id = 'C0001' and period_label = '2026-Q3'"
    )[0]
    quarter = "client_id = 'C0001' and month_start_on between '2026-07-01' and '2026-09-01'"
    per_endpoint, proactive = built_sample.query(
        "select (select sum(tickets_created_count) / sum(managed_endpoint_count) "
        f"        from marts.kpi_tickets_per_endpoint_monthly where {quarter}),"
        "       (select sum(proactive_tickets_count) / sum(tickets_created_count) "
        f"        from marts.kpi_proactive_it_monthly where {quarter})"
    )[0]
    mrr = built_sample.query(
        "select mrr_own_currency_amount from marts.fct_client_mrr_monthly "
        "where client_id = 'C0001' and month_start_on = '2026-09-01'"
    )[0][0]
    cards = rendered_dom.cards
    expected = {
        "tickets_created": review[0],
        "sla_resolution_compliance": review[1],
        "csat": review[2],
        "median_first_response": float(review[3]),
        "median_resolution": float(review[4]),
        "first_contact_resolution": review[5],
        "escalation": review[6],
        "sla_response_compliance": review[7],
        "tickets_per_endpoint": per_endpoint,
        "proactive_share": proactive,
        "mrr": float(mrr),
    }
    for key, value in expected.items():
        assert float(cards[key]["data-value"]) == value, key
    sla = cards["sla_resolution_compliance"]
    assert (float(sla["data-previous"]), float(sla["data-change"])) == (review[8], review[9])
    assert sla["data-status"] == "below_target"
    assert cards["csat"]["data-status"] == "best_in_class"
    # what the client reads, in French (hand-written from the figures above)
    assert {key: card["text"] for key, card in cards.items()} == {
        "tickets_created": "120",
        "sla_resolution_compliance": f"93,2{NBSP}%",
        "csat": f"100,0{NBSP}%",
        "tickets_per_endpoint": "0,65",
        "sla_response_compliance": f"97,4{NBSP}%",
        "median_first_response": "1 h 17",
        "median_resolution": "7 h 10",
        "first_contact_resolution": f"85,2{NBSP}%",
        "escalation": f"10,8{NBSP}%",
        "proactive_share": f"17,5{NBSP}%",
        "alert_auto_remediation": f"61,7{NBSP}%",
        "mrr": f"2{NNBSP}219,93{NBSP}€",
    }


def test_the_charts_are_svg_with_marks_in_the_dom(rendered_dom):
    assert set(rendered_dom.svg_marks) == set(CHART_KEYS)
    for key, marks in rendered_dom.svg_marks.items():
        # 12 bars / points / stacked pairs plus axes and grid: far more than an empty frame
        assert marks >= 24, (key, marks)

"""Reports as files: self-contained HTML in the client's language, a PDF with the charts, the
`mspkpi report` command and the quarterly Dagster asset."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

import pytest
from dagster import AssetKey

from orchestration.cli import main
from orchestration.reports.data import REPORT_MARTS, load_client_report
from orchestration.reports.periods import Period
from orchestration.reports.render import render_html, write_report

Q3 = Period.parse("2026-Q3")


@pytest.fixture(scope="module")
def french(built_sample):
    return load_client_report(built_sample.database, Q3, "C0001")


@pytest.fixture(scope="module")
def english(built_sample):
    return load_client_report(built_sample.database, Q3, "C0003")


def test_html_is_self_contained(french):
    page = render_html(french)
    # no script, no stylesheet or image fetched: the file can be e-mailed as it is
    assert "<script" not in page
    assert "<link" not in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)
    assert page.count("<svg") == 4
    assert page.count('data-chart="') == 4
    assert page.count('data-headline="') == 12


def test_the_report_speaks_the_clients_language(french, english):
    # unescaped: the template escapes the apostrophes of French (&#39;)
    fr, en = html.unescape(render_html(french)), html.unescape(render_html(english))
    assert '<html lang="fr">' in fr
    assert "Revue trimestrielle d'activité" in fr
    assert "T3 2026" in fr
    assert "comparé à T2 2026" in fr
    assert "Respect des SLA (résolution)" in fr
    assert "Sous l'objectif" in fr
    assert "juil. 26" in fr  # the charts' month labels too
    assert '<html lang="en">' in en
    assert "Quarterly business review" in en
    assert "Q3 2026" in en
    assert "compared with Q2 2026" in en
    assert "88.6%" in en  # C0003's SLA compliance, 0.8863636363636364, formatted in English
    assert "Jul 26" in en
    assert "Respect des SLA" not in en


def test_the_pdf_draws_the_four_charts(french, tmp_path):
    import weasyprint
    from weasyprint.svg import SVG

    files = write_report(french, tmp_path)
    assert files.html == tmp_path / "2026-Q3" / "C0001.html"
    assert files.pdf == tmp_path / "2026-Q3" / "C0001.pdf"
    assert files.pdf.read_bytes()[:5] == b"%PDF-"
    document = weasyprint.HTML(string=files.html.read_text(encoding="utf-8")).render()
    charts, text = [], []

    def walk(box):
        replacement = getattr(box, "replacement", None)
        if replacement is not None and isinstance(getattr(replacement, "_svg", None), SVG):
            charts.append((box.width, box.height))
        if getattr(box, "text", None):
            text.append(box.text)
        for child in getattr(box, "children", None) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    assert len(charts) == 4
    assert all(width > 200 and height > 100 for width, height in charts)
    assert "93,2\u00a0%" in text  # C0001's SLA compliance, laid out in the PDF
    assert 1 <= len(document.pages) <= 3


def test_cli_writes_one_clients_report(built_sample, tmp_path, capsys):
    code = main(
        [
            "report",
            "--client",
            "C0003",
            "--period",
            "2026-Q3",
            "--database",
            str(built_sample.database),
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    assert (tmp_path / "2026-Q3" / "C0003.html").stat().st_size > 10_000
    assert (tmp_path / "2026-Q3" / "C0003.pdf").stat().st_size > 10_000
    assert "1 report(s) of 2026-Q3" in capsys.readouterr().out


def test_cli_monthly_review_html_only(built_sample, tmp_path):
    args = ["report", "--client", "C0001", "--month", "2026-09", "--no-pdf"]
    args += ["--database", str(built_sample.database), "--out", str(tmp_path)]
    assert main(args) == 0
    page = (tmp_path / "2026-09" / "C0001.html").read_text(encoding="utf-8")
    assert "Revue de service mensuelle" in page
    assert "septembre 2026" in page
    assert not (tmp_path / "2026-09" / "C0001.pdf").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--client", "C9999", "--period", "2026-Q3"], "unknown client 'C9999'"),
        (["--client", "C0001", "--period", "2019-Q1"], "Periods with data: 2024-Q4"),
        (["--client", "C0001", "--month", "2026-Q3"], "is not a month"),
        (["--client", "C0001", "--period", "Q3"], "neither a quarter"),
    ],
)
def test_cli_errors_name_what_exists(built_sample, tmp_path, capsys, args, message):
    code = main(["report", *args, "--database", str(built_sample.database), "--out", str(tmp_path)])
    assert code == 1
    assert message in capsys.readouterr().err


def test_the_asset_writes_the_quarters_reports(built_sample, tmp_path, monkeypatch):
    from dagster import DagsterInstance, materialize

    from orchestration.defs.reports.assets import client_reports
    from orchestration.defs.resources import WarehouseResource

    monkeypatch.setenv("MSPKPI_DUCKDB_PATH", str(built_sample.database))
    monkeypatch.setenv("MSPKPI_REPORTS_DIR", str(tmp_path))
    result = materialize(
        [client_reports],
        partition_key="2026-07-01",
        resources={"warehouse": WarehouseResource()},
        run_config={
            "ops": {
                "reports__client_reports": {
                    "config": {"client_ids": ["C0001", "C0003"], "pdf": False}
                }
            }
        },
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    metadata = result.get_asset_materialization_events()[0].materialization.metadata
    assert metadata["period"].value == "2026-Q3"
    assert metadata["client_count"].value == 2
    assert metadata["clients_by_language"].value == {"fr": 1, "en": 1}
    assert sorted(path.name for path in (tmp_path / "2026-Q3").iterdir()) == [
        "C0001.html",
        "C0003.html",
    ]


def test_the_asset_depends_on_the_marts_it_reads():
    from orchestration.definitions import defs
    from orchestration.defs.dbt.assets import mspkpi_dbt_assets
    from orchestration.defs.reports.assets import CLIENT_REPORTS_KEY, QUARTERLY_PARTITIONS

    graph = defs.resolve_asset_graph()
    parents = graph.get(CLIENT_REPORTS_KEY).parent_keys
    expected = {AssetKey(["marts", name]) for name in REPORT_MARTS}
    expected.add(AssetKey(["seeds", "kpi_benchmarks"]))
    assert parents == expected
    assert parents <= set(mspkpi_dbt_assets.keys)  # real dbt models, not dangling keys
    keys = QUARTERLY_PARTITIONS.get_partition_keys(current_time=datetime(2026, 11, 22, tzinfo=UTC))
    assert keys[0] == "2024-10-01"
    assert keys[-1] == "2026-07-01"  # the last quarter that has ended
    daily = defs.resolve_job_def("daily_refresh")
    assert daily.partitions_def is None  # the nightly job stays unpartitioned
    assert defs.resolve_job_def("quarterly_client_reports").partitions_def == QUARTERLY_PARTITIONS


def test_the_schedule_asks_for_the_quarter_that_ended():
    from dagster import build_schedule_context

    from orchestration.defs.reports.assets import quarterly_client_reports_schedule

    context = build_schedule_context(
        scheduled_execution_time=datetime(2026, 10, 2, 6, 0, tzinfo=UTC)
    )
    request = quarterly_client_reports_schedule(context)
    assert request.partition_key == "2026-07-01"


def test_reports_folder_defaults_to_data_reports():
    from orchestration.settings import DEFAULTS, PROJECT_DIR

    assert DEFAULTS["MSPKPI_REPORTS_DIR"] == "data/reports"
    example = (PROJECT_DIR / ".env.example").read_text(encoding="utf-8")
    assert "MSPKPI_REPORTS_DIR=data/reports" in example


def test_a_client_served_part_of_the_quarter_is_told_so(built_sample):
    """C0095 is served in July and August 2026 only (kpi_service_review_monthly; no later month):
    2 served months of 3 in its 2026-Q3 row."""
    report = load_client_report(built_sample.database, Q3, "C0095")
    assert report.served_month_count == 2
    assert "servi 2 mois sur 3 de la période" in render_html(report)

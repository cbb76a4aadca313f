"""The month's alerts on the built sample, the JSON file, the webhook (a local HTTP server in a
thread) and the Dagster run-status sensor that reports them after a nightly run."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from dagster import (
    DagsterInstance,
    SkipReason,
    build_run_status_sensor_context,
    job,
    op,
)

from orchestration.alerts import (
    AlertReport,
    alerts_file_path,
    alerts_payload,
    post_webhook,
    read_alerts,
    render,
    report_alerts,
    summary_lines,
)
from orchestration.cli import main

OCTOBER = date(2026, 10, 1)


class Webhook:
    """A local HTTP endpoint that records the bodies POSTed to it and answers `status`."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.bodies: list[dict] = []
        webhook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                webhook.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(webhook.status)
                self.end_headers()

            def log_message(self, *args) -> None:  # keep pytest's output clean
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/alerts"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Webhook:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with Webhook() as server:
        yield server


@pytest.fixture(scope="module")
def october(built_sample) -> AlertReport:
    return read_alerts(built_sample.database, OCTOBER)


def test_october_alerts_on_the_sample(october):
    """October 2026 on the sample: 24 clients whose escalation rate reached 0.20
    (kpi_escalations_monthly.is_escalation_alert), 74 clients under the SLA's 0.95, and for the
    company SLA compliance 86.1 % (critical), technician satisfaction 8.82 < 9 and web conversion
    3.6 % < 5 % (below target), employee (20.5 %) and technician (25.0 %) turnover over 15 %. No
    client churned in October (kpi_mrr_monthly.churned_client_count = 0)."""
    assert october.counts() == {"critical": 1, "warning": 102}
    assert october.counts_by_type() == {
        "client_escalation_rate": 24,
        "client_sla_below_target": 74,
        "kpi_below_target": 2,
        "sla_compliance_below_target": 1,
        "turnover_above_healthy": 2,
    }
    first = october.alerts[0]
    assert (first.severity, first.alert_id) == (
        "critical",
        "2026-10:sla_compliance_below_target:sla_compliance_rate",
    )
    assert first.message == "2026-10: SLA compliance: 86.1 %, under the target of 95.0 %."
    messages = {alert.alert_id: alert.message for alert in october.alerts}
    assert messages["2026-10:turnover_above_healthy:employee_turnover_rate"] == (
        "2026-10: Employee turnover, trailing 12 months: 20.5 % (9 departures, average headcount "
        "44.0), at or above the healthy rate of 15.0 %."
    )
    assert messages["2026-10:client_escalation_rate:C0013"] == (
        "Cabinet Lopez Avocats SARL (C0013), 2026-10: 1 of 5 tickets escalated (20.0 %), at or "
        "above the alert threshold of 20.0 %."
    )
    assert messages["2026-10:kpi_below_target:technician_satisfaction_score"] == (
        "2026-10: Technician satisfaction: 8.82, under the target of 9.00."
    )


def test_churned_clients_alert_in_their_month(built_sample):
    """September 2026: one client churned (kpi_mrr_monthly.churned_client_count = 1); its alert
    carries the MRR lost, as kpi_mrr_monthly.churned_mrr_amount values it."""
    report = read_alerts(built_sample.database, date(2026, 9, 1))
    churned = [alert for alert in report.alerts if alert.alert_type == "client_churned"]
    lost = built_sample.query(
        "select churned_mrr_amount from marts.kpi_mrr_monthly where month_start_on = '2026-09-01'"
    )[0][0]
    assert len(churned) == 1
    assert churned[0].severity == "critical"
    assert churned[0].value == pytest.approx(lost, rel=1e-12)
    assert churned[0].message.endswith(f"2026-09: churned: {lost:.2f} EUR of MRR lost.")


def test_the_payload_and_the_file_name(october, tmp_path):
    generated = datetime(2026, 11, 2, 2, 5, tzinfo=UTC)
    payload = alerts_payload(october, run_id="abc-123", generated_at=generated)
    assert {
        key: payload[key] for key in ("source", "month", "run_id", "generated_at", "counts")
    } == {
        "source": "mspkpi",
        "month": "2026-10",
        "run_id": "abc-123",
        "generated_at": "2026-11-02T02:05:00+00:00",
        "counts": {"critical": 1, "warning": 102},
    }
    assert len(payload["alerts"]) == 103
    assert payload["alerts"][0]["kpi_label"] == "SLA compliance"
    path = alerts_file_path(tmp_path, date(2026, 11, 2), "abc/123")
    assert path == tmp_path / "2026-11-02_abc-123.json"


def test_the_webhook_receives_the_payload(webhook):
    assert post_webhook(webhook.url, {"month": "2026-10"}) == (True, "posted (HTTP 200)")
    assert webhook.bodies == [{"month": "2026-10"}]


def test_a_failing_webhook_is_reported_not_raised(webhook):
    webhook.status = 500
    posted, reason = post_webhook(webhook.url, {"month": "2026-10"})
    assert not posted
    assert reason == f"the webhook {webhook.url} answered HTTP 500 Internal Server Error"
    closed = Webhook()  # bound, never serving: the connection is refused
    closed.server.server_close()
    posted, reason = post_webhook(closed.url, {}, timeout=2)
    assert not posted
    assert reason.startswith(f"the webhook {closed.url} could not be reached")


def test_report_writes_the_file_and_posts_it(built_sample, tmp_path, webhook):
    logged: list[str] = []
    result = report_alerts(
        built_sample.database,
        alerts_dir=tmp_path,
        run_id="run-1",
        run_date=date(2026, 11, 2),
        webhook_url=webhook.url,
        month=OCTOBER,
        log=logged.append,
        warn=logged.append,
        generated_at=datetime(2026, 11, 2, 2, 5, tzinfo=UTC),
    )
    written = json.loads((tmp_path / "2026-11-02_run-1.json").read_text(encoding="utf-8"))
    assert result.path == tmp_path / "2026-11-02_run-1.json"
    assert webhook.bodies == [written]
    assert result.webhook_status == "posted (HTTP 200)"
    assert logged[0] == "103 alerts for 2026-10: 1 critical, 102 warning"
    assert logged[1] == ("[critical] 2026-10: SLA compliance: 86.1 %, under the target of 95.0 %.")
    assert len([line for line in logged if line.startswith("[")]) == 103


def _success_context(instance: DagsterInstance):
    @op
    def refreshed() -> int:
        return 1

    @job(name="daily_refresh_stand_in")
    def stand_in():
        refreshed()

    result = stand_in.execute_in_process(instance=instance)
    return build_run_status_sensor_context(
        sensor_name="daily_refresh_alerts",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_success_event(),
    ), result


def test_the_sensor_reports_after_a_successful_run(built_sample, tmp_path, monkeypatch, webhook):
    from orchestration.defs.alerts.sensors import daily_refresh_alerts

    monkeypatch.setenv("MSPKPI_DUCKDB_PATH", str(built_sample.database))
    monkeypatch.setenv("MSPKPI_ALERTS_DIR", str(tmp_path / "alerts"))
    monkeypatch.setenv("MSPKPI_ALERT_WEBHOOK", webhook.url)
    with DagsterInstance.ephemeral() as instance:
        context, result = _success_context(instance)
        outcome = daily_refresh_alerts(context)
        ended = instance.get_run_record_by_id(result.run_id).end_time
    run_date = datetime.fromtimestamp(ended, tz=UTC).date()
    path = tmp_path / "alerts" / f"{run_date:%Y-%m-%d}_{result.run_id}.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    expected = read_alerts(built_sample.database)  # the reporting month, as the sensor reads it
    assert written["month"] == f"{expected.month:%Y-%m}"
    assert written["run_id"] == result.run_id
    assert [alert["alert_id"] for alert in written["alerts"]] == [
        alert.alert_id for alert in expected.alerts
    ]
    assert webhook.bodies == [written]
    assert isinstance(outcome, SkipReason)
    assert outcome.skip_message == (
        f"{len(expected.alerts)} alerts for {expected.month:%Y-%m} written to {path}; "
        "webhook: posted (HTTP 200)"
    )


def test_the_sensor_survives_a_failing_webhook(built_sample, tmp_path, monkeypatch, webhook):
    from orchestration.defs.alerts.sensors import daily_refresh_alerts

    webhook.status = 503
    monkeypatch.setenv("MSPKPI_DUCKDB_PATH", str(built_sample.database))
    monkeypatch.setenv("MSPKPI_ALERTS_DIR", str(tmp_path))
    monkeypatch.setenv("MSPKPI_ALERT_WEBHOOK", webhook.url)
    with DagsterInstance.ephemeral() as instance:
        context, result = _success_context(instance)
        outcome = daily_refresh_alerts(context)
    assert outcome.skip_message.endswith(
        f"webhook: the webhook {webhook.url} answered HTTP 503 Service Unavailable"
    )
    assert len(list(tmp_path.glob(f"*_{result.run_id}.json"))) == 1


def test_the_sensor_is_registered_and_on_by_default():
    from dagster import DefaultSensorStatus
    from dagster._core.definitions.sensor_definition import SensorType

    from orchestration.definitions import defs

    sensor = defs.resolve_sensor_def("daily_refresh_alerts")
    assert sensor.sensor_type == SensorType.RUN_STATUS
    assert sensor.default_status == DefaultSensorStatus.RUNNING


def test_the_command_prints_and_writes(built_sample, tmp_path, monkeypatch, capsys):
    database = str(built_sample.database)
    assert main(["alerts", "--database", database, "--month", "2026-10"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Alerts for 2026-10: 103 (1 critical, 102 warning)"
    assert out[2] == "sla_compliance_below_target (critical, 1)"
    monkeypatch.setenv("MSPKPI_ALERTS_DIR", str(tmp_path))
    monkeypatch.delenv("MSPKPI_ALERT_WEBHOOK", raising=False)
    assert main(["alerts", "--database", database, "--month", "2026-10", "--write"]) == 0
    files = list(tmp_path.glob("*_cli-*.json"))
    assert len(files) == 1
    assert json.loads(files[0].read_text(encoding="utf-8"))["counts"]["warning"] == 102


def test_the_run_summary_names_the_critical_alerts(october):
    assert summary_lines(october) == [
        "alerts for 2026-10: 103 (24 client_escalation_rate, 74 client_sla_below_target, "
        "2 kpi_below_target, 1 sla_compliance_below_target, 2 turnover_above_healthy)",
        "  [critical] 2026-10: SLA compliance: 86.1 %, under the target of 95.0 %.",
        "  every alert: `mspkpi alerts`; the month's KPIs: `mspkpi scorecard`",
    ]
    assert render(AlertReport(month=None, alerts=())) == (
        "No complete month in the warehouse yet: no alerts."
    )

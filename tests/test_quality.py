"""Data quality (orchestration/quality): the suites built from the contract and the manifest, the
results kept in quality.check_results, the data docs, freshness, and `mspkpi run` stopping before
dbt on a blocking failure. Every test that writes works on a copy of the session's sample warehouse
(built by `mspkpi run`, so its deliveries are already checked: a hand-inserted row is then the only
row in scope, which makes the counts exact)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from orchestration.contract import load_contract
from orchestration.quality.config import QualitySettings, parse_share
from orchestration.quality.freshness import FreshnessRule, freshness_result, freshness_rules
from orchestration.quality.runner import check_marts, check_raw, check_sources_freshness
from orchestration.quality.suites import ERROR, WARN, mart_suites, raw_rows_suite, reconciliations


@pytest.fixture
def warehouse(built_sample, tmp_path) -> Path:
    """A writable copy of the sample warehouse."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(built_sample.database, copy)
    return copy


@pytest.fixture
def settings(tmp_path) -> QualitySettings:
    return QualitySettings(
        docs_dir=tmp_path / "docs", gx_dir=tmp_path / "gx", max_rejected_share=0.01
    )


def stored(database: Path, run_id: str, check_name: str, asset: str | None = None) -> dict:
    """The row of quality.check_results of one check, keys and observed values parsed."""
    con = duckdb.connect(str(database), read_only=True)
    try:
        cursor = con.execute(
            "select * from quality.check_results where run_id = ? and check_name = ? "
            "and asset_key like ?",
            [run_id, check_name, asset or "%"],
        )
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
    assert len(rows) == 1, rows
    row = rows[0]
    row["failing_keys_sample"] = json.loads(row["failing_keys_sample"])
    row["observed"] = json.loads(row["observed"])
    return row


def execute(database: Path, *statements: str) -> None:
    con = duckdb.connect(str(database))
    try:
        for statement in statements:
            con.execute(statement)
    finally:
        con.close()


# --- suites --------------------------------------------------------------------------------------


def checks_of(suite) -> dict[str, str]:
    return {e.meta["check_name"]: e.meta["severity"] for e in suite.expectations}


def test_the_raw_suite_of_client_surveys_is_its_contract():
    """Read off extracts.yml: 4 required columns, an enum, three ranges, the key."""
    suite = raw_rows_suite(load_contract().entity("surveys/client_surveys"))
    assert checks_of(suite) == {
        "response_id_not_null": ERROR,
        "client_id_not_null": ERROR,
        "responded_at_not_null": ERROR,
        "survey_type_not_null": ERROR,
        "survey_type_in_allowed_values": WARN,
        "nps_score_between_0_and_10": WARN,
        "overall_rating_between_1_and_5": WARN,
        "effort_score_between_1_and_7": WARN,
        "key_unique_within_delivery": ERROR,
    }
    assert suite.asset == "raw/surveys__client_surveys"
    assert suite.key_columns == ("response_id", "_delivery_id", "_source_line")


def test_row_rules_formats_and_compound_keys_come_from_the_contract():
    contract = load_contract()
    tickets = checks_of(raw_rows_suite(contract.entity("psa/tickets")))
    assert tickets["rule_resolved_after_created"] == WARN
    assert tickets["tier_between_1_and_3"] == WARN
    assert tickets["reopened_count_at_least_0"] == WARN
    calendars = raw_rows_suite(contract.entity("psa/calendars"))
    assert checks_of(calendars)["opens_at_is_hhmm"] == ERROR
    assert checks_of(calendars)["rule_opens_before_closes"] == WARN
    key = next(e for e in calendars.expectations if e.meta["check_name"].startswith("key_"))
    assert key.column_list == ["_delivery_id", "calendar_id", "weekday"]
    assert (
        checks_of(raw_rows_suite(contract.entity("finance/fx_rates")))["currency_is_cur"] == ERROR
    )


def test_mart_suites_follow_the_dbt_tests(dbt_manifest):
    suites = {suite.name: suite for suite in mart_suites(dbt_manifest)}
    csat = suites["marts.kpi_csat_monthly"]
    assert csat.key_columns == ("client_id", "month_start_on")
    assert checks_of(csat) == {"grain_unique": ERROR, "csat_rate_between_0_and_1": ERROR}
    assert checks_of(suites["marts.fct_tickets"]) == {"grain_unique": ERROR}
    marts = {
        node["name"]
        for node in dbt_manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }
    assert {f"marts.{name}" for name in marts} <= set(suites)
    # every mart has a grain test (dbt-bouncer), so every mart suite checks its grain
    assert all("grain_unique" in checks_of(suites[f"marts.{name}"]) for name in marts)
    assert {r.suite().name for r in reconciliations()} <= set(suites)
    assert len(reconciliations()) == 9


def test_check_names_are_unique_per_asset(dbt_manifest):
    from orchestration.quality.suites import raw_suites

    names: dict[str, list[str]] = {}
    for suite in [*raw_suites(load_contract(), 0.01), *mart_suites(dbt_manifest)]:
        names.setdefault(suite.asset, []).extend(checks_of(suite))
    for asset, checks in names.items():
        assert len(checks) == len(set(checks)), asset


def test_the_rejected_share_threshold_is_a_fraction(monkeypatch, tmp_path):
    assert parse_share("0.01") == 0.01
    with pytest.raises(ValueError, match="MSPKPI_QUALITY_MAX_REJECTED_SHARE='5%'"):
        parse_share("5%")
    monkeypatch.setenv("MSPKPI_QUALITY_MAX_REJECTED_SHARE", "0.05")
    monkeypatch.delenv("MSPKPI_QUALITY_DOCS_DIR", raising=False)
    settings = QualitySettings.for_warehouse(tmp_path / "warehouse.duckdb")
    assert settings.docs_dir == tmp_path / "quality" / "docs"
    assert settings.max_rejected_share == 0.05


# --- the sample, as `mspkpi run` checked it ------------------------------------------------------


def test_the_sample_run_recorded_its_checks_and_built_the_docs(built_sample):
    """The sample's broken rows (README: 8 rows in 6 files) are rejected by the loader, so no
    blocking check fails; two deliveries are small enough for one rejected row to pass 1 %:
    crm/leads/2025-08.csv (1 of 60 rows) and surveys/client_surveys/2025-07.csv (1 of 5)."""
    failed = built_sample.query(
        "select asset_key, check_name, severity, failing_rows_count, failing_keys_sample, observed "
        "from quality.check_results where not passed order by asset_key"
    )
    assert [(a, c, s, n, json.loads(k)) for a, c, s, n, k, _ in failed] == [
        ("raw/crm__leads", "rejected_rows_share", WARN, 1, [{"file": "crm/leads/2025-08.csv"}]),
        (
            "raw/surveys__client_surveys",
            "rejected_rows_share",
            WARN,
            1,
            [{"file": "surveys/client_surveys/2025-07.csv"}],
        ),
    ]
    assert [json.loads(o)["partial_unexpected_list"] for *_, o in failed] == [[1 / 60], [1 / 5]]
    runs = built_sample.query("select count(distinct run_id) from quality.check_results")
    assert runs[0][0] >= 1
    assets = built_sample.query(
        "select count(distinct asset_key) filter (where asset_key like 'raw/%'), "
        "count(distinct asset_key) filter (where asset_key like 'marts/%') "
        "from quality.check_results"
    )[0]
    assert assets[0] == len(load_contract().entities)
    assert assets[1] >= 32
    unchecked = built_sample.query(
        "select count(*) from raw._load_audit "
        "where delivery_id not in (select delivery_id from quality.validated_deliveries)"
    )
    assert unchecked == [(0,)]
    assert (built_sample.database.parent / "quality" / "docs" / "index.html").is_file()


# --- raw -----------------------------------------------------------------------------------------


def test_an_nps_of_11_inserted_by_hand_is_flagged_with_its_key(warehouse, settings):
    execute(
        warehouse,
        "insert into raw.surveys__client_surveys (response_id, client_id, responded_at, "
        "survey_type, nps_score) values ('HAND-1', 'C0001', timestamp '2026-10-02 10:00', "
        "'relationship', 11)",
    )
    con = duckdb.connect(str(warehouse))
    try:
        report = check_raw(
            con, settings, "test-nps", entities=[load_contract().entity("surveys/client_surveys")]
        )
    finally:
        con.close()
    row = stored(warehouse, "test-nps", "nps_score_between_0_and_10")
    # every delivery was checked by `mspkpi run`: the hand-inserted row is the one row in scope
    assert (row["passed"], row["severity"], row["rows_checked"], row["failing_rows_count"]) == (
        False,
        WARN,
        1,
        1,
    )
    assert row["failing_keys_sample"] == [
        {"response_id": "HAND-1", "_delivery_id": None, "_source_line": None}
    ]
    assert row["observed"]["partial_unexpected_list"] == [11]
    assert row["asset_key"] == "raw/surveys__client_surveys"
    assert row["suite_name"] == "raw.surveys__client_surveys.rows"
    assert row["expectation_type"] == "expect_column_values_to_be_between"
    assert report.blocking == []  # a value out of range warns, it does not stop the build
    assert (settings.docs_dir / "index.html").is_file()
    pages = list((settings.docs_dir / "validations").rglob("*.html"))
    assert {p.relative_to(settings.docs_dir / "validations").parts[:2] for p in pages} == {
        ("raw", "surveys__client_surveys"),
    }


def _new_delivery(database: Path, entity: str, rows: list[str]) -> int:
    """A delivery the loader never made: an audit line and rows carrying its id."""
    con = duckdb.connect(str(database))
    try:
        delivery_id = con.execute("select max(delivery_id) + 1 from raw._load_audit").fetchone()[0]
        con.execute(
            "insert into raw._load_audit (delivery_id, entity, file, content_hash, "
            "file_size_bytes, status, received, loaded, rejected, source_timezone, started_at, "
            "finished_at) values (?, ?, 'by-hand.csv', 'x', 0, 'loaded', ?, ?, 0, 'UTC', "
            "current_timestamp, current_timestamp)",
            [delivery_id, entity, len(rows), len(rows)],
        )
        for line, values in enumerate(rows, start=2):
            con.execute(
                "insert into raw.surveys__client_surveys (response_id, client_id, responded_at, "
                "survey_type, nps_score, _source_file, _source_line, _delivery_id) "
                f"values ({values}, 'by-hand.csv', {line}, {delivery_id})"
            )
    finally:
        con.close()
    return delivery_id


def test_a_duplicate_key_blocks_and_its_delivery_stays_pending_until_fixed(warehouse, settings):
    entity = load_contract().entity("surveys/client_surveys")
    delivery = _new_delivery(
        warehouse,
        entity.key,
        [
            "'DUP-1', 'C0001', timestamp '2026-10-02 10:00', 'relationship', 9",
            "'DUP-1', 'C0002', timestamp '2026-10-03 10:00', 'relationship', 7",
        ],
    )

    def run(run_id: str):
        con = duckdb.connect(str(warehouse))
        try:
            return check_raw(con, settings, run_id, entities=[entity], build_docs=False)
        finally:
            con.close()

    first = run("test-dup-1")
    assert [(r.check_name, r.failing_rows_count) for r in first.blocking] == [
        ("key_unique_within_delivery", 2)
    ]
    row = stored(warehouse, "test-dup-1", "key_unique_within_delivery")
    assert row["failing_keys_sample"] == [
        {"response_id": "DUP-1", "_delivery_id": delivery, "_source_line": 2},
        {"response_id": "DUP-1", "_delivery_id": delivery, "_source_line": 3},
    ]
    assert first.deliveries_validated == 0
    # still pending: the next run checks (and blocks on) it again
    assert [r.check_name for r in run("test-dup-2").blocking] == ["key_unique_within_delivery"]
    execute(
        warehouse,
        "delete from raw.surveys__client_surveys where _source_line = 3 "
        f"and _delivery_id = {delivery}",
    )
    fixed = run("test-dup-3")
    assert fixed.blocking == []
    assert fixed.deliveries_validated == 1
    assert stored(warehouse, "test-dup-3", "key_unique_within_delivery")["rows_checked"] == 1
    # checked once: the delivery is out of scope from now on
    assert stored(warehouse, "test-dup-3", "rejected_rows_share")["rows_checked"] == 1
    assert run("test-dup-4").deliveries_validated == 0


def test_a_changed_column_type_blocks(warehouse, settings):
    execute(
        warehouse,
        "alter table raw.surveys__client_surveys alter nps_score type varchar",
    )
    con = duckdb.connect(str(warehouse))
    try:
        report = check_raw(
            con,
            settings,
            "test-types",
            entities=[load_contract().entity("surveys/client_surveys")],
            build_docs=False,
        )
    finally:
        con.close()
    assert [r.check_name for r in report.blocking] == ["column_types_match_contract"]
    row = stored(warehouse, "test-types", "column_types_match_contract")
    # 8 contract columns + 4 lineage columns, one of them changed
    assert (row["rows_checked"], row["failing_rows_count"]) == (12, 1)
    assert row["failing_keys_sample"] == [{"column_name": "nps_score"}]


def test_mspkpi_run_stops_before_dbt_on_a_blocking_failure(built_sample, warehouse, capsys):
    # a required column the raw table holds as nullable (made required after rows were loaded
    # without it: schema.align_nullability), and a row without it slipped in by hand
    execute(
        warehouse,
        "alter table raw.surveys__client_surveys alter column client_id drop not null",
    )
    execute(
        warehouse,
        "insert into raw.surveys__client_surveys (response_id, client_id, responded_at, "
        "survey_type) values ('HAND-2', null, timestamp '2026-10-02 10:00', 'onboarding')",
    )
    code = main(["run", "--raw-dir", str(built_sample.raw_dir), "--database", str(warehouse)])
    out, err = capsys.readouterr()
    assert code == 1
    assert "building the dbt models" not in out
    assert "1 blocking quality checks failed on the new raw rows, so dbt was not run" in err
    assert (
        "error raw/surveys__client_surveys client_id_not_null: 1 of 1 rows fail, e.g. "
        '[{"response_id": "HAND-2", "_delivery_id": null, "_source_line": null}]'
    ) in err
    assert "What to do:" in err
    assert (warehouse.parent / "quality" / "docs" / "index.html").is_file()


def test_mspkpi_quality_checks_the_warehouse_and_exits_0_when_nothing_blocks(warehouse, capsys):
    assert main(["quality", "--database", str(warehouse), "--full"]) == 0
    out = capsys.readouterr().out
    assert "raw tables: 0 failed" not in out  # --full re-checks the two warned deliveries
    assert "2 failed (0 blocking)" in out
    assert "marts: 0 failed (0 blocking)" in out
    assert (warehouse.parent / "quality" / "docs" / "index.html").is_file()


# --- marts ---------------------------------------------------------------------------------------


def test_a_duplicate_mart_key_a_rate_above_one_and_a_broken_total_fail(
    warehouse, settings, dbt_manifest
):
    """The sample's first kpi_csat_monthly row is C0001, 2024-11 (its first ticket month); the
    MRR of 2024-12 moves by 1.00 against the client rows it sums."""
    execute(
        warehouse,
        "insert into marts.kpi_csat_monthly select * from marts.kpi_csat_monthly "
        "where client_id = 'C0001' and month_start_on = date '2024-11-01'",
        "update marts.kpi_csat_monthly set csat_rate = 1.5 "
        "where client_id = 'C0002' and month_start_on = date '2024-12-01'",
        "update marts.kpi_mrr_monthly set mrr_amount = mrr_amount + 1 "
        "where month_start_on = date '2024-12-01'",
    )
    con = duckdb.connect(str(warehouse))
    try:
        report = check_marts(
            con,
            settings,
            "test-marts",
            dbt_manifest,
            marts=["kpi_csat_monthly", "kpi_mrr_monthly"],
        )
    finally:
        con.close()
    assert sorted((r.asset_key, r.check_name) for r in report.blocking) == [
        ("marts/kpi_csat_monthly", "csat_rate_between_0_and_1"),
        ("marts/kpi_csat_monthly", "grain_unique"),
        ("marts/kpi_mrr_monthly", "mrr_amount_reconciles_with_fct_client_mrr_monthly"),
    ]
    grain = stored(warehouse, "test-marts", "grain_unique", "marts/kpi_csat_monthly")
    assert grain["failing_rows_count"] == 2  # both rows of the duplicated key
    assert grain["failing_keys_sample"] == [
        {"client_id": "C0001", "month_start_on": "2024-11-01"},
        {"client_id": "C0001", "month_start_on": "2024-11-01"},
    ]
    rate = stored(warehouse, "test-marts", "csat_rate_between_0_and_1")
    assert (rate["failing_rows_count"], rate["failing_keys_sample"]) == (
        1,
        [{"client_id": "C0002", "month_start_on": "2024-12-01"}],
    )
    mrr = stored(warehouse, "test-marts", "mrr_amount_reconciles_with_fct_client_mrr_monthly")
    assert mrr["failing_keys_sample"] == [{"month_start_on": "2024-12-01"}]
    assert mrr["observed"]["partial_unexpected_list"] == [pytest.approx(1.0)]
    assert mrr["rows_checked"] == 24  # the revenue window: 24 months


# --- freshness -----------------------------------------------------------------------------------


def test_freshness_warns_after_warn_after_and_errors_after_error_after():
    entity = load_contract().entity("psa/tickets")
    rule = FreshnessRule("psa.psa__tickets", timedelta(days=2), timedelta(days=7))
    loaded = datetime(2026, 11, 1, 6, 0)

    def verdict(hours: float):
        result = freshness_result(entity, rule, loaded, loaded + timedelta(hours=hours), "t")
        return result.passed, result.severity, result.observed["age_hours"]

    assert verdict(47) == (True, WARN, 47.0)
    assert verdict(49) == (False, WARN, 49.0)
    assert verdict(7 * 24 + 1) == (False, ERROR, 169.0)
    never = freshness_result(entity, rule, None, loaded, "t")
    assert (never.passed, never.severity, never.blocks) == (False, ERROR, False)


def test_freshness_reads_dbt_thresholds_and_the_load_audit(warehouse, dbt_manifest):
    """The contract gives every source warn after 2 days, error after 7 (render.FRESHNESS)."""
    rules = freshness_rules(dbt_manifest)
    assert rules["psa__tickets"] == FreshnessRule(
        "psa.psa__tickets", timedelta(days=2), timedelta(days=7)
    )
    assert set(rules) == {entity.raw_table for entity in load_contract().entities}
    con = duckdb.connect(str(warehouse))
    try:
        last = con.execute(
            "select max(started_at) from raw._load_audit where entity = 'psa/tickets' "
            "and status = 'loaded' and loaded > 0"
        ).fetchone()[0]
        report = check_sources_freshness(
            con,
            "test-fresh",
            dbt_manifest,
            entities=[load_contract().entity("psa/tickets")],
            now=last + timedelta(days=3),
        )
    finally:
        con.close()
    [result] = report.results
    assert (result.passed, result.severity, result.observed["age_hours"]) == (False, WARN, 72.0)
    row = stored(warehouse, "test-fresh", "source_freshness")
    assert row["failing_keys_sample"] == [{"source": "psa.psa__tickets"}]
    assert row["observed"]["warn_after"] == "2 days"

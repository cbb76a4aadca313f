"""`mspkpi run` on the sample MSP: every mart built, rejects kept, a second run changes nothing."""

from __future__ import annotations

from orchestration.cli import main
from orchestration.contract import load_contract
from orchestration.pipeline import summarize
from orchestration.sample import generate_sample


def test_every_contract_entity_has_a_raw_table_with_rows(built_sample):
    summary = summarize(built_sample.database)
    for entity in load_contract().entities:
        assert summary.raw_rows.get(entity.raw_table, 0) > 0, entity.key


def test_core_marts_are_built(built_sample):
    summary = summarize(built_sample.database)
    for mart in ("dim_clients", "dim_employees", "dim_date", "fct_tickets"):
        assert summary.mart_rows.get(mart, 0) > 0, mart


def test_audit_arithmetic_holds_for_every_delivery(built_sample):
    broken = built_sample.query(
        "select file from raw._load_audit where loaded + rejected <> received"
    )
    assert broken == []


def test_the_sample_broken_rows_are_exactly_the_rejects(built_sample, tmp_path):
    expected = generate_sample(tmp_path / "again").broken_rows
    rejected = built_sample.query("select distinct file, line from raw._rejects order by 1, 2")
    assert rejected == sorted((row.file, row.line) for row in expected)


def test_no_personal_data_reaches_a_mart(built_sample):
    """Names and e-mails of employees and lead contacts never appear in any mart column."""
    personal = {
        value
        for (value,) in built_sample.query(
            "select full_name from raw.hr__employees union select email from raw.hr__employees "
            "union select contact_email from raw.crm__leads"
        )
        if value
    }
    assert personal
    tables = built_sample.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    )
    for table, column in tables:
        sql = f'select distinct "{column}" from marts."{table}"'
        values = {value for (value,) in built_sample.query(sql)}
        assert not values & personal, f"marts.{table}.{column} holds personal data"


def test_validate_names_file_line_and_column_and_fails(built_sample, capsys):
    assert main(["validate", "--raw-dir", str(built_sample.raw_dir)]) == 1
    out = capsys.readouterr().out
    assert "psa/tickets/2025-07.csv: 2 of 1826 rows rejected" in out
    assert "line 725, priority: unknown value 'urgent' (allowed: p1, p2, p3, p4)" in out
    assert "NOT OK" in out


def test_run_on_a_missing_folder_says_what_to_do(tmp_path, capsys):
    args = ["run", "--raw-dir", str(tmp_path / "nowhere"), "--database", str(tmp_path / "w.db")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "nowhere does not exist" in err
    assert "mspkpi generate-sample" in err

"""The portability report (orchestration/portability.py): counts and failures read from a dbt
run_results.json written by hand (tests/portability/run_results.json), so that every number below
is known without running an engine, and the engine checks that decide what is "available"."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration import portability
from orchestration.portability import (
    EngineReport,
    NodeFailure,
    first_error_line,
    node_name,
    parse_run_results,
    read_engine_report,
    render_markdown,
    skipped_descendants,
)

FIXTURE = Path(__file__).parent / "portability" / "run_results.json"

# The manifest's child_map for the fixture's nodes: stg_psa__tickets feeds fct_tickets directly and
# through int_tickets_joined_to_sla_policies (a diamond: fct_tickets must count once).
CHILD_MAP = {
    "model.mspkpi.stg_psa__tickets": [
        "model.mspkpi.int_tickets_joined_to_sla_policies",
        "model.mspkpi.fct_tickets",
    ],
    "model.mspkpi.int_tickets_joined_to_sla_policies": ["model.mspkpi.fct_tickets"],
    "model.mspkpi.fct_tickets": ["test.mspkpi.unique_fct_tickets_ticket_id.a0c4e8f2b6"],
    "model.mspkpi.dim_clients": [
        "test.mspkpi.unique_dim_clients_client_id.8f1c2a9b3d",
        "model.mspkpi.kpi_service_review_periods",
    ],
}


@pytest.fixture
def report() -> EngineReport:
    return parse_run_results("spark", json.loads(FIXTURE.read_text()), CHILD_MAP)


def test_counts_by_resource_type(report: EngineReport) -> None:
    # Counted by hand in the fixture: 2 seeds (1 success, 1 error); 6 models: stg_psa__clients and
    # dim_clients succeed, stg_psa__tickets and kpi_service_review_periods error, the two below
    # stg_psa__tickets are skipped; 6 tests: data tests pass, fail, warn, skipped and unit tests
    # pass, error (an error counts as failed).
    assert report.status == "built"
    assert report.seeds == {"passed": 1, "failed": 1, "skipped": 0}
    assert report.models == {"passed": 2, "failed": 2, "skipped": 2}
    assert report.tests == {"passed": 2, "failed": 2, "warned": 1, "skipped": 1}
    assert report.skipped_models == ["fct_tickets", "int_tickets_joined_to_sla_policies"]
    assert report.seconds == 312.4  # the run's elapsed_time when no wall time is given


def test_failures_name_the_node_and_the_cause(report: EngineReport) -> None:
    # Models first (by name), then the other nodes by name; the error is the first line that is
    # not dbt's "Runtime Error in model ..." header.
    assert report.failures == [
        NodeFailure(
            "kpi_service_review_periods",
            "model",
            "error",
            "[PARSE_SYNTAX_ERROR] Syntax error at or near 'time'. SQLSTATE: 42601 "
            "(line 40, pos 38)",
            0,
        ),
        NodeFailure(
            "stg_psa__tickets",
            "model",
            "error",
            '[INVALID_EXTRACT_FIELD] Cannot extract `isodow` from "date_day". SQLSTATE: 42601; '
            "line 12 pos 8",
            2,
        ),
        NodeFailure(
            "kpi_service_review_periods.review_period_medians",
            "unit_test",
            "error",
            "[UNRESOLVED_ROUTINE] Cannot resolve routine `median`.",
            0,
        ),
        NodeFailure(
            "maturity_stages",
            "seed",
            "error",
            '[DATATYPE_MISSING_SIZE] DataType "VARCHAR" requires a length parameter.',
            0,
        ),
        NodeFailure(
            "not_null_dim_clients_client_id",
            "test",
            "fail",
            "Got 2 results, configured to fail if != 0",
            0,
        ),
    ]


def test_read_engine_report_merges_the_build_and_the_unit_tests(tmp_path: Path) -> None:
    (tmp_path / "build_run_results.json").write_text(FIXTURE.read_text())
    unit_tests = {
        "elapsed_time": 20.0,
        "results": [
            {"unique_id": "unit_test.mspkpi.dim_clients.keeps_latest", "status": "pass"},
            {"unique_id": "unit_test.mspkpi.fct_tickets.sla", "status": "fail", "message": "x"},
        ],
    }
    (tmp_path / "unit_test_run_results.json").write_text(json.dumps(unit_tests))
    (tmp_path / "manifest.json").write_text(json.dumps({"child_map": CHILD_MAP}))
    report = read_engine_report("spark", tmp_path, seconds=400.04)
    assert report.seconds == 400.0  # the wall time given (preparation included), rounded
    # the fixture's 2 passed / 2 failed tests plus one of each from the unit test run
    assert report.tests == {"passed": 3, "failed": 3, "warned": 1, "skipped": 1}
    assert report.models == {"passed": 2, "failed": 2, "skipped": 2}
    tickets = next(f for f in report.failures if f.name == "stg_psa__tickets")
    assert tickets.skipped_descendants == 2
    (tmp_path / "unit_test_run_results.json").unlink()
    # without a manifest the failures are still listed, their descendants unknown (0)
    (tmp_path / "manifest.json").unlink()
    report = read_engine_report("spark", tmp_path, seconds=1.0)
    assert report.tests == {"passed": 2, "failed": 2, "warned": 1, "skipped": 1}
    assert [f.skipped_descendants for f in report.failures] == [0, 0, 0, 0, 0]


def test_skipped_descendants_counts_each_skipped_model_once() -> None:
    skipped = {"model.mspkpi.int_tickets_joined_to_sla_policies", "model.mspkpi.fct_tickets"}
    assert skipped_descendants("model.mspkpi.stg_psa__tickets", CHILD_MAP, skipped) == 2
    assert skipped_descendants("model.mspkpi.dim_clients", CHILD_MAP, skipped) == 0
    assert skipped_descendants("model.mspkpi.unknown", CHILD_MAP, skipped) == 0


@pytest.mark.parametrize(
    ("unique_id", "name"),
    [
        ("model.mspkpi.dim_clients", "dim_clients"),
        ("seed.mspkpi.kpi_benchmarks", "kpi_benchmarks"),
        ("test.mspkpi.unique_dim_clients_client_id.8f1c2a9b3d", "unique_dim_clients_client_id"),
        ("unit_test.mspkpi.dim_clients.keeps_latest", "dim_clients.keeps_latest"),
    ],
)
def test_node_name(unique_id: str, name: str) -> None:
    assert node_name(unique_id) == name


def test_first_error_line_drops_terminal_colours() -> None:
    message = "\x1b[32mactual\x1b[0m differs from \x1b[31mexpected\x1b[0m:\n\n| a |"
    assert first_error_line(message) == "actual differs from expected:"


def test_first_error_line_falls_back_to_the_message() -> None:
    assert first_error_line(None) == ""
    assert first_error_line("Runtime Error in model x (models/x.sql)") == (
        "Runtime Error in model x (models/x.sql)"
    )
    long = "Binder Error: " + "x" * 400
    assert first_error_line(long) == long[: portability.ERROR_LINE_LIMIT - 3] + "..."


def test_markdown_lists_counts_unavailable_engines_and_failures(report: EngineReport) -> None:
    unavailable = EngineReport(engine="postgres", status="unavailable", reason="no server")
    text = render_markdown([report, unavailable], clients=15, months=4)
    assert "| spark | built | 2 | 2 | 2 | 2 | 2 | 1 | 1 | 312 |" in text
    assert "| postgres | unavailable: no server | | | | | | | | |" in text
    assert "| stg_psa__tickets | model | 2 | [INVALID_EXTRACT_FIELD]" in text
    assert "Skipped models (2): fct_tickets, int_tickets_joined_to_sla_policies." in text


def test_spark_is_unavailable_without_java(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portability.importlib.util, "find_spec", lambda name: object())
    monkeypatch.setattr(portability.shutil, "which", lambda name: None)
    assert "no java on the PATH" in (portability.spark_missing() or "")


def test_spark_is_unavailable_without_pyspark(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(portability.importlib.util, "find_spec", lambda name: None)
    assert "uv sync --frozen --extra spark" in (portability.spark_missing() or "")


# -- the Spark macros, rendered as dbt renders them (plain Jinja with the `do` extension) ---------

SPARK_MACROS = Path(__file__).parent.parent / "macros" / "cross_db" / "spark"


def render_spark_macro(call: str, **context) -> str:
    """`call` (e.g. "spark__cast('x', 'varchar')") rendered with every Spark macro file loaded.
    The macros need nothing of dbt's context but get_batch_size (seeds), stubbed."""
    import jinja2

    sources = "".join(
        (SPARK_MACROS / name).read_text()
        for name in (
            "spark_type.sql",
            "spark__seeds.sql",
            "spark__deduplicate.sql",
            "spark__local_to_utc.sql",
            "spark__dateadd.sql",
            "spark__datediff.sql",
        )
    )
    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    template = environment.from_string(sources + "{{ " + call + " }}")
    return " ".join(template.render(get_batch_size=lambda: 1, **context).split())


@pytest.mark.parametrize(
    ("yml_type", "spark"),
    [
        ("varchar", "string"),
        ("VARCHAR", "string"),
        ("text", "string"),
        ("double precision", "double"),
        ("integer", "int"),
        ("real", "float"),
        ("timestamp without time zone", "timestamp"),
        # spelled alike on both sides: passed through
        ("bigint", "bigint"),
        ("boolean", "boolean"),
        ("date", "date"),
        ("timestamp", "timestamp"),
        ("decimal(18,2)", "decimal(18,2)"),
    ],
)
def test_spark_type_translates_the_yml_spelling(yml_type: str, spark: str) -> None:
    assert render_spark_macro(f"spark_type({yml_type!r})") == spark


def test_spark_cast_and_safe_cast() -> None:
    assert render_spark_macro("spark__cast('null', 'varchar')") == "cast(null as string)"
    assert render_spark_macro("spark__safe_cast('amount', 'double precision')") == (
        "try_cast(amount as double)"
    )


def test_spark_deduplicate_keeps_every_column_without_a_helper() -> None:
    assert render_spark_macro(
        "spark__deduplicate('renamed', 'client_id', 'updated_at desc, _source_line desc')"
    ) == (
        "select deduplicated.row.* from ( select struct(*) as row, row_number() over "
        "(partition by client_id order by updated_at desc, _source_line desc) as row_rank "
        "from renamed ) as deduplicated where deduplicated.row_rank = 1"
    )


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (Decimal("0.9500"), "0.9500"),
        (12, "12"),
        ("l'escalade", "'l\\'escalade'"),  # the French label that broke dbt-spark's bindings
        ("a\\b", "'a\\\\b'"),  # one backslash, escaped for Spark's string literal
        ("None", "'None'"),  # a real string None stays a string
    ],
)
def test_spark_seed_literal(value, literal: str) -> None:
    assert render_spark_macro("spark_seed_literal(value)", value=value) == literal


def test_spark_local_to_utc() -> None:
    assert render_spark_macro("spark__local_to_utc('opens_local', 'timezone')") == (
        "to_utc_timestamp(opens_local, timezone)"
    )


# -- a Spark smoke test: the rendered SQL run by a local Spark (skipped without pyspark/java) ------


@pytest.fixture(scope="module")
def spark():
    pytest.importorskip("pyspark")
    if portability.shutil.which("java") is None:
        pytest.skip("no java on the PATH")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[1]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "1")
        .getOrCreate()
    )
    yield session
    session.stop()


def test_spark_runs_the_rendered_macros(spark) -> None:
    spark.sql(
        "create or replace temporary view renamed as select * from values "
        "(1, 'old', timestamp'2026-01-01 00:00:00', 1), "
        "(1, 'new', timestamp'2026-02-01 00:00:00', 2), "
        "(2, 'only', timestamp'2026-01-15 00:00:00', 3) "
        "as t(client_id, client_name, updated_at, _source_line)"
    )
    deduplicated = spark.sql(
        render_spark_macro("spark__deduplicate('renamed', 'client_id', 'updated_at desc')")
    )
    # every column of the relation, in order, and no helper; client 1 keeps its February row
    assert deduplicated.columns == ["client_id", "client_name", "updated_at", "_source_line"]
    assert sorted((r.client_id, r.client_name) for r in deduplicated.collect()) == [
        (1, "new"),
        (2, "only"),
    ]
    for value in ("l'escalade", "a\\b", "it's a \\'quote\\'"):
        literal = render_spark_macro("spark_seed_literal(value)", value=value)
        assert spark.sql(f"select {literal} as v").collect()[0].v == value
    # 08:00 in Paris is 06:00 UTC in summer (CEST) and 07:00 in winter (CET)
    to_utc = render_spark_macro("spark__local_to_utc('local_at', \"'Europe/Paris'\")")
    rows = spark.sql(
        f"select {to_utc} as utc_at from values "
        "(timestamp'2026-07-01 08:00:00'), (timestamp'2026-01-09 08:00:00') as t(local_at)"
    ).collect()
    assert [str(r.utc_at) for r in rows] == ["2026-07-01 06:00:00", "2026-01-09 07:00:00"]
    # hours, minutes and seconds between two instants: the boundaries crossed, as DuckDB counts
    # them (dbt-spark's own rounds 43 seconds up to a minute), and a deadline added in minutes
    pairs = [
        ("2026-05-26 14:00:00", "2026-05-26 14:00:43"),
        ("2026-05-26 13:59:59", "2026-05-26 14:00:00"),
        ("2026-05-26 14:00:43", "2026-05-26 14:00:00"),
        ("2026-05-26 09:30:10", "2026-05-27 11:05:00"),
    ]
    values = ", ".join(f"(timestamp'{a}', timestamp'{b}')" for a, b in pairs)
    counts = {}
    for part in ("hour", "minute", "second"):
        datediff = render_spark_macro(f"spark__datediff('a', 'b', {part!r})")
        query = f"select {datediff} as n from values {values} as t(a, b)"
        counts[part] = [row.n for row in spark.sql(query).collect()]
        in_duckdb = "select date_diff(?, cast(? as timestamp), cast(? as timestamp))"
        expected = [duckdb.execute(in_duckdb, [part, *pair]).fetchone()[0] for pair in pairs]
        assert counts[part] == expected, part
    assert counts["minute"] == [0, 1, 0, 1535]
    assert counts["hour"] == [0, 1, 0, 26]
    # 08:00 plus 1,170 business minutes (19 h 30) is 03:30 the next day, to the second
    dateadd = render_spark_macro("spark__dateadd('minute', 'n', 'opens_at')")
    query = (
        f"select {dateadd} as due_at from values "
        "(timestamp'2026-03-27 08:00:00', 1170) as t(opens_at, n)"
    )
    assert str(spark.sql(query).collect()[0].due_at) == "2026-03-28 03:30:00"
    # the yml types, translated, are the types Spark reports for the columns
    for yml_type, simple in (
        ("varchar", "string"),
        ("double precision", "double"),
        ("integer", "int"),
        ("decimal(18,4)", "decimal(18,4)"),
    ):
        cast = render_spark_macro(f"spark__cast('null', {yml_type!r})")
        assert spark.sql(f"select {cast} as c").schema.simpleString() == f"struct<c:{simple}>"

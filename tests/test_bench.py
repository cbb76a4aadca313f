"""The bench's measuring tools (a step's own time and peak memory, the printed table) and the
whole bench on a tiny MSP, whose row counts must add up from generator to warehouse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration import bench
from orchestration.bench import (
    Step,
    render,
    reused_generation,
    run_bench,
    run_step,
    warm_page_cache,
    write_result,
)

FULL_STEPS = [
    "generate",
    "raw_read_floor",
    "ingest",
    "full_build",
    "dbt_models",
    "dbt_tests",
    "dbt_seeds",
    "full_rebuild",
    "incremental_ingest",
    "incremental_build",
    "incremental_models",
    "incremental_tests",
    "incremental_seeds",
    "incremental_day",
    "sla_engine",
]


@pytest.fixture(scope="module")
def tiny_bench(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The whole bench on 3 clients x 2 months, every dbt node built (about a minute): the extra
    day's build is scoped as `mspkpi run` scopes it, which a narrowed build would not show."""
    workdir = tmp_path_factory.mktemp("bench")
    return run_bench(3, 2, workdir)


def test_a_step_reports_its_own_peak_memory():
    allocate = "block = bytearray(200 * 1024 * 1024); block[::4096] = b'x' * len(block[::4096])"
    step = run_step("allocate", [sys.executable, "-c", allocate], dict(os.environ), rows=1000)
    assert step.peak_memory_mb >= 200
    assert step.seconds > 0
    assert step.rows_per_second == round(1000 / step.seconds)


def test_a_failing_step_says_which_and_shows_its_output():
    with pytest.raises(RuntimeError, match="'boom' failed") as error:
        run_step("boom", [sys.executable, "-c", "print('the reason'); raise SystemExit(3)"], {})
    assert "the reason" in str(error.value)


def test_render_shows_ratio_to_the_floor():
    result = {
        "clients": 2,
        "months": 1,
        "tickets": 10,
        "raw_rows": 100,
        "steps": [
            {
                **Step("raw_read_floor", 2.0, 50.0, 100).__dict__,
                "rows_per_second": 50,
                "ratio_to_floor": 1.0,
            },
            {
                **Step("ingest", 5.0, 80.0, 100).__dict__,
                "rows_per_second": 20,
                "ratio_to_floor": 2.5,
            },
        ],
    }
    table = render(result)
    assert "2 clients x 1 months = 10 tickets, 100 raw rows" in table
    assert table.splitlines()[-1].split() == ["ingest", "5.0", "2.5", "20", "80.0"]
    # the floor's reads, when the result has them
    result["floor_reads_seconds"] = [2.4, 2.0, 2.15]
    assert render(result).splitlines()[-1] == "  raw_read_floor: the fastest of 2.4, 2, 2.15 s"


def test_the_floor_is_the_fastest_of_three_reads(monkeypatch):
    readings = iter([(36.8, 300, "100\n"), (30.7, 280, "100\n"), (33.1, 290, "100\n")])

    def fake_run(name, command, env):
        seconds, peak, output = next(readings)
        return Step(name, seconds, peak, None), output

    monkeypatch.setattr(bench, "run_step_output", fake_run)
    fastest, rows, reads = bench.read_floor("python", ["raw/*/*/*.csv"], {})
    assert (fastest.name, fastest.seconds, fastest.peak_memory_mb, rows) == (
        "raw_read_floor",
        30.7,
        280,
        100,
    )
    assert reads == [36.8, 30.7, 33.1]


def test_the_bench_times_every_step_in_order(tiny_bench):
    steps = tiny_bench["steps"]
    assert [step["name"] for step in steps] == FULL_STEPS
    for step in steps:
        assert set(step) == {
            "name",
            "seconds",
            "peak_memory_mb",
            "rows",
            "failed_nodes",
            "rows_per_second",
            "ratio_to_floor",
        }
        assert step["failed_nodes"] == [], step
    by_name = {step["name"]: step for step in steps}
    assert by_name["raw_read_floor"]["ratio_to_floor"] == 1.0
    # the floor is the fastest of its three reads, each recorded
    assert len(tiny_bench["floor_reads_seconds"]) == 3
    assert by_name["raw_read_floor"]["seconds"] == min(tiny_bench["floor_reads_seconds"])
    for name in ("generate", "raw_read_floor", "ingest", "full_build", "sla_engine"):
        assert by_name[name]["seconds"] > 0 and by_name[name]["peak_memory_mb"] > 0
    # the combined steps are their parts' sums and highest peaks
    for whole, parts in (
        ("full_rebuild", ("ingest", "full_build")),
        ("incremental_day", ("incremental_ingest", "incremental_build")),
    ):
        assert by_name[whole]["seconds"] == pytest.approx(
            sum(by_name[p]["seconds"] for p in parts), abs=0.011
        )
        assert by_name[whole]["peak_memory_mb"] == max(by_name[p]["peak_memory_mb"] for p in parts)
    # a build's split by node kind adds up to the build
    for build, parts in (
        ("full_build", ("dbt_models", "dbt_tests", "dbt_seeds")),
        ("incremental_build", ("incremental_models", "incremental_tests", "incremental_seeds")),
    ):
        assert sum(by_name[p]["seconds"] for p in parts) == pytest.approx(
            by_name[build]["seconds"], abs=0.03
        )


def test_the_bench_rows_add_up_from_generator_to_warehouse(tiny_bench):
    result = tiny_bench
    by_name = {step["name"]: step for step in result["steps"]}
    # DuckDB reads every generated row; ingest loads all but the rows broken on purpose, which
    # are exactly the rejected ones
    assert by_name["generate"]["rows"] == result["generated_rows"]
    assert by_name["raw_read_floor"]["rows"] == result["generated_rows"]
    assert result["broken_rows"] > 0
    assert result["rejected_rows"] == result["broken_rows"]
    assert result["raw_rows"] == result["generated_rows"] - result["broken_rows"]
    assert by_name["ingest"]["rows"] == result["raw_rows"]
    # the extra day: Thursday 2026-10-01 (the MSP ends in September), none of its rows broken
    assert result["next_day"] == "2026-10-01"
    assert result["as_of"] == "2026-10-02"
    assert result["next_day_files"] >= 4  # tickets, status changes, alerts, invoice lines ...
    assert result["next_day_loaded_rows"] == result["next_day_generated_rows"] > 0
    assert by_name["incremental_day"]["rows"] == result["next_day_loaded_rows"]
    # the day's build: what its files (PSA, CSAT) and the as-of time reach, not CRM or HR
    assert result["next_day_scope"].startswith("new deliveries of psa/")
    assert "psa/tickets" in result["next_day_scope"] and "crm/" not in result["next_day_scope"]
    assert 0 < result["next_day_dbt_nodes"] < result["dbt_nodes"]
    assert result["tickets"] > 0 and result["endpoints"] > 0
    assert set(result["machine"]) >= {"cpus", "memory_gib", "duckdb", "dbt_core"}
    # the commit measured (this checkout's HEAD, with +modified for uncommitted changes)
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
    )
    assert result["code"].split("+")[0] == head.stdout.strip()
    assert result["machine"]["duckdb_memory_limit"]
    assert result["machine"]["duckdb_disabled_compression"] == "fsst,dict_fsst"


def test_the_result_file_is_named_by_date_and_size(tiny_bench, tmp_path):
    path = write_result(tiny_bench, tmp_path)
    assert path.name == f"{tiny_bench['run_at'][:10]}-3c-2m.json"
    assert json.loads(path.read_text()) == json.loads(json.dumps(tiny_bench))
    assert render(tiny_bench).splitlines()[0].startswith("bench: 3 clients x 2 months = ")
    # a later run of the same size and day writes beside it, never over it
    later = write_result({**tiny_bench, "steps": []}, tmp_path)
    assert later.name == f"{tiny_bench['run_at'][:10]}-3c-2m-2.json"
    assert json.loads(path.read_text()) == json.loads(json.dumps(tiny_bench))
    # another ticket scale is another size
    scaled = write_result({**tiny_bench, "ticket_scale": 6.0}, tmp_path)
    assert scaled.name == f"{tiny_bench['run_at'][:10]}-3c-2m-x6.json"


def test_reusing_generated_files_puts_the_extra_day_back_aside(tmp_path):
    """A second bench on the files of a first: the extra day the first moved into the landing
    folder goes back aside, and the generate step is the first run's."""
    parameters = {"clients": 3, "months": 2, "seed": 42, "end_month": "2026-09"}
    step = Step("generate", 12.5, 300.0, 1000)
    (tmp_path / "generate_step.json").write_text(json.dumps({**parameters, "step": step.__dict__}))
    moved = tmp_path / "raw" / "psa" / "tickets" / "2026-10-01.csv"
    moved.parent.mkdir(parents=True)
    moved.write_text("ticket_id\n1\n")
    (tmp_path / "raw" / "psa" / "tickets" / "2026-09-30.csv").write_text("ticket_id\n2\n")
    (tmp_path / "next_day_moved.json").write_text(json.dumps(["psa/tickets/2026-10-01.csv"]))

    assert reused_generation(tmp_path, parameters) == step

    assert not moved.exists()
    assert (tmp_path / "next_day" / "psa" / "tickets" / "2026-10-01.csv").read_text() == (
        "ticket_id\n1\n"
    )
    assert (tmp_path / "raw" / "psa" / "tickets" / "2026-09-30.csv").exists()
    assert not (tmp_path / "next_day_moved.json").exists()


def test_reusing_files_of_another_size_is_refused(tmp_path):
    recorded = {"clients": 3, "months": 2, "seed": 42, "end_month": "2026-09"}
    step = Step("generate", 12.5, 300.0, 1000)
    (tmp_path / "generate_step.json").write_text(json.dumps({**recorded, "step": step.__dict__}))
    with pytest.raises(RuntimeError, match=r"not .*'clients': 30"):
        reused_generation(tmp_path, {**recorded, "clients": 30})
    with pytest.raises(RuntimeError, match="nothing to reuse"):
        reused_generation(tmp_path / "empty", recorded)
    # files recorded before the ticket scale existed were generated at 1
    assert reused_generation(tmp_path, {**recorded, "ticket_scale": 1.0}) == step
    with pytest.raises(RuntimeError, match=r"not .*'ticket_scale': 6\.0"):
        reused_generation(tmp_path, {**recorded, "ticket_scale": 6.0})


def test_the_page_cache_is_warmed_with_every_raw_file(tmp_path: Path) -> None:
    (tmp_path / "psa" / "tickets").mkdir(parents=True)
    (tmp_path / "psa" / "tickets" / "a.csv").write_bytes(b"x" * 100)
    (tmp_path / "psa" / "tickets" / "b.csv.gz").write_bytes(b"y" * 20_000_000)
    assert warm_page_cache(tmp_path) == 20_000_100

"""The bench's measuring tools: a step's own time and peak memory, and the printed table."""

from __future__ import annotations

import os
import sys

import pytest

from orchestration.bench import Step, render, run_step


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

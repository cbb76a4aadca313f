"""The dbt unit tests (the `_*__unit_tests.yml` files beside the models), run once per suite.

`mspkpi run` and the Dagster job leave them out of their builds (orchestration/dbt_project.py:
PRODUCTION_BUILD_EXCLUDES): they check each model's SQL on fixed fixtures, so the data of a night
cannot change their outcome. They run here, against a copy of the sample warehouse, because dbt
reads the column types of a model's parents from the database.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess

from orchestration.dbt_project import PRODUCTION_BUILD_EXCLUDES
from orchestration.pipeline import dbt_command


def test_production_builds_leave_unit_tests_out():
    assert PRODUCTION_BUILD_EXCLUDES == ("--exclude-resource-type", "unit_test")


def test_every_dbt_unit_test_passes(built_sample, dbt_manifest, tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"  # the file name is the catalog name the views use
    shutil.copyfile(built_sample.database, warehouse)
    environment = {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "MSPKPI_DUCKDB_PATH": str(warehouse),
        "MSPKPI_AS_OF": built_sample.as_of,
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path / "logs"),
    }
    completed = subprocess.run(
        dbt_command(["test", "--select", "test_type:unit"]),
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-5000:]
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))
    # (the project's on-run-start / on-run-end hooks are results too: operation.mspkpi...)
    statuses = {
        r["unique_id"]: r["status"]
        for r in results["results"]
        if r["unique_id"].startswith("unit_test.")
    }
    # every unit test of the project ran, none was skipped or left out by the selector
    assert set(statuses) == set(dbt_manifest["unit_tests"])
    assert set(statuses.values()) == {"pass"}

"""Running a suite with Great Expectations and reading its result back as CheckResult rows.

The GE context is ephemeral (built in memory for each run, nothing to migrate or go stale) except
for two stores on disk, under `QualitySettings.gx_dir`: the suites and the latest validation result
of each suite. The data docs are rendered from those, so a Dagster run whose raw and mart checks run
in different steps still gets one site listing every suite; only the latest result of a suite is
kept (the history is in quality.check_results).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.core.expectation_validation_result import (
    ExpectationValidationResult,
)
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.base import DataContextConfig, ProgressBarsConfig

from orchestration.quality.config import QualitySettings
from orchestration.quality.store import CheckResult
from orchestration.quality.suites import Suite

SAMPLE_SIZE = 10  # failing keys kept per check (the docs show the same sample)
SITE_NAME = "mspkpi_quality"

# GE logs a progress bar and info lines per metric; the results are what matters here.
logging.getLogger("great_expectations").setLevel(logging.WARNING)


def _filesystem(path: Path) -> dict[str, str]:
    return {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(path)}


def context_config(settings: QualitySettings) -> DataContextConfig:
    in_memory = {"class_name": "InMemoryStoreBackend"}
    return DataContextConfig(
        stores={
            "expectations_store": {
                "class_name": "ExpectationsStore",
                "store_backend": _filesystem(settings.gx_dir / "expectations"),
            },
            "validation_results_store": {
                "class_name": "ValidationResultsStore",
                "store_backend": _filesystem(settings.gx_dir / "validations"),
            },
            "validation_definition_store": {
                "class_name": "ValidationDefinitionStore",
                "store_backend": in_memory,
            },
            "checkpoint_store": {"class_name": "CheckpointStore", "store_backend": in_memory},
        },
        expectations_store_name="expectations_store",
        validation_results_store_name="validation_results_store",
        checkpoint_store_name="checkpoint_store",
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": _filesystem(settings.docs_dir),
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),  # a bar per suite would flood the logs
    )


class Validator:
    """One GE context for one run: validates suites on pandas frames, then builds the docs."""

    def __init__(self, settings: QualitySettings, run_id: str, checked_at: datetime) -> None:
        self.settings = settings
        self.run_id = run_id
        self.checked_at = checked_at
        settings.gx_dir.mkdir(parents=True, exist_ok=True)
        self.context = gx.get_context(mode="ephemeral", project_config=context_config(settings))
        # one asset for every frame: each asset added rewrites the context's whole config
        self.batch = (
            self.context.data_sources.add_pandas("warehouse")
            .add_dataframe_asset(name="duckdb_query")
            .add_batch_definition_whole_dataframe("checked rows")
        )

    def validate(self, suite: Suite, frame: pd.DataFrame) -> list[CheckResult]:
        if frame.empty:
            # nothing new to check (a daily run, for most entities): every expectation holds, and
            # GE would spend ~30 ms per expectation saying so; the docs keep the last real result
            return [self._nothing_to_check(suite, e) for e in suite.expectations]
        gx_suite = self.context.suites.add_or_update(
            gx.ExpectationSuite(
                name=suite.name,
                expectations=[e.copy(deep=True) for e in suite.expectations],
                meta={"asset_key": suite.asset},
            )
        )
        definition = self.context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=self.batch, suite=gx_suite)
        )
        result = definition.run(
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "SUMMARY",
                "unexpected_index_column_names": [
                    c for c in suite.key_columns if c in frame.columns
                ],
                "partial_unexpected_count": SAMPLE_SIZE,
            },
            run_id=RunIdentifier(run_name=self.run_id, run_time=self.checked_at),
        )
        return [
            check_result(suite, r, self.run_id, self.checked_at, len(frame)) for r in result.results
        ]

    def _nothing_to_check(self, suite: Suite, expectation: Any) -> CheckResult:
        return CheckResult(
            run_id=self.run_id,
            checked_at=self.checked_at,
            asset_key=suite.asset,
            check_name=expectation.meta["check_name"],
            suite_name=suite.name,
            expectation_type=expectation.expectation_type,
            severity=expectation.meta["severity"],
            passed=True,
            rows_checked=0,
            failing_rows_count=0,
            failing_keys_sample=(),
            observed={"note": "no row to check"},
        )

    def build_docs(self) -> Path:
        """Keep the latest result of each suite, then render the site from scratch (pages of
        results no longer kept would otherwise stay on disk); returns index.html."""
        store = self.context.validation_results_store
        keys = list(store.list_keys())
        latest: dict[str, Any] = {}
        for key in keys:
            suite = key.expectation_suite_identifier.name
            if suite not in latest or _run_time(key) > _run_time(latest[suite]):
                latest[suite] = key
        for key in keys:
            if latest[key.expectation_suite_identifier.name] is not key:
                store.remove_key(key)
        shutil.rmtree(self.settings.docs_dir / "validations", ignore_errors=True)
        self.context.build_data_docs(site_names=[SITE_NAME])
        return self.settings.docs_dir / "index.html"


def _run_time(key: Any) -> str:
    return key.run_id.run_time.isoformat() if key.run_id.run_time else ""


def _keys(sample: Any, key_columns: tuple[str, ...]) -> tuple[dict[str, Any], ...]:
    """The key columns of each failing row GE sampled (GE adds the checked column to each)."""
    if not isinstance(sample, list):
        return ()
    keys = []
    for row in sample:
        if isinstance(row, Mapping):
            keys.append({c: row[c] for c in key_columns if c in row})
    return tuple(keys)


def check_result(
    suite: Suite,
    result: ExpectationValidationResult,
    run_id: str,
    checked_at: datetime,
    frame_rows: int,
) -> CheckResult:
    config = result.expectation_config
    details = dict(result.result or {})
    exception = (result.exception_info or {}).get("exception_message")
    raised = (result.exception_info or {}).get("raised_exception")
    observed: dict[str, Any] = {}
    for name in ("observed_value", "unexpected_percent", "partial_unexpected_list"):
        if details.get(name) not in (None, []):
            observed[name] = details[name]
    if raised:
        observed["exception"] = exception
    unexpected = details.get("unexpected_count")
    return CheckResult(
        run_id=run_id,
        checked_at=checked_at,
        asset_key=suite.asset,
        check_name=config.meta["check_name"],
        suite_name=suite.name,
        expectation_type=config.type,
        severity=config.meta["severity"],
        passed=bool(result.success),
        rows_checked=details.get("element_count", frame_rows),
        failing_rows_count=None if raised else int(unexpected or 0),
        failing_keys_sample=_keys(details.get("partial_unexpected_index_list"), suite.key_columns),
        observed=observed,
    )

"""The quality steps of `mspkpi run` and the `mspkpi quality` command (orchestration/cli.py calls
these, so that the CLI file only wires them in)."""

from __future__ import annotations

import argparse
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from orchestration.quality.config import QualitySettings
from orchestration.quality.runner import (
    QualityReport,
    check_marts,
    check_raw,
    check_sources_freshness,
    describe,
    now_utc,
    summary_line,
)

Print = Callable[[str], None]


def _print(line: str) -> None:
    print(line, flush=True)


def new_run_id(prefix: str = "mspkpi") -> str:
    """`mspkpi-20261122T220501-3f9c1a`: sortable by time, unique across concurrent runs."""
    return f"{prefix}-{now_utc():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}"


def load_manifest() -> dict[str, Any]:
    """The dbt manifest (parsed first when missing or older than the project's files)."""
    from orchestration.dbt_project import dbt_project, ensure_manifest

    ensure_manifest()
    return json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))


def print_report(report: QualityReport, what: str, out: Print = _print) -> None:
    out(f"      quality: {summary_line(report, what)}")
    for result in report.failures:
        out(f"        {describe(result)}")


def blocking_message(report: QualityReport, stage: str, docs: Path | None) -> str:
    lines = [f"{len(report.blocking)} blocking quality checks failed {stage}:"]
    lines += [f"  {describe(result)}" for result in report.blocking]
    run_id = report.blocking[0].run_id
    lines.append(
        f"Every failing row is in quality.check_results (run_id = '{run_id}')"
        + (f" and the data docs {docs}." if docs else ".")
    )
    return "\n".join(lines)


RAW_ADVICE = (
    "What to do: each key above names the raw row (_delivery_id and _source_line; none = a row "
    "inserted by hand, not by the loader). Correct or delete those rows in the raw table (or "
    "delete the delivery's rows and its raw._load_audit line, fix the file and drop it again), "
    "then `mspkpi quality` re-checks them and `mspkpi run` builds. The deliveries stay pending, "
    "and keep blocking, until their checks pass."
)

MART_ADVICE = (
    "What to do: a grain or rate failure is a model bug (the failing keys name the rows): fix the "
    "model and `mspkpi run` again. A reconciliation names the month whose totals disagree between "
    "the two marts of its name. `table_built` means dbt has not built that mart: `mspkpi run`."
)


def check_new_raw_rows(duckdb_path: Path, run_id: str, out: Print = _print) -> QualityReport:
    """`mspkpi run` after the ingest: the raw suites on the new deliveries; a blocking failure
    raises RunFailed before dbt runs."""
    from orchestration.pipeline import RunFailed, connect

    settings = QualitySettings.for_warehouse(duckdb_path)
    con = connect(duckdb_path)
    try:
        report = check_raw(con, settings, run_id, build_docs=False)
    finally:
        con.close()
    print_report(report, "raw tables (new deliveries)", out)
    if report.blocking:
        docs = _build_docs(settings, run_id)
        raise RunFailed(
            blocking_message(report, "on the new raw rows, so dbt was not run", docs)
            + "\n"
            + RAW_ADVICE
        )
    return report


def _build_docs(settings: QualitySettings, run_id: str) -> Path:
    from orchestration.quality.validation import Validator

    return Validator(settings, run_id, now_utc()).build_docs()


def check_built_marts(duckdb_path: Path, run_id: str, out: Print = _print) -> QualityReport:
    """`mspkpi run` after dbt build: the mart suites and the sources' freshness; the docs are
    built once, here, for the raw and mart results of the run."""
    from orchestration.pipeline import RunFailed, connect

    settings = QualitySettings.for_warehouse(duckdb_path)
    manifest = load_manifest()
    con = connect(duckdb_path)
    try:
        freshness = check_sources_freshness(con, run_id, manifest)
        report = check_marts(con, settings, run_id, manifest)
    finally:
        con.close()
    print_report(freshness, "sources (freshness)", out)
    print_report(report, "marts", out)
    out(f"      quality data docs: {report.docs_index}")
    if report.blocking:
        raise RunFailed(
            blocking_message(report, "on the built marts", report.docs_index)
            + "\nThe marts are built but were not published. "
            + MART_ADVICE
        )
    return report


def cmd_quality(args: argparse.Namespace, duckdb_path: Path) -> int:
    """`mspkpi quality`: every suite against the warehouse as it is; 1 on a blocking failure."""
    from orchestration.pipeline import connect

    settings = QualitySettings.for_warehouse(duckdb_path)
    if not duckdb_path.exists():
        _print(f"mspkpi quality: no warehouse at {duckdb_path}; run `mspkpi run` first.")
        return 1
    run_id = new_run_id("mspkpi-quality")
    manifest = load_manifest()
    _print(f"quality checks of {duckdb_path} (run_id {run_id})")
    con = connect(duckdb_path)
    try:
        raw = check_raw(con, settings, run_id, full=args.full, build_docs=False)
        freshness = check_sources_freshness(con, run_id, manifest)
        marts = check_marts(con, settings, run_id, manifest)
    finally:
        con.close()
    scope = "raw tables (every row)" if args.full else "raw tables (deliveries not yet checked)"
    print_report(raw, scope)
    print_report(freshness, "sources (freshness)")
    print_report(marts, "marts")
    _print(f"      results: quality.check_results where run_id = '{run_id}'")
    _print(f"      data docs: {marts.docs_index}")
    blocking = [*raw.blocking, *marts.blocking]
    if blocking:
        _print(RAW_ADVICE if raw.blocking else MART_ADVICE)
    return 1 if blocking else 0

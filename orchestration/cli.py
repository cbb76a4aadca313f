"""`mspkpi`: the command line behind `make run` and `make test`.

mspkpi run [--raw-dir DIR] [--database FILE] [--full-refresh] [--target duckdb|postgres]
mspkpi generate-sample --out DIR [--clients N --months M --seed S --ticket-scale X]
mspkpi validate --raw-dir DIR
mspkpi contract [--write | --check]
mspkpi quality [--database FILE] [--full]
mspkpi publish [--database FILE] [--serving FILE]
mspkpi sql [--serving FILE] [-c SQL [--csv]]
mspkpi report (--client ID | --all-clients) (--period YYYY-Qn | --month YYYY-MM) [--out DIR]
mspkpi scorecard [--month YYYY-MM] [--client ID] [--lang en|fr] [--database FILE]
mspkpi alerts [--month YYYY-MM] [--write] [--database FILE]
mspkpi portability [--engines duckdb,postgres,spark] [--clients N --months M]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from orchestration.settings import PROJECT_DIR, Settings, env, resolve

if TYPE_CHECKING:
    from orchestration.reports.periods import Period


def _settings(args: argparse.Namespace) -> Settings:
    base = Settings.from_env()
    return Settings(
        raw_dir=resolve(args.raw_dir) if getattr(args, "raw_dir", None) else base.raw_dir,
        duckdb_path=resolve(args.database) if getattr(args, "database", None) else base.duckdb_path,
        source_timezone=base.source_timezone,
    )


def _print_delivery(result) -> None:
    mark = {"loaded": "+", "skipped": "=", "refused": "!"}.get(result.status, "?")
    line = (
        f"  {mark} {result.file:<48} {result.status:<8} received {result.received:>8,}  "
        f"loaded {result.loaded:>8,}  rejected {result.rejected:>6,}"
    )
    print(line, flush=True)
    if result.message:
        print(f"      {result.message}", flush=True)


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration.pipeline import build_models, ingest, summarize
    from orchestration.quality.commands import check_built_marts, check_new_raw_rows, new_run_id

    settings = _settings(args)
    started = time.monotonic()
    print(f"[1/3] ingesting {settings.raw_dir} into {settings.duckdb_path}", flush=True)
    results = ingest(settings, progress=_print_delivery)
    new = [r for r in results if r.status != "skipped"]
    print(
        f"      {len(new)} new deliveries, {len(results) - len(new)} already loaded; "
        f"{sum(r.loaded for r in new):,} rows loaded, {sum(r.rejected for r in new):,} rejected",
        flush=True,
    )
    # quality checks of the new raw rows: a blocking failure raises before dbt runs
    quality_run_id = new_run_id()
    check_new_raw_rows(settings.duckdb_path, quality_run_id)
    if getattr(args, "target", "duckdb") == "postgres":
        return _build_on_postgres(settings, args, started)
    print("[2/3] building the dbt models (dbt build: seeds, models, tests)", flush=True)
    build_models(settings, full_refresh=args.full_refresh)
    check_built_marts(settings.duckdb_path, quality_run_id)
    print("[3/3] summary", flush=True)
    summary = summarize(settings.duckdb_path)
    width = max((len(name) for name in summary.mart_rows), default=10)
    for name, rows in summary.mart_rows.items():
        print(f"      marts.{name:<{width}} {rows:>10,} rows")
    print(
        f"      rejected rows kept in raw._rejects: {summary.rejected_rows:,} "
        f"in {len(summary.rejects_by_file)} files"
    )
    for file, count in summary.rejects_by_file.items():
        print(f"        {file}: {count}")
    print(f"      warehouse: {settings.duckdb_path}")
    _print_alert_summary(settings.duckdb_path)
    _publish(settings.duckdb_path, _serving_path(args, settings.duckdb_path))
    print(f"      done in {time.monotonic() - started:.1f} s")
    return 0


def _serving_path(args: argparse.Namespace, database: Path) -> Path:
    from orchestration.serving import serving_path

    serving = getattr(args, "serving", None)
    return resolve(serving) if serving else serving_path(database)


def _publish(database: Path, serving: Path) -> None:
    from orchestration.serving import publish

    result = publish(database, serving)
    print(
        f"      serving file: {result.path} ({len(result.rows)} marts, read-only copy for BI "
        f"tools and `mspkpi sql`, published in {result.seconds:.1f} s)",
        flush=True,
    )
    for table, reason in result.skipped.items():
        print(f"      not served: marts.{table}: {reason}", flush=True)


def cmd_publish(args: argparse.Namespace) -> int:
    settings = _settings(args)
    _publish(settings.duckdb_path, _serving_path(args, settings.duckdb_path))
    return 0


def cmd_sql(args: argparse.Namespace) -> int:
    from orchestration.serving import harlequin_command, query_text

    serving = _serving_path(args, _settings(args).duckdb_path)
    if not serving.is_file():
        print(
            f"mspkpi sql: no serving file at {serving}. Build and publish the marts first "
            "(`mspkpi run`, or `mspkpi publish` after a build), or point --serving "
            "(MSPKPI_SERVING_PATH) at one.",
            file=sys.stderr,
        )
        return 1
    if args.sql is not None:
        print(query_text(serving, args.sql, csv=args.csv), end="" if args.csv else "\n")
        return 0
    command = harlequin_command(serving)
    if not Path(command[0]).is_file():
        print(f"mspkpi sql: harlequin is not installed at {command[0]} (`make install`).")
        return 1
    os.execv(command[0], command)  # the terminal is harlequin's from here on
    return 0  # pragma: no cover - execv does not return


def _build_on_postgres(settings: Settings, args: argparse.Namespace, started: float) -> int:
    """The rest of `mspkpi run --target postgres`: raw copied from DuckDB, dbt build, reporting."""
    from orchestration.pipeline import build_models, summarize
    from orchestration.postgres import (
        PostgresSettings,
        grant_reporting,
        mart_row_counts,
        replicate_raw,
    )

    postgres = PostgresSettings.from_env()
    print(f"[2/4] copying the raw schema into {postgres.describe()}", flush=True)
    copied = replicate_raw(settings.duckdb_path, postgres)
    print(
        f"      {len(copied.rows)} tables, {sum(copied.rows.values()):,} rows "
        f"in {copied.seconds:.1f} s",
        flush=True,
    )
    print("[3/4] building the dbt models on PostgreSQL (dbt build --target postgres)", flush=True)
    grant_reporting(postgres)  # before: default privileges cover the marts the build creates
    build_models(settings, full_refresh=args.full_refresh, target="postgres")
    grant_reporting(postgres)  # after: marts created by another user than this one
    print("[4/4] summary", flush=True)
    mart_rows = mart_row_counts(postgres)
    width = max((len(name) for name in mart_rows), default=10)
    for name, rows in mart_rows.items():
        print(f"      marts.{name:<{width}} {rows:>10,} rows")
    summary = summarize(settings.duckdb_path)
    print(
        f"      rejected rows kept in raw._rejects: {summary.rejected_rows:,} "
        f"in {len(summary.rejects_by_file)} files"
    )
    print(f"      raw loaded by DuckDB in {settings.duckdb_path}")
    print(f"      marts in {postgres.describe()} (role reporting reads schema marts)")
    print(f"      done in {time.monotonic() - started:.1f} s")
    return 0


def cmd_portability(args: argparse.Namespace) -> int:
    from orchestration.portability import run_from_args

    return run_from_args(args)


def cmd_ingest(args: argparse.Namespace) -> int:
    from orchestration.pipeline import ingest

    settings = _settings(args)
    print(f"ingesting {settings.raw_dir} into {settings.duckdb_path}", flush=True)
    results = ingest(settings, progress=_print_delivery)
    refused = [r for r in results if r.status == "refused"]
    return 1 if refused else 0


def cmd_bench(args: argparse.Namespace) -> int:
    from orchestration.bench import render, run_bench, write_result

    workdir = resolve(args.workdir)
    print(f"bench in {workdir} (each step in its own process) ...", flush=True)
    result = run_bench(
        args.clients,
        args.months,
        workdir,
        seed=args.seed,
        ticket_scale=args.ticket_scale,
        sla_only=args.sla_only,
        end_month=args.end_month,
        select=args.select,
        reuse_generated=args.reuse_generated,
        progress=lambda step: print(
            f"  {step.name:<20} {step.seconds:>9} s {step.peak_memory_mb:>9} MB", flush=True
        ),
    )
    print(render(result))
    print(f"written to {write_result(result, resolve('bench/results'))}")
    return 0


def cmd_generate_sample(args: argparse.Namespace) -> int:
    from orchestration.sample import generate_sample

    started = time.monotonic()
    out = resolve(args.out)
    summary = generate_sample(
        out,
        clients=args.clients,
        months=args.months,
        seed=args.seed,
        end_month=args.end_month,
        next_day_out=resolve(args.next_day_out) if args.next_day_out else None,
        ticket_scale=args.ticket_scale,
    )
    elapsed = time.monotonic() - started
    print(f"sample MSP written to {out}: {summary.files} files in {elapsed:.1f} s")
    for key, rows in sorted(summary.rows.items()):
        print(f"  {key:<36} {rows:>9,} rows")
    print(f"  {len(summary.broken_rows)} rows are broken on purpose (they end in raw._rejects)")
    if summary.next_day is not None:
        day_rows = sum(summary.next_day.rows.values())
        print(
            f"  the next day's delivery: {summary.next_day.files} files, {day_rows:,} rows, "
            f"in {resolve(args.next_day_out)}"
        )
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from orchestration.ingest import validate_raw_dir

    settings = _settings(args)
    report = validate_raw_dir(settings.raw_dir, source_timezone=settings.source_timezone)
    print(report.render())
    return 0 if report.ok else 1


def cmd_quality(args: argparse.Namespace) -> int:
    from orchestration.quality.commands import cmd_quality as run_quality

    return run_quality(args, _settings(args).duckdb_path)


def cmd_contract(args: argparse.Namespace) -> int:
    from orchestration.contract.render import check_derived_files, write_derived_files

    if args.write:
        for path in write_derived_files(PROJECT_DIR):
            print(f"wrote {path.relative_to(PROJECT_DIR)}")
        return 0
    stale = check_derived_files(PROJECT_DIR)
    for name in stale:
        print(f"stale: {name} (run `mspkpi contract --write`)")
    if not stale:
        print("derived files match orchestration/contract/extracts.yml")
    return 1 if stale else 0


def _report_period(args: argparse.Namespace) -> Period:
    from orchestration.reports.periods import Period

    period = Period.parse(args.month or args.period)
    if args.month and period.period_type != "month":
        raise ValueError(f"--month {args.month!r} is not a month (YYYY-MM, e.g. 2026-09)")
    return period


def _print_report(written) -> None:
    files = written.files
    pdf = f" + {files.pdf.name}" if files.pdf else ""
    print(
        f"  {written.report.client.client_id}  {written.report.client.language_code}  "
        f"{files.html}{pdf}  ({written.seconds:.1f} s)",
        flush=True,
    )


def cmd_report(args: argparse.Namespace) -> int:
    from orchestration.reports.batch import write_period_reports
    from orchestration.reports.data import ReportDataError

    database = resolve(args.database) if args.database else Settings.from_env().duckdb_path
    out_dir = resolve(args.out or env("MSPKPI_REPORTS_DIR"))
    started = time.monotonic()
    try:
        period = _report_period(args)
        written = write_period_reports(
            database,
            period,
            out_dir,
            client_ids=None if args.all_clients else [args.client],
            pdf=not args.no_pdf,
            progress=_print_report,
        )
    except (ReportDataError, ValueError) as error:
        print(f"mspkpi report failed: {error}", file=sys.stderr)
        return 1
    print(
        f"{len(written)} report(s) of {period.label} written under {out_dir / period.label} "
        f"in {time.monotonic() - started:.1f} s"
    )
    return 0


def _print_alert_summary(database: Path) -> None:
    """The reporting month's alerts at the end of a run: counts by type and the critical ones."""
    from orchestration.alerts import AlertsError, read_alerts, summary_lines

    try:
        lines = summary_lines(read_alerts(database))
    except AlertsError as error:
        lines = [f"alerts: not read ({error})"]
    for line in lines:
        print(f"      {line}", flush=True)


def cmd_scorecard(args: argparse.Namespace) -> int:
    from orchestration.scorecard import ScorecardError, load_scorecard, parse_month, render

    database = resolve(args.database) if args.database else Settings.from_env().duckdb_path
    try:
        month = parse_month(args.month) if args.month else None
        scorecard = load_scorecard(database, month=month, client_id=args.client, language=args.lang)
    except ScorecardError as error:
        print(f"mspkpi scorecard: {error}", file=sys.stderr)
        return 1
    print(render(scorecard))
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from orchestration.alerts import AlertsError, read_alerts, render, report_alerts
    from orchestration.scorecard import ScorecardError, parse_month

    database = resolve(args.database) if args.database else Settings.from_env().duckdb_path
    try:
        month = parse_month(args.month) if args.month else None
        if not args.write:
            print(render(read_alerts(database, month)))
            return 0
        now = datetime.now(UTC)
        result = report_alerts(
            database,
            alerts_dir=resolve(env("MSPKPI_ALERTS_DIR")),
            run_id=f"cli-{now:%H%M%S}",
            run_date=now.date(),
            webhook_url=env("MSPKPI_ALERT_WEBHOOK"),
            month=month,
            warn=lambda line: print(line, file=sys.stderr),
        )
    except (AlertsError, ScorecardError) as error:
        print(f"mspkpi alerts: {error}", file=sys.stderr)
        return 1
    return 1 if result.webhook_error else 0


SERVING_HELP = (
    "read-only copy of the marts for BI tools (MSPKPI_SERVING_PATH, default serving.duckdb "
    "beside the warehouse)"
)


TICKET_SCALE_HELP = (
    "multiply every client's ticket rate (1: about 0.8 tickets per managed endpoint and month; "
    "2,000 clients x 60 months at 5.3 make the issue's 10 M tickets)"
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mspkpi", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="ingest new extracts, build every model, print a summary")
    run.add_argument(
        "--raw-dir", help=f"landing folder (MSPKPI_RAW_DIR, default {env('MSPKPI_RAW_DIR')})"
    )
    run.add_argument(
        "--database", help=f"DuckDB file (MSPKPI_DUCKDB_PATH, default {env('MSPKPI_DUCKDB_PATH')})"
    )
    run.add_argument("--full-refresh", action="store_true", help="rebuild incremental models")
    run.add_argument("--serving", help=SERVING_HELP)
    run.add_argument(
        "--target",
        choices=["duckdb", "postgres"],
        default=env("MSPKPI_TARGET"),
        help="where dbt builds (MSPKPI_TARGET); postgres copies the raw schema there first "
        "(MSPKPI_PG_HOST, MSPKPI_PG_PORT, MSPKPI_PG_USER, MSPKPI_PG_PASSWORD, MSPKPI_PG_DATABASE)",
    )
    run.set_defaults(handler=cmd_run)

    ingest = commands.add_parser("ingest", help="load new extract files into raw, nothing else")
    ingest.add_argument("--raw-dir", help="landing folder (MSPKPI_RAW_DIR)")
    ingest.add_argument("--database", help="DuckDB file (MSPKPI_DUCKDB_PATH)")
    ingest.set_defaults(handler=cmd_ingest)

    bench = commands.add_parser("bench", help="time generate, ingest and build on a generated MSP")
    bench.add_argument("--clients", type=int, default=120)
    bench.add_argument("--months", type=int, default=24)
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--ticket-scale", type=float, default=1.0, help=TICKET_SCALE_HELP)
    bench.add_argument("--workdir", default="data/bench", help="scratch folder (raw + warehouse)")
    bench.add_argument(
        "--sla-only", action="store_true", help="build only the models the SLA engine needs"
    )
    bench.add_argument(
        "--end-month",
        default="2026-09",
        help="last month of the MSP, YYYY-MM (the extra day is the 1st of the next month)",
    )
    bench.add_argument(
        "--select", help="dbt selector for the full and incremental builds (default: everything)"
    )
    bench.add_argument(
        "--reuse-generated",
        action="store_true",
        help="keep the files an earlier bench of the same size generated in --workdir",
    )
    bench.set_defaults(handler=cmd_bench)

    sample = commands.add_parser("generate-sample", help="write the sample MSP's extract files")
    sample.add_argument("--out", default=env("MSPKPI_RAW_DIR"), help="folder to write")
    sample.add_argument("--clients", type=int, default=120)
    sample.add_argument("--months", type=int, default=24)
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--end-month", default="2026-10", help="last month of the sample, YYYY-MM")
    sample.add_argument("--ticket-scale", type=float, default=1.0, help=TICKET_SCALE_HELP)
    sample.add_argument(
        "--next-day-out",
        help="also write the PSA's delivery of the day after the sample here (move its files "
        "into the raw folder to simulate one more day)",
    )
    sample.set_defaults(handler=cmd_generate_sample)

    validate = commands.add_parser("validate", help="check a raw folder against the contract")
    validate.add_argument("--raw-dir", help="landing folder to check (nothing is loaded)")
    validate.set_defaults(handler=cmd_validate)

    contract = commands.add_parser("contract", help="derived files of the extract contract")
    group = contract.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="regenerate sources yml and docs")
    group.add_argument("--check", action="store_true", help="fail when they are stale (default)")
    contract.set_defaults(handler=cmd_contract)

    quality = commands.add_parser(
        "quality", help="run the data quality checks on the warehouse, store and print the results"
    )
    quality.add_argument("--database", help="DuckDB file (MSPKPI_DUCKDB_PATH)")
    quality.add_argument(
        "--full", action="store_true", help="re-check every raw row, not only unchecked deliveries"
    )
    quality.set_defaults(handler=cmd_quality)

    publish = commands.add_parser(
        "publish", help="copy the documented marts to the read-only serving file (atomic swap)"
    )
    publish.add_argument("--database", help="warehouse to publish (MSPKPI_DUCKDB_PATH)")
    publish.add_argument("--serving", help=SERVING_HELP)
    publish.set_defaults(handler=cmd_publish)

    sql = commands.add_parser(
        "sql", help="open the serving file read-only in harlequin (a terminal SQL client)"
    )
    sql.add_argument("--database", help="its warehouse (MSPKPI_DUCKDB_PATH), to find the file")
    sql.add_argument("--serving", help=SERVING_HELP)
    sql.add_argument("-c", dest="sql", metavar="SQL", help="run SQL, print the result, exit")
    sql.add_argument("--csv", action="store_true", help="with -c: every row, as CSV")
    sql.set_defaults(handler=cmd_sql)

    report = commands.add_parser(
        "report", help="a client's QBR or monthly service review, as HTML and PDF"
    )
    who = report.add_mutually_exclusive_group(required=True)
    who.add_argument("--client", help="the client's client_id (dim_clients)")
    who.add_argument("--all-clients", action="store_true", help="every client served in the period")
    when = report.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help="a quarter, YYYY-Qn (the QBR), or a month, YYYY-MM")
    when.add_argument("--month", help="a month, YYYY-MM (the monthly service review)")
    report.add_argument(
        "--out",
        help=f"folder (MSPKPI_REPORTS_DIR, default {env('MSPKPI_REPORTS_DIR')}); files are "
        "written to <out>/<period>/<client_id>.html and .pdf",
    )
    report.add_argument("--database", help="warehouse to read, read-only (MSPKPI_DUCKDB_PATH)")
    report.add_argument("--no-pdf", action="store_true", help="HTML only (faster)")
    report.set_defaults(handler=cmd_report)

    scorecard = commands.add_parser(
        "scorecard", help="every KPI of a month with its benchmark, status and last month's change"
    )
    scorecard.add_argument(
        "--month", help="YYYY-MM (default: the latest complete month with data at MSPKPI_AS_OF)"
    )
    scorecard.add_argument("--client", help="one client's scorecard (its client_id)")
    scorecard.add_argument("--lang", choices=["en", "fr"], default="en", help="KPI labels")
    scorecard.add_argument("--database", help="warehouse to read, read-only (MSPKPI_DUCKDB_PATH)")
    scorecard.set_defaults(handler=cmd_scorecard)

    alerts = commands.add_parser("alerts", help="what needs a human this month (marts.kpi_alerts)")
    alerts.add_argument("--month", help="YYYY-MM (default: the reporting month, as the scorecard)")
    alerts.add_argument(
        "--write",
        action="store_true",
        help="also write the JSON file (MSPKPI_ALERTS_DIR) and POST it to MSPKPI_ALERT_WEBHOOK "
        "when set, as the Dagster sensor does after the nightly run",
    )
    alerts.add_argument("--database", help="warehouse to read, read-only (MSPKPI_DUCKDB_PATH)")
    alerts.set_defaults(handler=cmd_alerts)

    portability = commands.add_parser(
        "portability",
        help="build the sample on every engine available (DuckDB, PostgreSQL, Spark), one report",
    )
    portability.add_argument(
        "--engines", default="duckdb,postgres,spark", help="comma-separated subset, in build order"
    )
    portability.add_argument("--clients", type=int, default=120, help="sample size")
    portability.add_argument("--months", type=int, default=24)
    portability.add_argument(
        "--workdir",
        default="data/portability",
        help="scratch folder: its own raw files, DuckDB warehouse, Spark home, dbt targets",
    )
    portability.add_argument(
        "--report", default="docs/portability-report", help="report path, written as .json + .md"
    )
    portability.set_defaults(handler=cmd_portability)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from orchestration.pipeline import RunFailed

    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except RunFailed as error:
        print(f"mspkpi {args.command} failed: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

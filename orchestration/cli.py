"""`mspkpi`: the command line behind `make run` and `make test`.

mspkpi run [--raw-dir DIR] [--database FILE] [--full-refresh]
mspkpi generate-sample --out DIR [--clients N --months M --seed S]
mspkpi validate --raw-dir DIR
mspkpi contract [--write | --check]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence

from orchestration.settings import PROJECT_DIR, Settings, env, resolve


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
    print("[2/3] building the dbt models (dbt build: seeds, models, tests)", flush=True)
    build_models(settings, full_refresh=args.full_refresh)
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
    print(f"      done in {time.monotonic() - started:.1f} s")
    return 0


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
    result = run_bench(args.clients, args.months, workdir, seed=args.seed, sla_only=args.sla_only)
    print(render(result))
    print(f"written to {write_result(result, resolve('bench/results'))}")
    return 0


def cmd_generate_sample(args: argparse.Namespace) -> int:
    from orchestration.sample import generate_sample

    started = time.monotonic()
    out = resolve(args.out)
    summary = generate_sample(
        out, clients=args.clients, months=args.months, seed=args.seed, end_month=args.end_month
    )
    elapsed = time.monotonic() - started
    print(f"sample MSP written to {out}: {summary.files} files in {elapsed:.1f} s")
    for key, rows in sorted(summary.rows.items()):
        print(f"  {key:<36} {rows:>9,} rows")
    print(f"  {len(summary.broken_rows)} rows are broken on purpose (they end in raw._rejects)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from orchestration.ingest import validate_raw_dir

    settings = _settings(args)
    report = validate_raw_dir(settings.raw_dir, source_timezone=settings.source_timezone)
    print(report.render())
    return 0 if report.ok else 1


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
    run.set_defaults(handler=cmd_run)

    ingest = commands.add_parser("ingest", help="load new extract files into raw, nothing else")
    ingest.add_argument("--raw-dir", help="landing folder (MSPKPI_RAW_DIR)")
    ingest.add_argument("--database", help="DuckDB file (MSPKPI_DUCKDB_PATH)")
    ingest.set_defaults(handler=cmd_ingest)

    bench = commands.add_parser("bench", help="time generate, ingest and build on a generated MSP")
    bench.add_argument("--clients", type=int, default=120)
    bench.add_argument("--months", type=int, default=24)
    bench.add_argument("--seed", type=int, default=42)
    bench.add_argument("--workdir", default="data/bench", help="scratch folder (raw + warehouse)")
    bench.add_argument(
        "--sla-only", action="store_true", help="build only the models the SLA engine needs"
    )
    bench.set_defaults(handler=cmd_bench)

    sample = commands.add_parser("generate-sample", help="write the sample MSP's extract files")
    sample.add_argument("--out", default=env("MSPKPI_RAW_DIR"), help="folder to write")
    sample.add_argument("--clients", type=int, default=120)
    sample.add_argument("--months", type=int, default=24)
    sample.add_argument("--seed", type=int, default=42)
    sample.add_argument("--end-month", default="2026-10", help="last month of the sample, YYYY-MM")
    sample.set_defaults(handler=cmd_generate_sample)

    validate = commands.add_parser("validate", help="check a raw folder against the contract")
    validate.add_argument("--raw-dir", help="landing folder to check (nothing is loaded)")
    validate.set_defaults(handler=cmd_validate)

    contract = commands.add_parser("contract", help="derived files of the extract contract")
    group = contract.add_mutually_exclusive_group()
    group.add_argument("--write", action="store_true", help="regenerate sources yml and docs")
    group.add_argument("--check", action="store_true", help="fail when they are stale (default)")
    contract.set_defaults(handler=cmd_contract)
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

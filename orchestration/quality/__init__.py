"""Data quality: Great Expectations suites on the raw tables (from the extract contract) and on the
marts (from the dbt manifest's tests, plus reconciliations), source freshness from the load audit,
results kept in the warehouse's `quality` schema and rendered as GE data docs.

- `suites`: what is expected (pure: contract / manifest -> suites with severities)
- `validation`: running a suite with GE, reading results back, building the data docs
- `store`: the `quality` schema (check_results, validated_deliveries, latest_check_results)
- `freshness`: dbt's freshness thresholds against raw._load_audit
- `runner`: check_raw / check_marts / check_sources_freshness, used by the CLI and Dagster
- `commands`: the quality steps of `mspkpi run` and the `mspkpi quality` command
"""

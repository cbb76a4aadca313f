# The two commands of the README: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
MSPKPI    := $(BIN)/mspkpi
STAMP     := $(VENV)/.installed
TEST_DIR  := data/test
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export UV_LINK_MODE := copy
# Write every package's bytecode at install (26 s once): where PYTHONDONTWRITEBYTECODE is set, as
# on the project's machines, Python otherwise compiles dbt, Dagster and GE again in every process,
# and importing dbt takes 6.7 s instead of 3.9 s in each dbt command, test worker and run.
export UV_COMPILE_BYTECODE := 1

.PHONY: help install run test lint pytest dbt-parse dagster clean bench bench-10m bench-sla
.PHONY: postgres-up postgres-down run-postgres
.PHONY: docs metabase-sync
.PHONY: chromium reports report-screenshots
.PHONY: portability

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m pip install --quiet uv
	uv sync --frozen
	@touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned stack (uv.lock)

run: $(STAMP)  ## generate the sample MSP, ingest it, build every model, print a summary
	$(MSPKPI) generate-sample --out $${MSPKPI_RAW_DIR:-data/raw}
	$(MSPKPI) run

test: lint pytest  ## ruff, sqlfluff, dbt-bouncer, then pytest (which builds the sample end to end)

lint: $(STAMP) dbt-parse  ## ruff, sqlfluff (dbt templater), dbt-bouncer, contract files up to date
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MSPKPI) contract --check
	@mkdir -p $(TEST_DIR)
	MSPKPI_DUCKDB_PATH=$(TEST_DIR)/parse.duckdb $(BIN)/sqlfluff lint models tests/dbt --processes 2
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml

dbt-parse: $(STAMP)
	@mkdir -p $(TEST_DIR)
	MSPKPI_DUCKDB_PATH=$(TEST_DIR)/parse.duckdb $(BIN)/dbt parse --quiet --project-dir . --profiles-dir .

pytest: $(STAMP) chromium  ## the Python and end-to-end tests
	$(BIN)/pytest

dagster: $(STAMP)  ## the Dagster UI on http://localhost:3000 (lineage raw -> staging -> marts)
	$(BIN)/dagster dev -m orchestration.definitions

DOCS_DIR := docs/site
docs: $(STAMP)  ## dbt docs site (every mart, column and KPI definition): docs/site/static_index.html
	@# column types and row counts come from the warehouse when it exists (make run), else none
	catalog=$$([ -f "$${MSPKPI_DUCKDB_PATH:-data/warehouse.duckdb}" ] || echo --empty-catalog); \
	$(BIN)/dbt docs generate --static $$catalog --quiet --project-dir . --profiles-dir . \
		--target-path $(DOCS_DIR)
	@echo "dbt docs: open $(DOCS_DIR)/static_index.html (one self-contained file), or serve it:"
	@echo "  $(BIN)/dbt docs serve --project-dir . --profiles-dir . --target-path $(DOCS_DIR)"

metabase-sync: $(STAMP)  ## push mart descriptions and semantic types to Metabase (docs/metabase.md)
	$(BIN)/python -m orchestration.metabase

clean:  ## remove the generated data, dbt target and logs (keeps .venv)
	@scripts/postgres/server.sh stop 2>/dev/null || true  # its data folder is under data/
	rm -rf data target logs .pytest_cache $(DOCS_DIR)

postgres-up:  ## start the project's PostgreSQL server (localhost:$MSPKPI_PG_PORT, default 5433)
	scripts/postgres/server.sh start

postgres-down:  ## stop it (its data stays in $MSPKPI_PG_DATA_DIR, default data/postgres)
	scripts/postgres/server.sh stop

# The spark extra (dbt-spark[session], pyspark) is synced here, on top of the base set, and only
# here: `make install` stays lean. Its `uv sync --frozen` removes the extra again only when it
# re-runs (pyproject.toml or uv.lock changed); this target then reinstalls it from uv's cache.
PORTABILITY_CLIENTS ?= 120
PORTABILITY_MONTHS  ?= 24
portability: $(STAMP)  ## the sample built on DuckDB, PostgreSQL and Spark; docs/portability-report.md
	uv sync --frozen --extra spark
	$(MSPKPI) portability --clients $(PORTABILITY_CLIENTS) --months $(PORTABILITY_MONTHS)

run-postgres: $(STAMP) postgres-up  ## `make run` built on PostgreSQL (raw copied from DuckDB)
	$(MSPKPI) generate-sample --out $${MSPKPI_RAW_DIR:-data/raw}
	$(MSPKPI) run --target postgres

chromium:  ## Debian's chromium for the report browser test (scripts/install-chromium, apt-get)
	@scripts/install-chromium || echo "no chromium: tests/test_reports_browser.py will be skipped"

REPORT_PERIOD ?= 2026-Q3
reports: $(STAMP)  ## every client's QBR of REPORT_PERIOD (YYYY-Qn) as HTML + PDF in data/reports/
	$(MSPKPI) report --all-clients --period $(REPORT_PERIOD)

report-screenshots: $(STAMP) chromium  ## docs/reports/*.png: the best and worst client's QBR
	$(BIN)/python -m orchestration.reports.showcase --period $(REPORT_PERIOD) --out docs/reports

# ~1,000,000 tickets (2,300 clients x 24 months), about 15 minutes on 2 cores; the issue's
# 10,000,000 tickets (2,000 clients, 60,000 endpoints, 5 years): make bench-10m, about 40 minutes
# (README, Benchmarks)
BENCH_CLIENTS ?= 2300
BENCH_MONTHS  ?= 24
BENCH_TICKET_SCALE ?= 1
bench: $(STAMP)  ## time generate, ingest, full build, SLA engine, one more day (BENCH_CLIENTS x BENCH_MONTHS)
	$(MSPKPI) bench --clients $(BENCH_CLIENTS) --months $(BENCH_MONTHS) --ticket-scale $(BENCH_TICKET_SCALE) --workdir data/bench

bench-10m: $(STAMP)  ## the bench on the issue's 10 M-ticket MSP: 2,000 clients x 60 months, ticket scale 5.3
	$(MSPKPI) bench --clients 2000 --months 60 --ticket-scale 5.3 --workdir data/bench-10m

bench-sla: $(STAMP)  ## the SLA engine on ~1,000,000 generated tickets (2,300 clients x 24 months)
	$(MSPKPI) bench --clients $(BENCH_CLIENTS) --months $(BENCH_MONTHS) --sla-only --workdir data/bench

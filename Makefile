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

.PHONY: help install run test lint pytest dbt-parse dagster clean bench-sla

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

pytest: $(STAMP)  ## the Python and end-to-end tests
	$(BIN)/pytest

dagster: $(STAMP)  ## the Dagster UI on http://localhost:3000 (lineage raw -> staging -> marts)
	$(BIN)/dagster dev -m orchestration.definitions

clean:  ## remove the generated data, dbt target and logs (keeps .venv)
	rm -rf data target logs .pytest_cache

BENCH_CLIENTS ?= 2300
BENCH_MONTHS  ?= 24
bench-sla: $(STAMP)  ## the SLA engine on ~1,000,000 generated tickets (2,300 clients x 24 months)
	$(MSPKPI) bench --clients $(BENCH_CLIENTS) --months $(BENCH_MONTHS) --sla-only --workdir data/bench

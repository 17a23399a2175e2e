# One command to run the demo end to end, one to test. Everything installs into .venv on first use.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
WORKDIR ?= demo
export GX_ANALYTICS_ENABLED := false
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: run test dev bench lint prepare clean spark

$(BIN)/aaw: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/aaw

install: $(BIN)/aaw

spark: install  ## the optional Spark engine (`aaw run --engine spark`): dbt-spark and pyspark (~450 MB), needs Java 17
	$(BIN)/pip install --quiet -e ".[dev,spark]"

prepare: install  ## parse the dbt project into the manifest Dagster loads
	AAW_WORKDIR=$(WORKDIR) $(BIN)/dbt parse --quiet --project-dir dbt_project --profiles-dir dbt_project

run: install  ## generate demo data and run the whole pipeline into ./demo
	$(BIN)/aaw demo --workdir $(WORKDIR)

test: install prepare  ## the fast tests and the campaign's sample, on two workers
	$(BIN)/pytest -q -n 2 --dist loadgroup -m 'not bench'

dev: install  ## the Dagster UI over ./demo (run `make run` first for data)
	$(BIN)/aaw dev --workdir $(WORKDIR)

bench: install  ## the organisation-scale benchmark (writes bench/results.json; ~10 min at full scale)
	$(BIN)/aaw bench

lint: install
	$(BIN)/ruff check orchestration data_quality tests
	$(BIN)/ruff format --check orchestration data_quality tests
	AAW_WAREHOUSE_PATH=:memory: $(BIN)/sqlfluff lint dbt_project/models

clean:
	rm -rf $(WORKDIR) dbt_project/target dbt_project/logs

# Quick start: `make demo` (install + run the sample migration), `make test` (install + tests).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export MIGRATION_LEDGER_URL ?= sqlite:///$(CURDIR)/.artifacts/ledger.sqlite

.PHONY: install demo test ui ui-live bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# The demo walks the whole lifecycle on the bundled sample: plan, sample + field diff, approval, full run.
demo: install
	mkdir -p $(DAGSTER_HOME) .artifacts && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/migration-pipeline plan > .artifacts/plan.log && echo "Plan written: .artifacts/reports/perfect_portal_to_twenty/plan/plan.md"
	$(BIN)/migration-pipeline sample > .artifacts/sample.log && tail -n 3 .artifacts/sample.log
	$(BIN)/migration-pipeline approve --by "make demo"
	$(BIN)/migration-pipeline run

test: install
	$(BIN)/python -m pytest -q

ui: install
	mkdir -p $(DAGSTER_HOME) .artifacts && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.yaml

ui-live: install
	mkdir -p $(DAGSTER_HOME) .artifacts && touch $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/dagster dev -w workspace.live.yaml

bench: install
	$(BIN)/python benchmarks/extract_map_validate.py
	$(BIN)/python benchmarks/twenty_load.py
	$(BIN)/python benchmarks/odoo_load.py

clean:
	rm -rf .artifacts .dagster_home

# Two commands on a fresh machine: `make run` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DIR ?= var/demo
# The demo clinic's six months end about today, so the dashboard's default period (the
# twelve weeks to today) shows a working clinic, recent claims still in A/R.
DEMO_START ?= $(shell date -d "-6 months" +%Y-%m-%d)

.PHONY: install lock run test lint format bench clean

LOCK   := requirements.lock

# Installs are reproducible: every runtime and dev dependency at the version and hashes in
# requirements.lock, then ptrcm itself (editable, no further resolution).
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Re-resolve requirements.lock from pyproject.toml (runtime + dev), with hashes. Run it
# after changing a dependency in pyproject.toml, and commit both files.
lock:
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip-tools
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --allow-unsafe --strip-extras \
	  --no-emit-index-url --no-emit-find-links --output-file $(LOCK) pyproject.toml

# Seed the demo into ptrcm.db (SQLite) when there is none, then serve the app on it.
run: $(STAMP)
	@test -f ptrcm.db || $(BIN)/ptrcm demo --db sqlite:///ptrcm.db --out $(DEMO_DIR) --start $(DEMO_START)
	$(BIN)/ptrcm serve --db sqlite:///ptrcm.db --demo-credentials $(DEMO_DIR)/credentials.txt

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: lint
	$(BIN)/pytest -q

# Every benchmark prints its figure beside a baseline measured in the same run; results are
# recorded in docs/benchmarks.md. The full set takes a while (1M visits; 1M-row dashboard):
# pick some with e.g. `make bench BENCHES="units x12"`.
BENCHES = units x12 x12_read_json x12_write scrub scrub_accuracy import_visits posting demo dashboard
bench: $(STAMP)
	@for b in $(BENCHES); do echo "== benchmarks/$$b.py"; $(BIN)/python benchmarks/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var

# Two commands on a fresh machine: `make run` and `make test`. Both create .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_DIR ?= var/demo

.PHONY: install run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The main job of this stage: a synthetic clinic through the unit engine and charge building.
run: $(STAMP)
	@mkdir -p $(DEMO_DIR)
	@test -f $(DEMO_DIR)/visits.jsonl || $(BIN)/ptrcm synth visits --patients 200 --months 3 --seed 7 --out $(DEMO_DIR)/visits.jsonl
	$(BIN)/ptrcm charges $(DEMO_DIR)/visits.jsonl

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: lint
	$(BIN)/pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/units.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache var

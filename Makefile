# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test system lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[emulator,charts]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(BIN)/pinkit demo

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

system:
	scripts/system-packages.sh

unit: $(VENV)/.test-installed system
	$(BIN)/python -m pytest

test: lint typecheck unit

bench: $(VENV)/.test-installed
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/paging.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/emulator_latency.py
	$(BIN)/python bench/validation.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/peers/run.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache

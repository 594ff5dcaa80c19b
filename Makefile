# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv installs in seconds what pip takes a minute for (`make demo` has a minute, the virtual
# environment included). It comes from PyPI like everything else, brought in by the host's pip
# (or, where the host has none, by the venv's own).
UV := $(BIN)/uv
INSTALL := $(UV) pip install --quiet --python $(BIN)/python

.PHONY: demo test system lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

$(UV): | $(BIN)/python
	$(PYTHON) -m pip --python $(BIN)/python install --quiet uv \
	  || { $(BIN)/python -m ensurepip --default-pip && $(BIN)/python -m pip install --quiet uv; }

$(VENV)/.demo-installed: pyproject.toml | $(UV)
	$(INSTALL) -e ".[demo]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(UV)
	$(INSTALL) -e ".[test]" pip
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
	$(BIN)/python bench/conversions.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache

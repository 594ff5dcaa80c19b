# The README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv installs in seconds what pip takes a minute for, and `make demo` has a minute, the
# virtual environment included. A uv on PATH is used; else the host's pip brings one from PyPI
# into .venv/uv (or the venv's own pip, where the host has none).
UV ?= $(or $(shell command -v uv 2>/dev/null),$(VENV)/uv/bin/uv)
INSTALL = $(UV) pip install --quiet --python $(BIN)/python

.PHONY: demo test system lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

$(VENV)/uv/bin/uv: | $(BIN)/python
	$(PYTHON) -m pip install --quiet --no-deps --target $(VENV)/uv uv \
	  || { $(BIN)/python -m ensurepip && $(BIN)/python -m pip install --quiet --target $(VENV)/uv uv; }

# Not compiled: the tour compiles the few modules it imports faster than uv compiles them all.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python $(UV)
	$(INSTALL) -e ".[demo]"
	touch $@

# Compiled at once, as pip does: the tests start hundreds of interpreters. Pip too, for
# installing by hand.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python $(UV)
	$(INSTALL) --compile-bytecode -e ".[test]" pip
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

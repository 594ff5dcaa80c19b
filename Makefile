# The README's commands: `make demo`, `make test` and `make webapp`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# uv installs in seconds what pip takes a minute for, and `make demo` has a minute, the
# virtual environment included. A uv on PATH is used; else the host's pip brings one from PyPI
# into .venv/uv (or the venv's own pip, where the host has none).
UV ?= $(or $(shell command -v uv 2>/dev/null),$(VENV)/uv/bin/uv)
INSTALL = $(UV) pip install --quiet --python $(BIN)/python

.PHONY: demo test webapp system lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

$(VENV)/uv/bin/uv: | $(BIN)/python
	$(PYTHON) -m pip install --quiet --no-deps --target $(VENV)/uv uv \
	  || { $(BIN)/python -m ensurepip && $(BIN)/python -m pip install --quiet --target $(VENV)/uv uv; }

# Not compiled: the tour compiles the few modules it imports faster than uv compiles them all.
$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python $(UV)
	$(INSTALL) -e ".[demo]"
	touch $@

$(VENV)/.example-installed: pyproject.toml | $(BIN)/python $(UV)
	$(INSTALL) -e ".[example]"
	touch $@

# Compiled at once, as pip does: the tests start hundreds of interpreters. Pip too, for
# installing by hand.
$(VENV)/.test-installed: pyproject.toml | $(BIN)/python $(UV)
	$(INSTALL) --compile-bytecode -e ".[test]" pip
	touch $@ $(VENV)/.demo-installed $(VENV)/.example-installed

demo: $(VENV)/.demo-installed
	$(BIN)/pinkit demo

# The example web app (examples/connect_app) on the emulator; WEBAPP_ARGS="--port 8080 --workers 4"
webapp: $(VENV)/.example-installed
	$(BIN)/python -m examples.connect_app $(WEBAPP_ARGS)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check src tests bench scripts examples
	$(BIN)/ruff format --check src tests bench scripts examples

typecheck: $(VENV)/.test-installed
	$(BIN)/mypy

system:
	scripts/system-packages.sh

# Both cores: pytest-xdist, the browser tests kept together on one worker (tests/_browser.py).
unit: $(VENV)/.test-installed system
	$(BIN)/python -m pytest -n 2 --dist loadgroup

test: lint typecheck unit

bench: $(VENV)/.test-installed
	$(BIN)/python bench/overhead.py
	$(BIN)/python bench/paging.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/emulator_latency.py
	$(BIN)/python bench/validation.py
	$(BIN)/python bench/reports.py
	$(BIN)/python bench/conversions.py
	$(BIN)/python bench/spark.py
	$(BIN)/python bench/peers/run.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache

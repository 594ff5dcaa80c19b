# The README's commands: `make demo`, `make test` and `make webapp`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test webapp system lint typecheck unit bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[emulator,charts]"
	touch $@

$(VENV)/.example-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[example]"
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
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
	$(BIN)/python bench/peers/run.py

clean:
	rm -rf $(VENV) build dist .mypy_cache .pytest_cache .ruff_cache

# Thin wrappers. `make run` and `make test` are the README's two commands.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PORT ?= 8881
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: install run test lint format emulator screenshots bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# prometheus-client's multiprocess files (/metrics): one directory, emptied at each start.
METRICS_DIR = $(abspath $(or $(VAR_DIR),var))/metrics
# Exported, not a "VAR=... honcho" prefix: that needs a shell between make and honcho, and
# a SIGTERM to make would then never reach honcho.
run: export PROMETHEUS_MULTIPROC_DIR = $(METRICS_DIR)
run: install  ## web + worker + beat on http://127.0.0.1:$(PORT) (Ctrl-C stops them all)
	$(BIN)/python manage.py migrate --noinput
	rm -rf $(METRICS_DIR) && mkdir -p $(METRICS_DIR)
	$(BIN)/honcho start -f Procfile --port $(PORT)

test: install  ## the whole suite
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

emulator: install  ## the Salesforce emulator on :8882 and the Entra ID + Dataverse emulator on :8883
	$(BIN)/honcho start -f Procfile.emulators

screenshots: install  ## re-take docs/screenshots/ with the browser tests (needs Chromium)
	BROWSER_SCREENSHOTS=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser

bench: install  ## benchmarks (issues 7, 12): keep-alive at 10,000 connections, web pages, the API; BENCH_ARGS="--only api" for one phase; exits 1 on a missed target
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles

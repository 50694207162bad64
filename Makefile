# gpkit — the two commands a newcomer needs: `make reproduce` and `make test`.
# Both create .venv (if missing) and install gpkit with its dependencies first.

SHELL   := /bin/bash
PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.gpkit-installed
PROFILE ?= quick
ONLY    ?=
JOBS    ?=
PYTEST_ARGS ?=

.PHONY: help setup reproduce report test bench lab data browser clean

help:
	@echo "make reproduce   run every notebook at PROFILE=$(PROFILE) into runs/, copy figures/, build report/index.html"
	@echo "                 (ONLY=01,02 restricts the notebooks; PROFILE=smoke|quick|paper; JOBS=2 notebooks at once)"
	@echo "make test        run the test suite (unit tests, notebook smoke runs, report build)"
	@echo "make report      rebuild report/index.html from the latest runs"
	@echo "make bench       run benchmarks/ (ratios side by side), write benchmarks/results.json (ONLY_BENCH=a,b)"
	@echo "make data        fetch the datasets this machine can reach into data/ and list what is missing"
	@echo "make browser     install Debian's chromium (as root) for the report's browser test"
	@echo "make lab         open the notebooks in JupyterLab"
	@echo "make setup       only create .venv and install gpkit"
	@echo "make clean       remove runs/ and report/"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

reproduce: $(STAMP) data
	$(BIN)/gpkit reproduce --profile $(PROFILE) $(if $(ONLY),--only $(ONLY)) $(if $(JOBS),--jobs $(JOBS))

report: $(STAMP)
	$(BIN)/gpkit report --profile $(PROFILE)

test: $(STAMP) browser
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The report's browser test needs Chromium: Debian's package, installed here (never by library code) when it is
# missing and we are root; otherwise that test is skipped with the reason.
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	    { echo "[gpkit] installing Debian's chromium for the report's browser test"; \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null 2>&1 || \
	      { apt-get update >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y \
	        --no-install-recommends chromium >/dev/null 2>&1; } || echo "[gpkit] chromium not installed"; }; } || true

bench: $(STAMP)
	$(BIN)/gpkit bench $(if $(ONLY_BENCH),--only $(ONLY_BENCH))

data: $(STAMP)
	$(BIN)/python -m gpkit.data.fetch

lab: $(STAMP)
	$(BIN)/python -m pip install -e ".[lab]"
	$(BIN)/jupyter lab notebooks/ $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf runs report

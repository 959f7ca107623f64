# Leerlus: two commands. `make run` sets up and serves the sample corpus; `make test` runs every test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: install install-test run test lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Leerlus heeft Python 3.11 of nieuwer nodig")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@echo "Anonimiseringspoort voorbereiden (eenmalig; op 2 kernen ongeveer drie minuten)..."
	$(BIN)/leerlus warm
	@touch $@

$(TSTAMP): pyproject.toml $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(STAMP)  ## only install Leerlus into .venv

install-test: $(TSTAMP)

run: install  ## ingest content/ and serve on http://127.0.0.1:8000/
	$(BIN)/leerlus serve

test: install-test  ## lint, type-check and run the whole test suite (exit code 5, no tests, fails too)
	$(BIN)/ruff check kb ingest api web leerlus tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

lint: install-test
	$(BIN)/ruff check kb ingest api web leerlus tests bench
	$(BIN)/mypy

bench: install  ## benchmark: N synthetic cases, ingest and search, against SQLite FTS5
	$(BIN)/python bench/bench_search.py

clean:
	rm -rf $(VENV) data

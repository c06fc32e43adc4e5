# make run  : create .venv if needed, install, run one cycle with config.toml, print the digest
# make test : create .venv if needed, install test and web extras, run pytest
# make screenshot: regenerate docs/img/stories.png (the web view in headless Chromium)
# make eval : score the watchlist on the labelled dev set (DEV=path to a JSONL set)
# make bench: every benchmark (several minutes), writes benchmarks/RESULTS.md
# make bench-quick: every benchmark at small sizes, no targets checked (< 1 min)
PYTHON ?= python3
DEV ?= ../shared/eval/dev.jsonl
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test eval bench bench-quick lint clean screenshot

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,web]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/monitor once
	$(BIN)/monitor digest

test: $(STAMP)
	$(BIN)/python -m pytest

eval: $(STAMP)
	$(BIN)/python -m monitor.evaluate $(DEV) --ids

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

screenshot: $(STAMP)
	$(BIN)/python tests/browser.py docs/img/stories.png

lint: $(STAMP)
	$(BIN)/python -m pip install --quiet ruff
	$(BIN)/ruff check monitor tests

clean:
	rm -rf $(VENV) .pytest_cache state/*.db state/*.db-* state/*.lock state/.variants-*

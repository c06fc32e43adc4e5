# make run  : create .venv if needed, install, run one cycle with config.toml, print the digest
# make test : create .venv if needed, install test and web extras, run pytest on every core
#             (PYTEST_ARGS="-n 0" runs it in one process)
# make lint : ruff check (monitor, tests) and mypy (monitor); .ci/run runs it before the tests
# make screenshot: regenerate docs/img/stories.png (the web view in headless Chromium)
# make eval : score the watchlist on the labelled dev set (DEV=path to a JSONL set)
# make eval-stories: B-cubed story scores on the real story set, real dates and one date
# make bench: every benchmark (about 20 minutes), writes benchmarks/RESULTS.md
# make bench-quick: every benchmark at small sizes, no targets checked (< 1 min)
PYTHON ?= python3
DEV ?= ../shared/eval/dev.jsonl
STORIES ?= ../shared/eval/stories-dev.jsonl
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# pytest-xdist: one worker per core, each taking the next test as it frees up.
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: run test eval eval-stories bench bench-quick lint clean screenshot

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
	$(BIN)/python -m pytest $(PYTEST_ARGS)

eval: $(STAMP)
	$(BIN)/python -m monitor.evaluate $(DEV) --ids

eval-stories: $(STAMP)
	$(BIN)/python -m monitor.eval_stories $(STORIES) --errors

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --quick

screenshot: $(STAMP)
	$(BIN)/python tests/browser.py docs/img/stories.png

$(DEV_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(DEV_STAMP)

lint: $(DEV_STAMP)
	$(BIN)/ruff check monitor tests
	$(BIN)/mypy monitor

clean:
	rm -rf $(VENV) .pytest_cache state/*.db state/*.db-* state/*.lock state/.variants-*

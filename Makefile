# The two commands a newcomer needs (see README.md):
#   make demo   set up, import the sample pages into dateline.db, export them as pages
#   make test   set up (system packages included) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Point SAMPLE at your own files or folders of event pages: make demo SAMPLE=~/pages
SAMPLE ?= ../shared/seeds
DB     ?= dateline.db
EXPORT ?= export

.PHONY: demo test install system-deps lint bench

# The venv is rebuilt only when pyproject.toml changes; the stamp file records it.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	$(BIN)/dateline --db $(DB) import $(SAMPLE)
	$(BIN)/dateline --db $(DB) export $(EXPORT)
	@echo
	@echo "The archive is in $(DB); its pages are in $(EXPORT)/news/."
	@echo "Try: $(BIN)/dateline --db $(DB) show /news/2012/02/9/syrian-army-troops-continue-to-pour-into-homs-as-part-of-the-latest-offensive-with-scores-of-civilians-and-anti-government-protesters-repor.md"

# What pip cannot install: PostgreSQL's server binaries (the tests start their own server).
system-deps:
	./scripts/system-deps.sh

lint: install
	$(BIN)/ruff check dateline tests bench
	$(BIN)/ruff format --check dateline tests bench
	$(BIN)/mypy

test: install system-deps lint
	$(BIN)/python -m pytest

bench: install system-deps
	$(BIN)/python bench/related.py

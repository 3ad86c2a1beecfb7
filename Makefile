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
# The event 'make demo' prints: seed 001, the page with the richest history.
SHOW   ?= /news/2011/11/8/the-syrian-government-continues-its-crackdown-on-protesters-and-army-defectors-in-the-city-of-homs-killing-dozens-of-civilians-in-the-proce.md

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
	@echo "One event page, as 'dateline show' prints it:"
	@echo
	@$(BIN)/dateline --db $(DB) show $(SHOW)
	@echo
	@echo "The archive is in $(DB); every page is under $(EXPORT)/news/ (and day indexes at .../index.md)."
	@echo "Next: $(BIN)/dateline --help"

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
	$(BIN)/python bench/related.py --sql-queries 300

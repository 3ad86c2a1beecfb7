# The two commands a newcomer needs (see README.md):
#   make demo   set up, import a real slice of the archive into dateline.db, build the static
#               site, serve the archive live (pages and API)
#   make test   set up (system packages included) and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The demo archive: the seed pages and the Current Events Portal of 2011-2013 (the whole
# siege of Homs), plus the linked portal month and WikiTimes export whose links teach the
# context tagger. Point SAMPLE at your own files instead: make demo SAMPLE=~/pages
DATA   ?= ../shared/data
SAMPLE ?= ../shared/seeds $(DATA)/wcep-days/2011 $(DATA)/wcep-days/2012 \
          $(DATA)/wcep-days/2013 $(DATA)/wcep-html $(DATA)/wikitimes
DB     ?= dateline.db
SITE   ?= site
PORT   ?= 8000
# The event 'make demo' prints: seed 001, the page with the richest history.
SHOW   ?= /news/2011/11/8/the-syrian-government-continues-its-crackdown-on-protesters-and-army-defectors-in-the-city-of-homs-killing-dozens-of-civilians-in-the-proce.md

.PHONY: demo test install system-deps lint bench screenshot

# The venv is rebuilt only when pyproject.toml changes; the stamp file records it.
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# Byte-compiled as a wheel install would be: an editable install is not, and with
# PYTHONDONTWRITEBYTECODE set (as on our development machines) every run of `dateline` would
# compile its 60-odd modules again (0.2 s of each start).
install: $(VENV)/.installed
	$(BIN)/python -m compileall -q dateline > /dev/null

demo: install
	$(BIN)/dateline --db $(DB) import $(SAMPLE)
	$(BIN)/dateline --db $(DB) contexts retag
	$(BIN)/dateline --db $(DB) build $(SITE) --base-url http://127.0.0.1:$(PORT)
	@echo
	@echo "One event page, as 'dateline show' prints it:"
	@echo
	@$(BIN)/dateline --db $(DB) show $(SHOW)
	@echo
	@echo "The archive is in $(DB); a static copy of the site is in $(SITE)/ (open $(SITE)/index.html)."
	@echo "Serving the archive live on http://127.0.0.1:$(PORT)/ (API: /api/docs; Ctrl-C stops)."
	@echo "Next: $(BIN)/dateline --help"
	$(BIN)/dateline --db $(DB) serve --host 127.0.0.1 --port $(PORT)

# What pip cannot install: PostgreSQL's server binaries (the tests start their own server)
# and Chromium (the browser tests drive Debian's /usr/bin/chromium with Playwright).
system-deps:
	./scripts/system-deps.sh

lint: install
	$(BIN)/ruff check dateline tests bench
	$(BIN)/ruff format --check dateline tests bench
	$(BIN)/mypy

# Two worker processes (pytest-xdist), one per core here: each starts its own PostgreSQL.
test: install system-deps lint
	$(BIN)/python -m pytest -n 2

bench: install
	./scripts/system-deps.sh --bench
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python bench/related.py --sql-queries 300
	# In the checkout, not /tmp: creating files in /tmp was 6-10x slower on this machine.
	$(BIN)/python bench/build.py --forced-full --work bench/out/build --json bench/out/build.json
	rm -rf bench/out/build

# docs/screenshot.png, the picture in README.md: seed 001's page in headless Chromium.
screenshot: install system-deps
	$(BIN)/python scripts/screenshot.py docs/screenshot.png

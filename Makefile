# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve build test check verify-quotes schema bench clean browser-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

serve: $(STAMP)  ## generate, build and serve at http://127.0.0.1:8000 with live reload
	$(PY) -m generator serve

build: $(STAMP)  ## check, generate and build the site into site/
	$(PY) -m generator build

check: $(STAMP)
	$(PY) -m generator check

verify-quotes: $(STAMP)
	$(PY) -m generator verify-quotes --sources ../shared/seeds

schema: $(STAMP)
	$(PY) -m generator schema --out schema

browser-deps:  ## Debian's Chromium for the browser tests (needs root; skipped when absent or not root)
	@if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "browser-deps: could not install chromium"; fi

test: $(STAMP) browser-deps  ## run the whole test suite
	$(PY) -m pytest

bench: $(STAMP)  ## synthetic corpora of 500 to 20,000 records: timings, sizes, search; rewrites docs/performance.md (~35 min)
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf site docs/kb .pytest_cache

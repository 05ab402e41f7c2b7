# Two commands do everything on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: serve build test check verify-quotes schema bench clean browser-deps lock test-newest lighthouse

# Every environment installs exactly what the lock files say (versions and hashes), never whatever
# PyPI serves today: requirements/test.txt for serve, build and test, requirements/bench.txt for bench.
# pyproject.toml keeps the compatible ranges; `make lock` turns them into the lock files.
LOCK := requirements/test.txt
$(STAMP): pyproject.toml $(LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m pip check
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

# Debian's Chromium (browser tests) and a Java runtime (vnu, the HTML checker), installed with apt-get
# as root or through passwordless sudo. Otherwise it says what is missing: those tests then skip,
# except under CI=true, where they fail.
BROWSER_PACKAGES := $(if $(wildcard /usr/bin/chromium),,chromium) $(if $(shell command -v java),,default-jre-headless)
browser-deps:  ## Chromium and Java for the browser and HTML tests (apt-get, as root or via sudo -n)
	@pkgs="$(strip $(BROWSER_PACKAGES))"; [ -z "$$pkgs" ] && exit 0; \
	if [ "$$(id -u)" = 0 ]; then as_root=""; elif sudo -n true 2>/dev/null; then as_root="sudo -n"; \
	else echo "browser-deps: missing $$pkgs; install them as root (apt-get install $$pkgs)"; exit 0; fi; \
	if ! command -v apt-get >/dev/null; then echo "browser-deps: missing $$pkgs and no apt-get here"; exit 0; fi; \
	echo "browser-deps: installing $$pkgs"; \
	($$as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$as_root apt-get install -y -qq $$pkgs >/dev/null) \
	  || echo "browser-deps: could not install $$pkgs"

test: $(STAMP) browser-deps  ## run the whole test suite
	$(PY) -m pytest

# Two processes at once, one per core ("/" splits the sizes): 500, 2,000 and 10,000 beside 20,000.
# A quick run: make bench BENCH_SIZES=500,2000 (or BENCH_ARGS="--sizes 500 --no-write").
BENCH_SIZES ?= 500,2000,10000/20000
bench: $(STAMP)  ## synthetic corpora of 500 to 20,000 records: timings, sizes, search, Lighthouse; rewrites docs/performance.md (~65 min)
	$(PY) -m pip install --quiet --require-hashes --no-deps -r requirements/bench.txt
	$(PY) benchmarks/run.py --sizes $(BENCH_SIZES) $(BENCH_ARGS)
	$(MAKE) lighthouse

# Lighthouse 12 from npm, pinned in benchmarks/lighthouse/package-lock.json (npm ci), on the machine's
# Chromium: every page type of the real site and of a 10,000-record corpus, served with gzip.
LIGHTHOUSE_CORPUS ?= 10000
lighthouse: $(STAMP) browser-deps  ## Lighthouse scores and first-visit bytes per page type; rewrites its part of docs/performance.md (~15 min)
	npm ci --prefix benchmarks/lighthouse --no-audit --no-fund --loglevel=error
	$(PY) -m generator build
	$(PY) benchmarks/lighthouse.py --site site --corpus $(LIGHTHOUSE_CORPUS)

clean:
	rm -rf site docs/kb .pytest_cache

# Run after changing a range in pyproject.toml (or to take upstream releases on purpose); commit the
# three lock files with the change. uv resolves for every platform, for Python 3.11 and up.
UV_VERSION ?= 0.13.9
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes
lock: $(STAMP)  ## regenerate requirements/*.txt (exact versions and hashes) from pyproject.toml's ranges
	$(PY) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV_COMPILE) --upgrade pyproject.toml requirements/build.in -o requirements/runtime.txt
	$(UV_COMPILE) --upgrade pyproject.toml requirements/build.in --extra test -c requirements/runtime.txt -o requirements/test.txt
	$(UV_COMPILE) --upgrade pyproject.toml requirements/build.in --extra test --extra bench -c requirements/test.txt -o requirements/bench.txt

# What the scheduled "newest versions" workflow runs: the newest releases pyproject.toml's ranges
# allow, in a separate virtual environment, so upstream drift shows up there and not on main.
NEWEST_VENV := .venv-newest
test-newest:  ## the whole suite against the newest versions the ranges allow (not the lock)
	rm -rf $(NEWEST_VENV)
	$(PYTHON) -m venv $(NEWEST_VENV)
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(NEWEST_VENV)/bin/python -m pip install --quiet --upgrade -e '.[test]'
	$(NEWEST_VENV)/bin/python -m pip list
	$(MAKE) browser-deps
	$(NEWEST_VENV)/bin/python -m pytest

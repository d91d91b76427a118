# Two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
STAMP := $(VENV)/.installed
# Lazy labels, and the message (first argument) of every domain error a service raises (helpdesk/errors.py).
BABEL_KEYWORDS := -k _l -k lazy_gettext -k DomainError -k ValidationFailed -k Conflict -k NotAllowed -k NotFound \
	-k InvalidTransition -k FileTooLarge -k FileTypeNotAllowed

.PHONY: run test install migrate seed bench lint clean translations

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,dev]'
	$(BIN)/pybabel compile -d helpdesk/translations
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed --demo --if-empty

# The app (gunicorn) and the delivery worker (flask worker) together, from the Procfile; Ctrl-C stops both.
run: seed
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

# ~35 min: SQLite and PostgreSQL at 100k, ours beside a bare floor app over HTTP (wrk if installed), the common-issue
# lookups and candidate groups at 100k, PostgreSQL 1M
# in-process; BENCH_ARGS="--help" lists the subsets.
bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

# After changing UI strings: extract them, merge them into the catalogs (translate the new ones), compile.
translations: install
	$(BIN)/pybabel extract -F babel.cfg $(BABEL_KEYWORDS) --sort-output -o helpdesk/translations/messages.pot .
	$(BIN)/pybabel update -i helpdesk/translations/messages.pot -d helpdesk/translations --no-fuzzy-matching
	$(BIN)/pybabel compile -d helpdesk/translations

lint: install
	$(BIN)/ruff check helpdesk tests bench

clean:
	rm -rf $(VENV) instance/helpdesk.db

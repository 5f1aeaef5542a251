# lvzhi: `make run` to try it, `make test` to test it. Nothing else needs installing by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test install install-test lint migrate messages bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The stamp files make a second `make run` skip pip when pyproject.toml has not changed.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput

run: migrate
	$(BIN)/python manage.py seed_demo --if-empty
	@echo "lvzhi is serving on http://127.0.0.1:$(PORT)/  (Ctrl-C stops it; background tasks log to var/worker.log)"
	@# The task worker (roster imports…) runs beside the web server and stops with it.
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py db_worker --interval 0.5 > var/worker.log 2>&1 & worker=$$!; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# PYTEST_ARGS narrows or extends a run, e.g. `make test PYTEST_ARGS=lvzhi/scoring`.
test: install-test
	$(BIN)/python -m pytest -n auto $(PYTEST_ARGS)

lint: install-test
	@mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/python manage.py makemigrations --check --dry-run

# Regenerate the Chinese translation catalogue after changing msgids (needs GNU gettext).
messages: install
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore '.venv/*' --ignore 'bench/*'
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore '.venv/*'

bench: install-test
	$(BIN)/python bench/member_list.py
	$(BIN)/python bench/member_import.py
	$(BIN)/python bench/activity_close.py
	$(BIN)/python bench/attendance_stats.py
	$(BIN)/python bench/opinion_similarity.py
	$(BIN)/python bench/scoring.py

clean:
	rm -rf $(VENV) var

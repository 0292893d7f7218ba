# make demo: install, start everything locally and translate the sample articles
#            (make demo DEMO_ARGS=--keep-serving: then keep serving the review pages).
# make test: install and run the test suite (needs Redis and PostgreSQL; see README).
# make lint: ruff (rules and format) and mypy, configured in pyproject.toml.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo lint test serve worker bench clean

$(BIN)/tarjama: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(BIN)/tarjama

demo: install
	$(BIN)/tarjama demo $(DEMO_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/ruff format --check .

test: install
	$(BIN)/python -m pytest

serve: install
	$(BIN)/tarjama serve

worker: install
	$(BIN)/tarjama worker

clean:
	rm -rf var .pytest_cache test-artifacts

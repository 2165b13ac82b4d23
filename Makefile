# Quick start on a fresh machine: `make demo` and `make test`.
# Both create the virtualenv .venv on first use (CPU torch by default; set
# TORCH to your CUDA build, e.g. TORCH="torch==2.4.1", or install into your
# own environment with `pip install -e .` as the README explains).
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install demo test

$(INSTALLED): setup.py requirements/runtime.txt requirements/tests.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e . -r requirements/tests.txt
	touch $(INSTALLED)

install: $(INSTALLED)

demo: $(INSTALLED)
	$(PY) tools/run_demo.py

# All tests on all cores (pytest-xdist); while developing,
# `make test PYTEST_ARGS='-m "not slow"'` skips the end-to-end tool runs.
test: $(INSTALLED)
	$(PY) -m pytest -q -n auto --dist worksteal $(PYTEST_ARGS) tests

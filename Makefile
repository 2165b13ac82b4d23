# Quick start on a fresh machine: `make main-job` and `make test`.
# Both create the virtualenv .venv on first use (CPU torch by default; set
# TORCH to your CUDA build, e.g. TORCH="torch==2.4.1", or install into your
# own environment with `pip install -e .` as the README explains).
PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV ?= .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: install main-job test

$(INSTALLED): setup.py requirements/runtime.txt requirements/tests.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "$(TORCH)"
	$(PY) -m pip install --quiet -e . -r requirements/tests.txt
	touch $(INSTALLED)

install: $(INSTALLED)

main-job: $(INSTALLED)
	$(PY) tools/main_job.py

test: $(INSTALLED)
	$(PY) -m pytest -q tests

# Compiled ops (C++ CPU kernels; CUDA as well with a CUDA torch and toolkit):
# `make ops` rebuilds them in .venv after a change to their sources.
OPS_BUILT := $(VENV)/.ops-built
OPS_SOURCES := $(wildcard mmaction_ext/ops/csrc/*.* mmaction_ext/ops/csrc/*/*.*)

.PHONY: ops
$(OPS_BUILT): $(INSTALLED) $(OPS_SOURCES) requirements/build.txt
	$(PY) -m pip install --quiet -r requirements/build.txt
	MMACTION_EXT_WITH_OPS=1 $(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(OPS_BUILT)

ops: $(OPS_BUILT)

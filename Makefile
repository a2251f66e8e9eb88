# Every target uses the virtual environment in .venv, created by `make install`.
# Run `make help` for the list.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Python versions `make install` accepts: every pinned package has wheels for them.
# CI and the authors test 3.11 only.
SUPPORTED_PYTHONS := 3.11 3.12 3.13
# The interpreter that made .venv (real path), as its stamp records it; for a stamp
# without the record, asked of .venv's python. It is the default, so `make test` keeps
# it; `make install PYTHON=python3.12` with another one rebuilds .venv from scratch.
REAL_PATH := import os, sys; print(os.path.realpath(sys._base_executable))
MADE_WITH := $(shell sed -n 1p $(STAMP) 2>/dev/null)
MADE_WITH := $(or $(MADE_WITH),$(shell $(BIN)/python -c '$(REAL_PATH)' 2>/dev/null))
PYTHON ?= $(or $(MADE_WITH),python3)
# "3.11 /real/path/of/python3.11" for $(PYTHON); empty if it does not run.
PYTHON_ID := $(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null) \
             $(shell $(PYTHON) -c '$(REAL_PATH)' 2>/dev/null)
PYTHON_ID := $(strip $(PYTHON_ID))
# Where torch comes from. PyPI's Linux wheel of torch bundles CUDA (several GB); PyTorch's
# CPU index has the CPU build (a 190 MB wheel). Default: the CPU index on Linux, except in CI,
# which reaches only PyPI (where this project's CI machines find a CPU wheel). Empty: PyPI.
TORCH_CPU_INDEX := https://download.pytorch.org/whl/cpu
TORCH_INDEX ?= $(if $(CI),,$(if $(filter Linux,$(shell uname -s)),$(TORCH_CPU_INDEX)))
TORCH_PIN := $(shell grep -E '^torch==' requirements.txt)
PIP := $(BIN)/python -m pip --disable-pip-version-check
# Notebooks are stored with every slider frame (ilib.widgets.frame_mode).
export ILIB_FRAMES := all
NOTEBOOKS := $(sort $(wildcard chapters/en/*.ipynb chapters/ja/*.ipynb))
# Same kernel settings for `make execute` and nbval: one thread, the venv's kernel.
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
NBVAL := --nbval --nbval-current-env --nbval-cell-timeout=300 --nbval-kernel-startup-timeout=180 \
         --nbval-sanitize-with tests/nbval_sanitize.cfg
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: FORCE help install book test lint unit nbval site-tests execute fold student answer-key lesson-plans slides pdf kit benchmark serve clean

help: ## list the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /make \1\t/' | expand -t 18

install: $(STAMP) ## create .venv with the pinned packages and ilib

# Rebuilt when the pins change, when .venv lacks a working python, or when PYTHON is not
# the interpreter that made it. pip prints its progress: a first install takes minutes.
$(STAMP): requirements.txt pyproject.toml $(if $(filter-out $(MADE_WITH),$(word 2,$(PYTHON_ID)))$(if $(PYTHON_ID),,x)$(if $(wildcard $(BIN)/python),,x),FORCE)
	@case " $(SUPPORTED_PYTHONS) " in *" $(or $(word 1,$(PYTHON_ID)),none) "*) ;; *) \
	  echo "make install: '$(PYTHON)' is $(or $(word 1,$(PYTHON_ID)),not a working Python); this book needs Python $(SUPPORTED_PYTHONS)."; \
	  echo "  Install one (python.org; Debian/Ubuntu: apt install python3.12-venv; macOS: brew install python@3.12;"; \
	  echo "  Windows: winget install Python.Python.3.12) and run: make install PYTHON=python3.12"; \
	  exit 1;; esac
	@if [ -d $(VENV) ] && [ "$(MADE_WITH)" != "$(word 2,$(PYTHON_ID))" ]; then \
	  echo "make install: .venv was made with '$(MADE_WITH)'; rebuilding it with $(word 2,$(PYTHON_ID))"; \
	  rm -rf $(VENV); fi
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(TORCH_INDEX),$(PIP) install --index-url $(TORCH_INDEX) '$(TORCH_PIN)' --retries 1 --timeout 15 \
	  || echo "make install: $(TORCH_INDEX) could not be reached; torch comes from PyPI")
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps --no-build-isolation -e .
	echo "$(word 2,$(PYTHON_ID))" > $@

FORCE:

# Two books (English, Japanese) and the language-choice page; warnings are errors
# (-W -n --keep-going: see sphinx_ext/build_books.py).
book: $(STAMP) ## build the website: _build/html/{en,ja} and a language choice (offline, -W -n)
	$(BIN)/python sphinx_ext/build_books.py

lint: $(STAMP) ## ruff check of ilib, tests and notebooks
	$(BIN)/ruff check .

unit: $(STAMP) ## the tests in tests/ except the browser tests
	$(BIN)/python -m pytest -q -n 2 --dist loadfile tests --ignore=tests/test_site.py

nbval: $(STAMP) ## re-run every notebook and compare its outputs with the stored ones
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(NBVAL) $(NOTEBOOKS)

site-tests: $(STAMP) ## browser tests of the built website (Playwright, Chromium)
	$(BIN)/python -m pytest -q tests/test_site.py

test: $(STAMP) ## everything CI runs: lint, unit, nbval, book, site-tests
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) nbval
	$(MAKE) book
	$(MAKE) site-tests

NB ?= $(NOTEBOOKS)
execute: $(STAMP) ## re-run notebooks in place (NB="path ..." for some, default all)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False $(NB)
	$(BIN)/python -m ilib.folding $(NB)

# Fold worked solutions for JupyterLab (ilib/folding.py); `make execute` runs it too.
fold: $(STAMP) ## fold the worked solutions of notebooks for JupyterLab (NB=path for some)
	$(BIN)/python -m ilib.folding $(NB)

student: $(STAMP) ## student copies without solutions in _build/student/{en,ja}
	$(BIN)/python -m ilib.student_copies student --out _build/student $(NOTEBOOKS)

answer-key: $(STAMP) ## teachers' answer key: every solution and self-check value, _build/answer-key
	$(BIN)/python -m ilib.kit answer-key --out _build/answer-key $(NOTEBOOKS)

lesson-plans: $(STAMP) ## a lesson plan per chapter in _build/lesson-plans/{en,ja}
	$(BIN)/python -m ilib.kit lesson-plans --out _build/lesson-plans $(NOTEBOOKS)

slides: $(STAMP) ## a slide deck per chapter in _build/slides/{en,ja} (arrow keys)
	$(BIN)/python -m ilib.kit slides --out _build/slides $(NOTEBOOKS)

SOLUTIONS ?= appendix
pdf: $(STAMP) ## A4 PDFs: book (SOLUTIONS=appendix|omit), answer key, handouts; _build/pdf
	$(BIN)/python -m ilib.kit pdf --out _build/pdf --solutions $(SOLUTIONS) $(NOTEBOOKS)

kit: answer-key lesson-plans slides pdf ## the teaching kit: answer key, lesson plans, slides, PDFs

benchmark: $(STAMP) ## time every chapter, write benchmarks/chapters.json (minutes; quiet machine)
	$(BIN)/python benchmarks/chapters.py --json benchmarks/chapters.json

serve: ## serve _build/html on http://HOST:PORT (default 127.0.0.1:8000)
	@test -f _build/html/index.html || { echo "run 'make book' first"; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind $(HOST) --directory _build/html

clean: ## remove _build
	rm -rf _build

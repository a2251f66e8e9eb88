# Every target uses the virtual environment in .venv, created by `make install`.
# Run `make help` for the list.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
NOTEBOOKS := $(sort $(wildcard chapters/en/*.ipynb chapters/ja/*.ipynb))
# Same kernel settings for `make execute` and nbval: one thread, the venv's kernel.
export OMP_NUM_THREADS ?= 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1
NBVAL := --nbval --nbval-current-env --nbval-cell-timeout=300 --nbval-kernel-startup-timeout=180 \
         --nbval-sanitize-with tests/nbval_sanitize.cfg
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install book test lint unit nbval site-tests execute student serve clean

help:
	@echo "make install   create .venv with the pinned packages and ilib"
	@echo "make book      build the website into _build/html/{en,ja} (offline, warnings are errors)"
	@echo "make test      everything CI runs: lint, unit, parity, nbval, book, browser"
	@echo "make execute   re-run every notebook in place (NB=path for one)"
	@echo "make student   student copies without solutions in _build/student/{en,ja}"
	@echo "make serve     serve _build/html on http://$(HOST):$(PORT)"
	@echo "make clean     remove _build"

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# Two books (English, Japanese) and the language-choice page; warnings are errors
# (-W -n --keep-going: see sphinx_ext/build_books.py).
book: $(STAMP)
	$(BIN)/python sphinx_ext/build_books.py

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/python -m pytest -q tests --ignore=tests/test_site.py

nbval: $(STAMP)
	$(BIN)/python -m pytest -q -n 2 --dist loadfile $(NBVAL) $(NOTEBOOKS)

site-tests: $(STAMP)
	$(BIN)/python -m pytest -q tests/test_site.py

test: $(STAMP)
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) nbval
	$(MAKE) book
	$(MAKE) site-tests

NB ?= $(NOTEBOOKS)
execute: $(STAMP)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.kernel_name=python3 \
	  --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False $(NB)

student: $(STAMP)
	$(BIN)/python -m ilib.teaching student --out _build/student $(NOTEBOOKS)

serve:
	@test -f _build/html/index.html || { echo "run 'make book' first"; exit 1; }
	$(PYTHON) -m http.server $(PORT) --bind $(HOST) --directory _build/html

clean:
	rm -rf _build

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

.PHONY: help install book test lint unit nbval site-tests execute student answer-key lesson-plans slides pdf kit benchmark serve clean

help: ## list the targets and what they do
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /make \1\t/' | expand -t 18

install: $(STAMP) ## create .venv with the pinned packages and ilib

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

book: $(STAMP) ## build the website into _build/html (offline, warnings are errors)
	$(BIN)/jupyter-book build . -W -n --keep-going --builder html

lint: $(STAMP) ## ruff check of ilib, tests and notebooks
	$(BIN)/ruff check .

unit: $(STAMP) ## the tests in tests/ except the browser tests
	$(BIN)/python -m pytest -q tests --ignore=tests/test_site.py

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

# Two commands set everything up: `make run` and `make test`. `make stop` ends the local Label Studio.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
STUDIO_VENV := .venv-studio
STANCE := $(VENV)/bin/stance
WORKSPACE ?= workspace
export WORKSPACE   # recipes read it from the environment: a path with quotes or spaces stays one word
PORT ?=

.PHONY: run test stop venv studio-venv browser bench clean

run: venv studio-venv
	$(STANCE) run --workspace "$$WORKSPACE" $(if $(PORT),--port $(PORT))

stop:
	@if [ -x $(STANCE) ]; then $(STANCE) studio stop --workspace "$$WORKSPACE" && \
	  echo "restart the server alone: $(STANCE) studio start --workspace $$WORKSPACE $(if $(PORT),--port $(PORT) )(make run runs the sample corpus again; a workspace whose last run read another corpus refuses it)"; \
	else echo "nothing to stop"; fi

# The suite holds up to about 1 GB of models and graphs at once under $TMPDIR (each test's folder is
# removed when it passes): a disk short of that is named before the tests fail on it.
test: venv studio-venv browser
	@free=$$(df -Pk "$${TMPDIR:-/tmp}" | awk 'NR==2 {print int($$4 / 1024)}'); \
	  if [ "$${free:-0}" -lt 2048 ]; then echo "warning: $${free:-?} MB free in $${TMPDIR:-/tmp}; the tests hold up to about 1 GB there at once (free some space, or set TMPDIR to a roomier disk)" >&2; fi
	$(VENV)/bin/python -m pytest -ra $(PYTEST_ARGS)

venv: $(VENV)/.installed
studio-venv: $(STUDIO_VENV)/.installed

# The project's own environment. torch is pinned to the CPU build on this disk, installed first so
# that nothing later pulls a CUDA build.
$(VENV)/.installed: pyproject.toml
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q torch==2.13.0
	$(VENV)/bin/pip install -q -e '.[test,bench]'
	@touch $@

# Label Studio pins its own Django, pyarrow and cloud clients: it gets a venv of its own.
$(STUDIO_VENV)/.installed:
	@test -x $(STUDIO_VENV)/bin/python || $(PYTHON) -m venv $(STUDIO_VENV)
	$(STUDIO_VENV)/bin/pip install -q --upgrade pip
	$(STUDIO_VENV)/bin/pip install -q label-studio==1.23.2
	@touch $@

# Debian's Chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium is missing: sudo apt-get install chromium (the browser tests need it)"; exit 1; fi; }

# Every benchmark, one after the other (about an hour on two cores). The labelled data sets live
# outside the repository: DATA=path/to/data (default ../shared/data).
DATA ?= ../shared/data
BENCH := $(VENV)/bin/python benchmarks
bench: venv studio-venv
	$(BENCH)/bench_claims_speed.py
	$(BENCH)/bench_claimfilter.py
	$(BENCH)/bench_bootstrap.py --data $(DATA)/ruwa-dev.jsonl
	$(BENCH)/bench_prelabel.py
	$(BENCH)/bench_heldout.py --data $(DATA)/ruwa-dev.jsonl
	$(BENCH)/bench_stance.py --data $(DATA)/ruwa-dev.jsonl
	$(BENCH)/bench_match.py --data $(DATA)
	$(BENCH)/bench_rerank.py --data $(DATA)
	$(BENCH)/bench_match_scale.py --n 100000 --naive-n 10000
	$(BENCH)/bench_studio.py
	$(BENCH)/bench_pull.py

clean:
	rm -rf $(VENV) $(STUDIO_VENV) *.egg-info

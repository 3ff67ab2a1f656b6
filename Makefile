# tipsim: two commands for a newcomer (see README.md)
#   make lab    set up (once) and run JupyterLab on notebooks/ with the AWS emulator
#   make test   set up what the tests need and run lint, unit, notebook and browser tests

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.tipsim-installed

.PHONY: lab test venv browser-deps lint typecheck test-localstack bench emulator-start emulator-stop images clean

venv: $(STAMP)

# Re-installs only when pyproject.toml changes (or the venv is missing).
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "[tipsim] creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "[tipsim] installing tipsim and its dependencies into $(VENV) (first time: ~1 min)"
	@$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install -q --disable-pip-version-check -e ".[dev]"
	@touch $(STAMP)

lab: venv
	@$(BIN)/python -m tipsim.lab

# Chromium for the real-browser tests: installed when missing and we are root;
# otherwise the browser tests report themselves skipped with the reason.
browser-deps:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
		echo "[tipsim] installing chromium for the browser tests (apt-get)"; \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
		|| echo "[tipsim] could not install chromium: browser tests will be skipped"; \
	else \
		echo "[tipsim] chromium not found and not root: install it (apt-get install chromium) to run the browser tests; they will be skipped"; \
	fi

lint: venv
	@echo "[tipsim] lint (ruff)"
	@$(BIN)/ruff check tipsim tests benchmarks scripts notebooks

# Layers (import-linter contracts in pyproject.toml) and types (mypy over tipsim/).
typecheck: venv
	@echo "[tipsim] layers (import-linter) and types (mypy)"
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/mypy

test: venv browser-deps lint
	@echo "[tipsim] unit, notebook (nbmake) and browser tests"
	@$(BIN)/python -m pytest --nbmake tests notebooks

test-localstack: venv
	@$(BIN)/python scripts/test_localstack.py

bench: venv
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

emulator-start: venv
	@$(BIN)/tipsim emulator start

emulator-stop: venv
	@$(BIN)/tipsim emulator stop

images: venv
	@$(BIN)/python scripts/export_readme_images.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

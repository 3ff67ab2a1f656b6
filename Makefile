# tipsim: two commands for a newcomer (see README.md)
#   make lab    set up the runtime (once) and run JupyterLab on notebooks/ with the AWS emulator
#   make test   add the test extra and run lint, unit, notebook and browser tests
# For workshop hosts: make check (pre-flight), make wheelhouse (offline install),
# make present (Voila dashboards), .venv/bin/tipsim board serve (the room board).

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
LAB_STAMP  := $(VENV)/.tipsim-lab
TEST_STAMP := $(VENV)/.tipsim-test

# Offline install: with wheels in wheelhouse/ (make wheelhouse), every install uses them and
# nothing else: no index, and no pip configuration of this machine (PIP_CONFIG_FILE=/dev/null
# skips the config files, --isolated the PIP_* variables).
WHEELHOUSE ?= wheelhouse
PLATFORMS  ?=
PYTHONS    ?=
OFFLINE    := $(wildcard $(WHEELHOUSE)/*.whl)
ifneq ($(OFFLINE),)
PIP := PIP_CONFIG_FILE=/dev/null $(BIN)/python -m pip --isolated install -q \
       --disable-pip-version-check --no-index --find-links $(WHEELHOUSE)
FROM := from $(WHEELHOUSE)/ (offline: no network used)
else
PIP := $(BIN)/python -m pip install -q --disable-pip-version-check
FROM := from the package index
endif

.PHONY: lab test timings venv venv-test browser-deps lint typecheck test-localstack bench \
	emulator-start emulator-stop images clean check wheelhouse present

venv: $(LAB_STAMP)
venv-test: $(TEST_STAMP)

# The runtime: re-installed only when pyproject.toml changes (or the venv is missing).
# The build backend is installed first and used in place (--no-build-isolation), so that an
# offline install needs nothing but the wheelhouse.
$(LAB_STAMP): pyproject.toml
	@test -x $(BIN)/python || { echo "[tipsim] creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@echo "[tipsim] installing the kit's runtime into $(VENV) $(FROM) (first time: a few minutes)"
	@$(PIP) --upgrade pip "setuptools>=68"
	@$(PIP) --no-build-isolation -e .
	@touch $(LAB_STAMP)

# The test extra: pytest, nbmake, Playwright, kaleido, ruff, mypy, import-linter, jupytext.
$(TEST_STAMP): $(LAB_STAMP) pyproject.toml
	@echo "[tipsim] installing the test extra into $(VENV) $(FROM)"
	@$(PIP) --no-build-isolation -e ".[test]"
	@touch $(TEST_STAMP)

lab: venv
	@$(BIN)/python -m tipsim.lab

# Pre-flight for attendees, the day before: one line, ready or not ready with the fix.
check: venv
	@$(BIN)/tipsim doctor --preflight

# Facilitator guide: time every notebook section headless on this machine, write
# docs/timings.csv, and regenerate the guide's agenda tables from it.
timings: venv-test
	@$(BIN)/python scripts/timings.py
	@$(BIN)/python scripts/guide_tables.py

# Presenter mode: every notebook as a Voila dashboard, a landing page of the scenarios.
present: venv
	@$(BIN)/python -m tipsim.present

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

lint: venv-test
	@echo "[tipsim] lint (ruff)"
	@$(BIN)/ruff check tipsim tests benchmarks scripts notebooks

# Layers (import-linter contracts in pyproject.toml) and types (mypy over tipsim/).
typecheck: venv-test
	@echo "[tipsim] layers (import-linter) and types (mypy)"
	@$(BIN)/lint-imports --no-cache
	@$(BIN)/mypy

test: venv-test browser-deps lint typecheck
	@echo "[tipsim] the examples in docstrings (doctest)"
	@$(BIN)/python -m pytest -q -p no:cacheprovider --doctest-modules tipsim
	@echo "[tipsim] unit, notebook (nbmake) and browser tests"
	@$(BIN)/python -m pytest --nbmake tests notebooks

test-localstack: venv-test
	@$(BIN)/python scripts/test_localstack.py

bench: venv-test
	@for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

emulator-start: venv
	@$(BIN)/tipsim emulator start

emulator-stop: venv
	@$(BIN)/tipsim emulator stop

images: venv-test
	@$(BIN)/python scripts/export_readme_images.py

# Every wheel the kit needs (runtime, test extra, build backend, pip) for this machine, or
# for others: make wheelhouse PLATFORMS="macosx_11_0_arm64 manylinux2014_x86_64" PYTHONS="3.11 3.12"
wheelhouse:
	@$(PYTHON) scripts/wheelhouse.py --dest $(WHEELHOUSE) --platforms "$(PLATFORMS)" --pythons "$(PYTHONS)"

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

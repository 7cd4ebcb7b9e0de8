# Everything a fresh machine needs is installed here, into .venv, on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types cov bench clean client
CLIENT := client-vscode

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	@echo "== agent definition files in examples/workspace =="
	@$(BIN)/agent-lsp check examples/workspace || true
	@echo
	@echo "== backend-developer suggestions for examples/backend (offline engine) =="
	@$(BIN)/agent-lsp suggest examples/backend

test: $(STAMP) lint types client
	$(BIN)/python -m coverage erase
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=85

# The VS Code client: npm ci, type-check, unit tests (node:test), bundle, package the .vsix.
client: $(CLIENT)/node_modules/.installed
	cd $(CLIENT) && npm run --silent typecheck
	cd $(CLIENT) && npm test --silent
	cd $(CLIENT) && npm run --silent build
	cd $(CLIENT) && npm run --silent package
	@ls -l $(CLIENT)/agent-lsp.vsix

$(CLIENT)/node_modules/.installed: $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench

types: $(STAMP)
	$(BIN)/mypy server

bench: $(STAMP)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_lsp.py 20
	$(BIN)/python bench/bench_memory.py 1000

clean:
	rm -rf $(CLIENT)/node_modules $(CLIENT)/dist $(CLIENT)/out
	rm -rf $(VENV) .coverage .coverage.* .mypy_cache .pytest_cache .ruff_cache

# Everything a fresh machine needs is installed here, into .venv, on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint types cov bench clean client lock upgrade settings postgres
CLIENT := client-vscode

# Installs exactly what requirements/dev.txt pins, hashes checked: every dependency, dev ones,
# the build backend and uv itself. The lock is uv's universal resolution of pyproject.toml's ranges.
LOCK := requirements/dev.txt
UV_VERSION := $(shell sed -n 's/^uv==\([^ ;]*\).*/\1/p' $(LOCK))
UV := UV_PYTHON_DOWNLOADS=never VIRTUAL_ENV=$(VENV) $(BIN)/uv
COMPILE := $(UV) pip compile pyproject.toml --extra dev --universal --generate-hashes \
	--python-version 3.10 --quiet -o $(LOCK)

$(STAMP): pyproject.toml $(LOCK)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(UV) pip sync --quiet --require-hashes --python $(BIN)/python $(LOCK)
	$(UV) pip install --quiet --no-deps --no-build-isolation --python $(BIN)/python -e .
	touch $(STAMP)

# `make lock` after editing pyproject.toml's ranges; `make upgrade` re-resolves everything to the
# newest versions. Either way: commit the new lock once `make test` is green.
lock: $(STAMP)
	$(COMPILE)
upgrade: $(STAMP)
	$(COMPILE) --upgrade
	rm -f $(STAMP)
	$(MAKE) $(STAMP)

run: $(STAMP)
	@echo "== agent definition files in examples/workspace =="
	@$(BIN)/subagent-lsp check examples/workspace || true
	@echo
	@echo "== backend-developer suggestions for examples/backend (offline engine) =="
	@$(BIN)/subagent-lsp suggest examples/backend
	@echo
	@echo "== a PostgreSQL app: indexes proven on a throwaway PostgreSQL (examples/postgres) =="
	@$(BIN)/subagent-lsp suggest --kind index examples/postgres

test: $(STAMP) postgres lint types client
	$(BIN)/python -m coverage erase
	$(BIN)/python -m pytest --cov --cov-report=term --cov-fail-under=85

# The index proofs' PostgreSQL (server binaries + HypoPG, Debian packages), only when missing.
postgres:
	bash .ci/install-postgres

# The VS Code client: npm ci, type-check, unit tests (node:test), bundle, package the .vsix.
client: $(CLIENT)/node_modules/.installed
	cd $(CLIENT) && npm run --silent typecheck
	cd $(CLIENT) && npm test --silent
	cd $(CLIENT) && npm run --silent build
	cd $(CLIENT) && npm run --silent package
	@ls -l $(CLIENT)/subagent-lsp.vsix

$(CLIENT)/node_modules/.installed: $(CLIENT)/package-lock.json
	cd $(CLIENT) && npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# After changing server/subagent_lsp/settings_model.py: rewrites what is made from it (package.json's
# settings, the client's key lists, the README tables, settings_table.py). A test fails until then.
settings: $(STAMP)
	$(BIN)/python -m subagent_lsp.settings_gen

# The packaged extension in a real VS Code (code-server in headless Chromium), through its UI;
# not part of `make test` (.ci/run calls it after). The first run installs code-server into a cache
# keyed by client-vscode/e2e/package-lock.json; screenshots go to client-vscode/e2e/screenshots/.
.PHONY: vscode-e2e
vscode-e2e: $(STAMP) client
	PYTHON=$(abspath $(BIN)/python) bash $(CLIENT)/e2e/setup.sh
	cd $(CLIENT)/e2e && SUBAGENT_LSP_SERVER=$(abspath $(BIN)/subagent-lsp) node --test vscode.test.mjs

lint: $(STAMP)
	$(BIN)/ruff check server tests bench
	$(BIN)/ruff format --check server tests bench

types: $(STAMP)
	$(BIN)/mypy server

bench: $(STAMP)
	$(BIN)/python bench/bench_check.py
	$(BIN)/python bench/bench_startup.py
	$(BIN)/python bench/bench_lsp.py 20
	$(BIN)/python bench/bench_pgproof.py
	$(BIN)/python bench/bench_memory.py 1000

clean:
	rm -rf $(CLIENT)/node_modules $(CLIENT)/dist $(CLIENT)/out
	rm -rf $(VENV) .coverage .coverage.* .mypy_cache .pytest_cache .ruff_cache

# The differential oracle (not part of `make test`): installs the pinned Claude Code release with
# npm into .cache/oracle/, runs it offline on tests/oracle_fixtures/ and ../shared/corpus, and
# writes tests/golden/claude_code_truth.json. Cached per file content; see oracle/README.md.
.PHONY: oracle
oracle: $(STAMP)
	$(BIN)/python -m oracle $(ORACLE_ARGS)

# The release's own tool tables (oracle/facts.py), printed; `make oracle` probes every name in
# them and the truth-file test compares them with spec.py (test_spec_knows_the_release_tables).
.PHONY: facts
facts: $(STAMP)
	$(BIN)/python -m oracle.facts
	$(BIN)/python -m pytest -q -p no:randomly tests/test_claude_code_truth.py -k "release or spec"

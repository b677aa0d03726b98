# footfall — the two commands of the quick start are `make demo` and `make test`.
VENV    ?= .venv
PY      := $(VENV)/bin/python
EXTRAS  := server,beam,spark,orchestration,ml,aws,infra,bench,dev
# checkov pins old versions of packages the project shares (packaging, tabulate, networkx): its own venv
TOOLS   ?= .venv-tools
CHECKOV := checkov>=3.2
UV      := $(shell command -v uv 2>/dev/null)
# the browser tests and screenshots drive Debian's Chromium, never a browser Playwright downloads
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: install tools test demo lint format docs bench clean chromium screenshots

install: $(VENV)/.installed  ## build .venv with every extra; .venv/bin/footfall is the CLI

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	@if [ -n "$(UV)" ]; then uv=$(UV); else $(PY) -m pip install -q uv && uv=$(VENV)/bin/uv; fi; \
	  $$uv pip install --python $(PY) -e ".[$(EXTRAS)]"
	@touch $@

tools: $(TOOLS)/.installed  ## build .venv-tools with checkov (the policy check of the synthesized CloudFormation)

$(TOOLS)/.installed: Makefile
	@test -x $(TOOLS)/bin/python || python3 -m venv $(TOOLS)
	@if [ -n "$(UV)" ]; then uv=$(UV); else $(TOOLS)/bin/python -m pip install -q uv && uv=$(TOOLS)/bin/uv; fi; \
	  $$uv pip install -q --python $(TOOLS)/bin/python "$(CHECKOV)"
	@touch $@

test: install tools chromium  ## run the whole test suite (PostgreSQL tests start a throwaway server or skip with a reason)
	$(VENV)/bin/pytest $(PYTEST_ARGS)

chromium:  ## install Debian's Chromium for the browser tests when missing and we can (root with apt); never fails
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get install -y -q chromium >/dev/null 2>&1 || \
	      { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; } || true; \
	  fi; \
	  test -x /usr/bin/chromium || echo "Chromium is not installed (needs root and apt): browser tests will skip"; \
	fi

screenshots: install chromium  ## regenerate docs/screenshots/*.png from the demo's data (each dashboard page)
	$(PY) scripts/screenshots.py

demo: install  ## generate sample data, run every pipeline into the embedded warehouse, serve the dashboard (ORCHESTRATE=1: and Dagster on :3000)
	$(VENV)/bin/footfall demo $(if $(ORCHESTRATE),--orchestrate)

lint: install  ## ruff and mypy --strict
	$(VENV)/bin/ruff check src tests scripts benchmarks deploy
	$(VENV)/bin/mypy

bench: install  ## run the benchmarks (inputs are generated once into benchmarks/.cache; about an hour; serve needs wrk)
	$(PY) -m benchmarks.sessionize --sizes 1M,10M
	$(PY) -m benchmarks.incremental
	$(PY) -m benchmarks.metrics_api
	$(PY) -m benchmarks.serve
	$(PY) -m benchmarks.recsys
	$(PY) -m benchmarks.ml

docs: install  ## regenerate generated documents (SQL with output)
	$(PY) scripts/render_rewards_doc.py

format: install
	$(VENV)/bin/ruff check --fix src tests scripts benchmarks deploy
	$(VENV)/bin/ruff format src tests scripts benchmarks deploy

clean:
	rm -rf $(VENV) $(TOOLS) footfall-data .pytest_cache .mypy_cache .ruff_cache

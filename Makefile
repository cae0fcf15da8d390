# Pishkhan — `make run` starts everything; `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run up down test audit docs lint typecheck unit tools browser venv clean

run: tools
	$(PY) -m pishkhan_local run

up: tools
	$(PY) -m pishkhan_local up

down:
	@if [ -x $(PY) ]; then $(PY) -m pishkhan_local down; fi

test: tools browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/hadolint deploy/docker/Dockerfile
	$(VENV)/bin/check-jsonschema --builtin-schema vendor.compose-spec deploy/compose.yaml
	set -o pipefail; for k in base overlays/production; do \
	    $(VENV)/bin/kubectl kustomize deploy/k8s/$$k | $(VENV)/bin/kubernetes-validate -k 1.30.0 --strict --quiet - || exit 1; \
	done
	$(VENV)/bin/mypy -p contracts -p servicekit -p intake -p routing -p consultation -p notify -p pishkhan_local
	$(PY) -m pishkhan_local.audit
	$(PY) -m pytest

audit: venv
	$(PY) -m pishkhan_local.audit

docs: venv
	$(PY) -m pishkhan_local.docs

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

tools: venv
	@deploy/local/build-store.sh
	@deploy/local/ensure-rabbitmq.sh

browser:
	@deploy/local/ensure-browser.sh

venv: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt services/*/pyproject.toml deploy/local/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -r requirements-dev.txt \
	    -e services/contracts -e services/servicekit -e services/intake -e services/routing \
	    -e services/consultation -e services/notify -e deploy/local
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache

# Pishkhan — `make run` starts everything; `make test` checks everything.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# Every installable package of the repository (each has its own pyproject.toml).
PACKAGES := services/contracts services/servicekit services/intake services/routing \
    services/consultation services/notify deploy/local deploy/bench deploy/chaos

.PHONY: run up down test audit docs lint typecheck unit tools browser venv clean bench chaos

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
	$(VENV)/bin/mypy -p contracts -p servicekit -p intake -p routing -p consultation -p notify -p pishkhan_local -p pishkhan_bench -p pishkhan_chaos
	@# every package declares what it imports (deptry: nothing missing, unused or only transitive)
	for p in $(PACKAGES); do echo "deptry $$p"; (cd $$p && $(CURDIR)/$(VENV)/bin/deptry --no-ansi .) || exit 1; done
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

bench: tools
	$(PY) -m pishkhan_bench $(if $(QUICK),--quick)

# The fault campaign: RUNS seeded runs (SEED: the first seed, random if unset) of DURATION seconds.
# It restarts RabbitMQ, on a node of its own (PRIVATE_BROKER=0: the machine's broker, every vhost on
# it goes down with it); BROKER_RESTARTS=0 leaves the broker running.
RUNS ?= 1
DURATION ?= 60
BROKER_RESTARTS ?= 1
PRIVATE_BROKER ?= 1
chaos: tools
	$(PY) -m pishkhan_chaos --runs $(RUNS) --duration $(DURATION) $(if $(SEED),--seed $(SEED)) \
	    $(if $(filter 1,$(BROKER_RESTARTS)),--broker-restarts $(if $(filter 1,$(PRIVATE_BROKER)),--private-broker))

browser:
	@deploy/local/ensure-browser.sh

venv: $(STAMP)

$(STAMP): constraints.txt requirements-dev.txt services/*/pyproject.toml deploy/local/pyproject.toml deploy/bench/pyproject.toml deploy/chaos/pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -c constraints.txt -r requirements-dev.txt \
	    -e services/contracts -e services/servicekit -e services/intake -e services/routing \
	    -e services/consultation -e services/notify -e deploy/local -e deploy/bench -e deploy/chaos
	@touch $(STAMP)

clean:
	rm -rf $(VENV) .tools .mypy_cache .ruff_cache .pytest_cache

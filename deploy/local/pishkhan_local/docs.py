"""Write (or check) each service's OpenAPI and AsyncAPI documents under `docs/`.

`python -m pishkhan_local.docs` rewrites them; `--check` exits 1 when the committed files
differ from what the code describes now (the test suite runs that check).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path
from typing import Any

from faststream.specification import AsyncAPI

from pishkhan_local.cluster import ROOT, SERVICES

DOCS = ROOT / "docs"
# Placeholders: building an app connects to nothing, and the documents must not vary by machine.
PLACEHOLDER_SETTINGS = {
    "mongodb_url": "mongodb://mongodb:27017/{service}",
    "amqp_url": "amqp://rabbitmq:5672/",
    "jwt_secret": "x" * 32,
}


def documents(service: str) -> dict[str, Any]:
    app_module = importlib.import_module(f"{service}.app")
    settings_module = importlib.import_module(f"{service}.settings")
    settings_type = next(
        getattr(settings_module, name)
        for name in dir(settings_module)
        if name.endswith("Settings") and name != "ServiceSettings"
    )
    values = {key: value.format(service=service) for key, value in PLACEHOLDER_SETTINGS.items()}
    app = app_module.create_app(settings_type(**values))
    asyncapi = AsyncAPI(app.state.bus.broker, title=f"Pishkhan {service} events", version=app.version)
    # the same document the running service serves at /asyncapi.json
    return {"openapi.json": app.openapi(), "asyncapi.json": asyncapi.to_specification().to_jsonable()}


def render(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def stale() -> list[Path]:
    """The document files that differ from what the code describes now."""
    differing = []
    for service in SERVICES:
        for name, document in documents(service).items():
            path = DOCS / service / name
            if not path.exists() or path.read_text(encoding="utf-8") != render(document):
                differing.append(path)
    return differing


def write() -> None:
    for service in SERVICES:
        for name, document in documents(service).items():
            path = DOCS / service / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(document), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when the committed documents are stale")
    if parser.parse_args().check:
        differing = stale()
        for path in differing:
            print(f"stale: {path.relative_to(ROOT)} (run `make docs`)", file=sys.stderr)
        return 1 if differing else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())

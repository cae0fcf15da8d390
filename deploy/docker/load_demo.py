"""Load the demo data into a running stack, once: the compose `demo-data` job.

Reads PISHKHAN_JWT_SECRET (the services' shared secret) and the services' base URLs
from DEMO_<SERVICE>_URL, waits until each answers /readyz, mints a short-lived admin
token and calls `pishkhan_local.demo.load`. Prints the demo office's API key and
keeps it in DEMO_STATE_DIR (a volume), so a second `docker compose up` loads nothing twice.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import httpx

from pishkhan_local import demo

SERVICES = ("intake", "routing", "consultation", "notify")
DEFAULT_URLS = {
    "intake": "http://intake:8001",
    "routing": "http://routing:8002",
    "consultation": "http://consultation:8003",
    "notify": "http://notify:8004",
}


def wait_ready(urls: dict[str, str], deadline_seconds: float = 120.0) -> None:
    deadline = time.monotonic() + deadline_seconds
    for service, url in urls.items():
        while True:
            try:
                if httpx.get(f"{url}/readyz", timeout=3.0).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"demo-data: {service} at {url} is not ready")
            time.sleep(2.0)


def main() -> int:
    secret = os.environ.get("PISHKHAN_JWT_SECRET")
    if not secret:
        print("demo-data: set PISHKHAN_JWT_SECRET to the services' JWT secret", file=sys.stderr)
        return 2
    marker = Path(os.environ.get("DEMO_STATE_DIR", "/state")) / "demo-office-api-key"
    if marker.exists():
        print(f"demo-data: already loaded (remove {marker} to load again)")
        return 0
    urls = {s: os.environ.get(f"DEMO_{s.upper()}_URL", DEFAULT_URLS[s]).rstrip("/") for s in SERVICES}
    wait_ready(urls)
    api_key = demo.load_with_secret(urls, secret)
    marker.write_text(api_key + "\n")
    print(f"demo-data: loaded; the demo office's API key is {api_key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

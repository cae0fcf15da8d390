"""Ceiling (a): a bare FastAPI endpoint that stores one document, served like the services are.

`python -m pishkhan_bench.ceiling_app --port P --mongodb-url URL`: the same uvicorn
settings as `servicekit.serve`, the same driver settings as `servicekit.store`,
one `insert_one` per request and nothing else.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import uvicorn
from fastapi import Body, FastAPI

from servicekit.store import Store


def create_app(mongodb_url: str) -> FastAPI:
    store = Store(mongodb_url, "ceiling")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await store.close()

    app = FastAPI(lifespan=lifespan)
    documents = store.collection("documents")

    @app.get("/readyz")
    async def readyz() -> dict[str, str]:
        return {"status": "ready" if await store.ping() else "waiting"}

    @app.post("/v1/requests", status_code=201)
    async def insert(body: dict[str, Any] = Body(...)) -> dict[str, str]:
        tracking_code = uuid.uuid4().hex[:12]
        await documents.insert_one({"_id": tracking_code, "body": body, "at": datetime.now(UTC)})
        return {"tracking_code": tracking_code, "request_id": tracking_code}

    return app


def main() -> int:
    parser = argparse.ArgumentParser(prog="pishkhan_bench.ceiling_app", description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mongodb-url", required=True)
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.mongodb_url), host="127.0.0.1", port=args.port, log_config=None, access_log=False
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

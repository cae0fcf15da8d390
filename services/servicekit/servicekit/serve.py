"""Run one service: settings from the environment, logs configured, uvicorn serving."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI
from pydantic import ValidationError

from servicekit.logs import configure_logging
from servicekit.settings import ServiceSettings, describe_errors

S = TypeVar("S", bound=ServiceSettings)


def serve(service: str, prefix: str, settings_type: type[S], create_app: Callable[[S], FastAPI]) -> int:
    try:
        settings = settings_type()  # type: ignore[call-arg]  # read from the environment
    except ValidationError as error:
        print(f"{service}: cannot start, configuration is incomplete or wrong:", file=sys.stderr)
        print(describe_errors(prefix, error), file=sys.stderr)
        return 2
    configure_logging(service, settings.log_level, settings.log_json)
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        # HTTP requests in flight get 5 s, then the bus its own 5 s (servicekit.bus): a service
        # stops within the ten seconds it promises, well inside Kubernetes' thirty.
        timeout_graceful_shutdown=5,
    )
    return 0

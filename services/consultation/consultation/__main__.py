"""`python -m consultation` (or `pishkhan-consultation`): serve the API from environment settings."""

from __future__ import annotations

import sys

from fastapi import FastAPI

from consultation.app import create_app
from consultation.settings import ConsultationSettings
from servicekit.serve import serve
from servicekit.settings import ServiceSettings


def _create(settings: ServiceSettings) -> FastAPI:
    assert isinstance(settings, ConsultationSettings)
    return create_app(settings)


def main() -> int:
    return serve("consultation", "CONSULTATION_", ConsultationSettings, _create)


if __name__ == "__main__":
    sys.exit(main())

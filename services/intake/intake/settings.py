from pydantic import Field

from servicekit.settings import ServiceSettings, service_config


class IntakeSettings(ServiceSettings):
    model_config = service_config("INTAKE_")

    http_port: int = 8001
    contact_retention_days: int = Field(
        default=365,
        ge=1,
        description="a finished request's mobile and e-mail are erased this many days later",
    )
    retention_scan_seconds: float = Field(default=3600.0, gt=0, description="how often the erasure job runs")

from datetime import timedelta

from pydantic import Field

from servicekit.settings import ServiceSettings, service_config


class RoutingSettings(ServiceSettings):
    model_config = service_config("ROUTING_")

    http_port: int = 8002
    triage_unit_id: str = Field(default="triage", description="unit for requests no rule matches")
    default_sla_hours: int = Field(default=72, ge=1, description="when a request carries no SLA of its own")
    warning_share: float = Field(default=0.75, gt=0, lt=1, description="share of the SLA that warns the unit")
    overdue_step_hours: float = Field(
        default=8.0, gt=0, description="working hours overdue per further level"
    )
    reopen_within_days: int = Field(default=30, ge=1)
    escalation_scan_seconds: float = Field(default=30.0, gt=0)
    official_holidays_scan_seconds: float = Field(
        default=86_400.0, gt=0, description="how often calendars get the coming year's official holidays"
    )
    calendar_recompute_seconds: float = Field(
        default=60.0, gt=0, description="how often a calendar change left unfinished is taken up again"
    )

    @property
    def overdue_step(self) -> timedelta:
        return timedelta(hours=self.overdue_step_hours)

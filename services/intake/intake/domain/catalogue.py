"""The service catalogue: what a citizen can ask for, with its شناسه خدمت (service ID)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ServiceCode = str


class AttributeDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    description_fa: str
    required: bool = False
    order: int = 0
    values: dict[str, str] = Field(default_factory=dict, description="key → Persian name, for lists")


class ServiceDefinition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    service_code: ServiceCode = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
    name_fa: str
    name_en: str
    group: str
    keywords: list[str] = Field(default_factory=list)
    description_fa: str = ""
    georeport_type: Literal["realtime", "batch", "blackbox"] = "realtime"
    attributes: list[AttributeDefinition] = Field(default_factory=list)
    fee_rials: int = Field(default=0, ge=0)
    location_required: bool = False
    open311_public: bool = Field(
        default=False,
        description="its requests appear in the public Open311 reads: problems in public space, "
        "never applications about a person or a property",
    )
    sla_hours: int = Field(
        default=72, ge=1, description="default SLA in working hours (routing runs the clock)"
    )
    duplicate_radius_m: int = Field(
        default=50, ge=0, le=5000, description="open requests this near are flagged"
    )
    active_from: AwareDatetime | None = None
    active_until: AwareDatetime | None = None

    def is_active(self, at: datetime) -> bool:
        started = self.active_from is None or self.active_from <= at
        return started and (self.active_until is None or at < self.active_until)


class AttributeProblem(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_attributes(service: ServiceDefinition, attributes: dict[str, Any]) -> None:
    """Unknown codes and missing required attributes are refused; datatypes are checked."""
    known = {attribute.code: attribute for attribute in service.attributes}
    for code in attributes:
        if code not in known:
            raise AttributeProblem(code, f"unknown attribute {code!r} for {service.service_code}")
    for attribute in service.attributes:
        value = attributes.get(attribute.code)
        if value is None or value == "" or value == []:
            if attribute.required:
                raise AttributeProblem(attribute.code, f"attribute {attribute.code!r} is required")
            continue
        _check_value(attribute, value)


def _check_value(attribute: AttributeDefinition, value: Any) -> None:
    match attribute.datatype:
        case "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        case "singlevaluelist":
            ok = isinstance(value, str) and value in attribute.values
        case "multivaluelist":
            ok = isinstance(value, list) and all(item in attribute.values for item in value)
        case "datetime":
            ok = isinstance(value, str) and _is_iso_datetime(value)
        case _:
            ok = isinstance(value, str)
    if not ok:
        raise AttributeProblem(attribute.code, f"attribute {attribute.code!r} expects {attribute.datatype}")


def _is_iso_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True

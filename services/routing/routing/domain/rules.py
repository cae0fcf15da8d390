"""Which unit must act on a request: the most specific matching rule wins."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field


class Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,47}$")
    name_fa: str
    name_en: str
    district: str | None = None
    parent_unit_id: str | None = Field(default=None, description="where escalations go")


class RoutingRule(BaseModel):
    """Send `service_code` requests from `district` to `unit_id`; a missing field matches anything."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,47}$")
    service_code: str | None = None
    district: str | None = None
    unit_id: str
    priority: int = Field(default=0, description="breaks ties between equally specific rules")


def _specificity(rule: RoutingRule) -> tuple[int, int, int]:
    return (rule.service_code is not None, rule.district is not None, rule.priority)  # type: ignore[return-value]


def choose_rule(rules: Sequence[RoutingRule], service_code: str, district: str | None) -> RoutingRule | None:
    matching = [
        rule
        for rule in rules
        if rule.service_code in (None, service_code) and rule.district in (None, district)
    ]
    return max(matching, key=_specificity, default=None)

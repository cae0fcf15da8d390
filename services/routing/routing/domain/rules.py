"""Which unit must act on a request: units, districts, and the most specific rule in force."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

Code = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,47}$")


class UnitKind(StrEnum):
    MUNICIPALITY = "municipality"
    DISTRICT_OFFICE = "district_office"
    DEPARTMENT = "department"


class Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    unit_id: str = Code
    name_fa: str
    name_en: str
    kind: UnitKind = UnitKind.DEPARTMENT
    parent_unit_id: str | None = None
    district: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    calendar_id: str = "default"
    escalates_to: str | None = Field(default=None, description="the unit that takes over overdue cases")
    active: bool = True


class RoutingRule(BaseModel):
    """Send `service_code` requests from `district` to `unit_id`; a missing field matches anything."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str = Code
    service_code: str | None = None
    district: str | None = None
    unit_id: str
    priority: int = Field(default=0, description="breaks ties between equally specific rules")
    effective_from: date | None = None
    effective_until: date | None = Field(default=None, description="last day the rule applies")

    def in_force(self, day: date) -> bool:
        started = self.effective_from is None or self.effective_from <= day
        return started and (self.effective_until is None or day <= self.effective_until)

    def describe(self) -> str:
        service = self.service_code or "any service"
        district = f"district {self.district}" if self.district else "any district"
        return f"rule {self.rule_id}: {service} from {district}"


class District(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district: str = Field(min_length=1, max_length=32)
    name_fa: str
    boundary: dict[str, Any] = Field(description="GeoJSON Polygon or MultiPolygon, [long, lat] order")

    @field_validator("boundary")
    @classmethod
    def _polygon(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            geometry = shape(value)
        except (ValueError, TypeError, AttributeError, KeyError) as error:
            raise ValueError("not a GeoJSON geometry") from error
        if geometry.geom_type not in ("Polygon", "MultiPolygon") or not geometry.is_valid:
            raise ValueError("a district boundary must be a valid Polygon or MultiPolygon")
        return value

    def geometry(self) -> BaseGeometry:
        return shape(self.boundary)


def choose_rule(
    rules: Sequence[RoutingRule], service_code: str, district: str | None, day: date | None = None
) -> RoutingRule | None:
    """Service + district beats service beats district beats catch-all; then priority."""
    matching = [
        rule
        for rule in rules
        if rule.service_code in (None, service_code)
        and rule.district in (None, district)
        and (day is None or rule.in_force(day))
    ]
    return max(matching, key=_specificity, default=None)


def _specificity(rule: RoutingRule) -> tuple[bool, bool, int]:
    return (rule.service_code is not None, rule.district is not None, rule.priority)


def find_district(districts: Sequence[District], lat: float, long: float) -> str | None:
    point = Point(long, lat)
    for district in districts:
        if district.geometry().covers(point):
            return district.district
    return None

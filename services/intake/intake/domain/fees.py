"""Fees and discount rules: the catalogue's fee, less what a valid claim earns today.

Rules are configuration: an eligible group, a window of Jalali dates, a percentage,
whether it stacks with other rules and whether proof is required. (Ardabil's council
approved 20% for teachers, veterans and army personnel on their national days.)
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

import jdatetime
from pydantic import BaseModel, ConfigDict, Field, field_validator

from intake.domain.persian import ascii_digits


class EligibleGroup(StrEnum):
    TEACHER = "teacher"
    VETERAN = "veteran"  # جانبازان
    ARMY = "army"
    MARTYR_FAMILY = "martyr_family"
    DISABLED = "disabled"


def parse_jalali(value: str) -> jdatetime.date:
    """`1405/02/12` (Persian digits accepted) → a Jalali date."""
    year, month, day = (int(part) for part in ascii_digits(value).replace("-", "/").split("/"))
    return jdatetime.date(year, month, day)


class DiscountRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rule_id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{1,47}$")
    name_fa: str
    group: EligibleGroup
    percent: int = Field(ge=1, le=100)
    valid_from: str = Field(description="first Jalali day, e.g. 1405/02/12", examples=["1405/02/12"])
    valid_to: str = Field(description="last Jalali day, inclusive", examples=["1405/02/12"])
    stackable: bool = False
    proof_required: bool = True
    services: list[str] | None = Field(default=None, description="service codes; null: every service")

    @field_validator("valid_from", "valid_to")
    @classmethod
    def _jalali(cls, value: str) -> str:
        try:
            return str(parse_jalali(value).strftime("%Y/%m/%d"))
        except (ValueError, TypeError) as error:
            raise ValueError("a Jalali date as YYYY/MM/DD") from error

    def in_force(self, today: date) -> bool:
        jalali_today = jdatetime.date.fromgregorian(date=today)
        return bool(parse_jalali(self.valid_from) <= jalali_today <= parse_jalali(self.valid_to))

    def covers(self, service_code: str) -> bool:
        return self.services is None or service_code in self.services


class DiscountClaim(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    group: EligibleGroup
    proof_reference: str | None = Field(default=None, max_length=100, description="e.g. a staff card number")


class AppliedDiscount(BaseModel):
    rule_id: str
    name_fa: str
    percent: int
    amount_rials: int


class FeeBreakdown(BaseModel):
    base_rials: int
    discounts: list[AppliedDiscount] = Field(default_factory=list)
    total_rials: int
    claim: str | None = Field(default=None, description="applied, or why a claim did not apply")
    claim_fa: str | None = None


def price(
    base_rials: int, service_code: str, claim: DiscountClaim | None, rules: list[DiscountRule], today: date
) -> FeeBreakdown:
    if claim is None:
        return FeeBreakdown(base_rials=base_rials, total_rials=base_rials)
    for_group = [rule for rule in rules if rule.group is claim.group and rule.covers(service_code)]
    in_force = [rule for rule in for_group if rule.in_force(today)]
    usable = [rule for rule in in_force if not rule.proof_required or claim.proof_reference]
    if not usable:
        reason, reason_fa = _why_not(for_group, in_force)
        return FeeBreakdown(base_rials=base_rials, total_rials=base_rials, claim=reason, claim_fa=reason_fa)
    chosen = _combine(usable)
    discounts = _split(base_rials, chosen)
    total = base_rials - sum(item.amount_rials for item in discounts)
    return FeeBreakdown(
        base_rials=base_rials,
        discounts=discounts,
        total_rials=total,
        claim="applied",
        claim_fa="تخفیف اعمال شد",
    )


def _why_not(for_group: list[DiscountRule], in_force: list[DiscountRule]) -> tuple[str, str]:
    if not for_group:
        return (
            "no discount exists for this group and service",
            "برای این گروه و این خدمت تخفیفی تعریف نشده است",
        )
    if not in_force:
        return "the discount is not in force today", "تخفیف این گروه امروز برقرار نیست"
    return "this discount requires a proof reference", "برای این تخفیف ارائه مدرک لازم است"


def _combine(rules: list[DiscountRule]) -> list[DiscountRule]:
    """Stackable rules add up; otherwise the single best rule wins."""
    stackable = [rule for rule in rules if rule.stackable]
    best = max(rules, key=lambda rule: rule.percent)
    if sum(rule.percent for rule in stackable) > best.percent:
        return stackable
    return [best]


def _split(base_rials: int, rules: list[DiscountRule]) -> list[AppliedDiscount]:
    remaining = base_rials
    applied = []
    for rule in sorted(rules, key=lambda rule: -rule.percent):
        amount = min(remaining, base_rials * rule.percent // 100)
        remaining -= amount
        applied.append(
            AppliedDiscount(
                rule_id=rule.rule_id, name_fa=rule.name_fa, percent=rule.percent, amount_rials=amount
            )
        )
    return applied

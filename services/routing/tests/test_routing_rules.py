from __future__ import annotations

from routing.domain.rules import RoutingRule, choose_rule

CATCH_ALL = RoutingRule(rule_id="catch-all", unit_id="front-desk")
DISTRICT = RoutingRule(rule_id="district-4", district="4", unit_id="district-4-office")
SERVICE = RoutingRule(rule_id="lighting", service_code="ARD-101", unit_id="lighting")
BOTH = RoutingRule(rule_id="lighting-4", service_code="ARD-101", district="4", unit_id="lighting-4")
ALL = [CATCH_ALL, DISTRICT, SERVICE, BOTH]


def chosen(rules: list[RoutingRule], service_code: str, district: str | None) -> str | None:
    rule = choose_rule(rules, service_code, district)
    return None if rule is None else rule.rule_id


def test_most_specific_rule_wins_whatever_the_order() -> None:
    for rules in (ALL, ALL[::-1], [SERVICE, BOTH, CATCH_ALL, DISTRICT]):
        assert chosen(rules, "ARD-101", "4") == "lighting-4"


def test_service_only_beats_district_only() -> None:
    assert chosen([CATCH_ALL, DISTRICT, SERVICE], "ARD-101", "4") == "lighting"
    assert chosen(ALL, "ARD-101", "7") == "lighting"


def test_district_only_beats_catch_all() -> None:
    assert chosen(ALL, "ARD-202", "4") == "district-4"


def test_catch_all_takes_the_rest() -> None:
    assert chosen(ALL, "ARD-202", "7") == "catch-all"
    assert chosen(ALL, "ARD-202", None) == "catch-all"


def test_request_without_district_matches_no_district_rule() -> None:
    assert chosen([DISTRICT, SERVICE], "ARD-101", None) == "lighting"
    assert chosen([DISTRICT], "ARD-101", None) is None


def test_priority_breaks_ties_between_equally_specific_rules() -> None:
    low = RoutingRule(rule_id="low", service_code="ARD-101", unit_id="a", priority=1)
    high = RoutingRule(rule_id="high", service_code="ARD-101", unit_id="b", priority=5)
    assert chosen([low, high], "ARD-101", "4") == "high"
    assert chosen([high, low], "ARD-101", "4") == "high"


def test_priority_does_not_beat_specificity() -> None:
    loud = RoutingRule(rule_id="loud", unit_id="front-desk", priority=1000)
    assert chosen([loud, SERVICE], "ARD-101", "4") == "lighting"
    loud_district = RoutingRule(rule_id="loud-district", district="4", unit_id="x", priority=1000)
    assert chosen([loud_district, SERVICE], "ARD-101", "4") == "lighting"


def test_nothing_matches() -> None:
    assert choose_rule([], "ARD-101", "4") is None
    assert chosen([DISTRICT, SERVICE, BOTH], "ARD-202", "7") is None

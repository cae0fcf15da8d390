from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from intake.domain.catalogue import AttributeDefinition, AttributeProblem, ServiceDefinition, check_attributes

START = datetime(2026, 3, 21, tzinfo=UTC)
END = datetime(2026, 9, 23, tzinfo=UTC)


def service(**changes: Any) -> ServiceDefinition:
    attributes = [
        AttributeDefinition(code="pole_count", datatype="number", description_fa="تعداد تیر", required=True),
        AttributeDefinition(
            code="side", datatype="singlevaluelist", description_fa="سمت", values={"n": "شمال", "s": "جنوب"}
        ),
        AttributeDefinition(
            code="kinds", datatype="multivaluelist", description_fa="نوع", values={"a": "الف", "b": "ب"}
        ),
        AttributeDefinition(code="note", datatype="string", description_fa="یادداشت"),
    ]
    values: dict[str, Any] = {
        "service_code": "ARD-101",
        "name_fa": "روشنایی معابر",
        "name_en": "Street lighting",
        "group": "lighting",
        "attributes": attributes,
    }
    return ServiceDefinition(**(values | changes))


@pytest.mark.parametrize(
    "attributes",
    [
        {"pole_count": 3},
        {"pole_count": 2.5, "side": "n", "kinds": ["a", "b"], "note": "نزدیک میدان"},
        {"pole_count": 1, "side": "", "kinds": []},
    ],
)
def test_good_attributes_pass(attributes: dict[str, Any]) -> None:
    check_attributes(service(), attributes)


@pytest.mark.parametrize(
    ("attributes", "culprit"),
    [
        ({"pole_count": 3, "colour": "red"}, "colour"),
        ({}, "pole_count"),
        ({"pole_count": None}, "pole_count"),
        ({"pole_count": ""}, "pole_count"),
        ({"pole_count": "3"}, "pole_count"),
        ({"pole_count": True}, "pole_count"),
        ({"pole_count": False}, "pole_count"),
        ({"pole_count": 1, "side": "east"}, "side"),
        ({"pole_count": 1, "side": ["n"]}, "side"),
        ({"pole_count": 1, "kinds": "a"}, "kinds"),
        ({"pole_count": 1, "kinds": ["a", "z"]}, "kinds"),
        ({"pole_count": 1, "note": 12}, "note"),
    ],
)
def test_bad_attributes_are_refused_naming_the_culprit(attributes: dict[str, Any], culprit: str) -> None:
    with pytest.raises(AttributeProblem) as caught:
        check_attributes(service(), attributes)
    assert caught.value.code == culprit


def test_service_without_dates_is_always_active() -> None:
    assert service().is_active(START)
    assert service().is_active(datetime(1990, 1, 1, tzinfo=UTC))


def test_active_window_includes_its_start_and_excludes_its_end() -> None:
    windowed = service(active_from=START, active_until=END)
    assert not windowed.is_active(START - timedelta(seconds=1))
    assert windowed.is_active(START)
    assert windowed.is_active(END - timedelta(seconds=1))
    assert not windowed.is_active(END)
    assert not windowed.is_active(END + timedelta(days=1))


def test_open_ended_windows() -> None:
    assert service(active_from=START).is_active(END + timedelta(days=3650))
    assert not service(active_from=START).is_active(START - timedelta(days=1))
    assert service(active_until=END).is_active(datetime(1990, 1, 1, tzinfo=UTC))
    assert not service(active_until=END).is_active(END)

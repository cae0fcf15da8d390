"""What an Idempotency-Key may be: a blank or malformed one is refused, never taken as no key."""

from __future__ import annotations

import uuid

import pytest

from intake.api.requests import idempotency_key
from servicekit.errors import Problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("key", [str(uuid.uuid4()), "office-7:2026-12-04:0001", "A" * 200, "12345678"])
def test_a_well_formed_key_is_taken_as_it_is(key: str) -> None:
    assert idempotency_key(key) == key


def test_no_header_is_no_key() -> None:
    assert idempotency_key(None) is None


@pytest.mark.parametrize("key", ["", " ", "1234567", "with space 123", "tab\there12", "é" * 10, "k" * 201])
def test_a_blank_or_malformed_key_is_a_400_with_persian(key: str) -> None:
    with pytest.raises(Problem) as refused:
        idempotency_key(key)
    assert refused.value.status == 400
    assert refused.value.code == "bad_idempotency_key"
    assert refused.value.detail_fa

"""Reference data kept for a few seconds."""

import pytest

from servicekit.cache import Recent

pytestmark = pytest.mark.unit


async def test_a_value_is_loaded_once_within_its_time_then_again() -> None:
    now = [0.0]
    loads: list[str] = []
    recent: Recent[str] = Recent(5.0, clock=lambda: now[0])

    async def load() -> str:
        loads.append("x")
        return f"v{len(loads)}"

    assert await recent.get("k", load) == "v1"
    now[0] = 4.9
    assert await recent.get("k", load) == "v1"
    now[0] = 5.0
    assert await recent.get("k", load) == "v2"
    recent.forget()
    assert await recent.get("k", load) == "v3"
    assert await recent.get("other", load) == "v4"

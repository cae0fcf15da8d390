"""The provider's rate, counted across processes in shared windows, with a fake clock."""

import asyncio
import math
import random
from collections import Counter

import pytest
from pymongo.errors import ServerSelectionTimeoutError

from notify.ports import Outgoing, TemporaryFailure
from notify.providers.limits import Budget, LocalWindows, RateLimited, budget

from .conftest import FakeSms

pytestmark = pytest.mark.unit

MOBILE = "+989141234567"


class FakeTime:
    """Seconds that pass only when someone waits."""

    def __init__(self, now: float = 1_790_000_000.25) -> None:
        self.now = now
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


class StampingSms(FakeSms):
    """Notes the second in which each message reached the provider."""

    def __init__(self, time: FakeTime) -> None:
        super().__init__()
        self.seconds: list[int] = []
        self._time = time

    async def send(self, message: Outgoing) -> str:
        self.seconds.append(math.floor(self._time()))
        return await super().send(message)


class BrokenWindows:
    async def take(self, key: str, window: int, capacity: int) -> bool:
        raise ServerSelectionTimeoutError("store unreachable")


def replicas(count: int, sms: FakeSms, time: FakeTime, windows: LocalWindows | None) -> list[RateLimited]:
    """`count` processes; with `windows` they share the store's counters, without it each counts alone."""
    return [
        RateLimited(sms, 3, windows or LocalWindows(), clock=time, sleep=time.sleep, rng=random.Random(n))
        for n in range(count)
    ]


async def send_all(limiters: list[RateLimited], messages: int) -> None:
    async def one(n: int) -> None:
        await limiters[n % len(limiters)].send(Outgoing(MOBILE, f"m{n}", f"n{n}"))

    await asyncio.gather(*(one(n) for n in range(messages)))


@pytest.mark.parametrize(
    ("per_second", "expected"),
    [(10, Budget(1.0, 10)), (10.9, Budget(1.0, 10)), (1, Budget(1.0, 1)), (0.2, Budget(5.0, 1))],
)
def test_the_rate_becomes_a_number_of_places_per_window(per_second: float, expected: Budget) -> None:
    assert budget(per_second) == expected


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        budget(0)


async def test_three_processes_sharing_the_windows_keep_the_rate_together_and_drop_nothing() -> None:
    time = FakeTime()
    sms = StampingSms(time)
    await send_all(replicas(3, sms, time, LocalWindows()), 20)
    assert len(sms.sent) == 20
    per_second = Counter(sms.seconds)
    assert max(per_second.values()) <= 3
    assert len(per_second) >= 7  # twenty at three a second take seven seconds at least


async def test_processes_counting_alone_would_exceed_the_rate_together() -> None:
    time = FakeTime()
    sms = StampingSms(time)
    await send_all(replicas(3, sms, time, None), 20)
    assert len(sms.sent) == 20
    assert max(Counter(sms.seconds).values()) > 3


async def test_a_full_window_waits_for_the_next_one() -> None:
    time = FakeTime(now=100.25)
    sms = StampingSms(time)
    [limiter] = replicas(1, sms, time, LocalWindows())
    await send_all([limiter], 4)
    assert sms.seconds == [100, 100, 100, 101]
    [wait] = time.waits
    assert 0.75 <= wait <= 0.75 + 0.02


async def test_a_store_outage_while_counting_is_a_temporary_failure() -> None:
    sms = FakeSms()
    limiter = RateLimited(sms, 10, BrokenWindows())
    with pytest.raises(TemporaryFailure):
        await limiter.send(Outgoing(MOBILE, "m", "n"))
    assert sms.sent == []

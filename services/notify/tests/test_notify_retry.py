import random
from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.retry import backoff_ceiling, next_attempt_at, should_give_up

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)
BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)


def test_ceiling_doubles_from_the_base_until_the_cap() -> None:
    ceilings = [backoff_ceiling(attempt) for attempt in range(1, 10)]
    assert ceilings[:4] == [BASE, BASE * 2, BASE * 4, BASE * 8]
    assert ceilings[-1] == CAP
    assert ceilings == sorted(ceilings)


def test_huge_attempt_numbers_stay_at_the_cap() -> None:
    assert backoff_ceiling(10_000) == CAP


@pytest.mark.parametrize("attempt", range(1, 16))
def test_delays_stay_within_zero_and_the_ceiling(attempt: int) -> None:
    rng = random.Random(attempt)
    ceiling = min(CAP, BASE * 2 ** (attempt - 1))
    for _ in range(200):
        delay = next_attempt_at(NOW, attempt, rng=rng) - NOW
        assert timedelta(0) <= delay <= ceiling <= CAP


def test_jitter_spreads_the_delays() -> None:
    rng = random.Random(7)
    delays = {next_attempt_at(NOW, 5, rng=rng) for _ in range(50)}
    assert len(delays) > 40


def test_the_same_seed_gives_the_same_schedule() -> None:
    first = [next_attempt_at(NOW, n, rng=random.Random(42)) for n in range(1, 8)]
    second = [next_attempt_at(NOW, n, rng=random.Random(42)) for n in range(1, 8)]
    assert first == second


def test_custom_base_and_cap() -> None:
    rng = random.Random(3)
    base, cap = timedelta(seconds=1), timedelta(seconds=5)
    for attempt in range(1, 10):
        assert next_attempt_at(NOW, attempt, base=base, cap=cap, rng=rng) - NOW <= cap


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        next_attempt_at(NOW, 0, rng=random.Random(1))


def test_give_up_once_the_attempts_are_spent() -> None:
    assert [should_give_up(attempt, 3) for attempt in (1, 2, 3, 4)] == [False, False, True, True]
    with pytest.raises(ValueError, match="at least 1"):
        should_give_up(1, 0)

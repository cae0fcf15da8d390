"""When to try a failed delivery again: exponential backoff with full jitter, up to a cap.

`attempt` counts the attempts already made, from 1: after the first failure the next try is
drawn from [0, base], after the second from [0, 2·base], and so on, never beyond `cap`.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)
# 2**64 times any sensible base is far beyond any cap; stops the float from overflowing.
_MAX_DOUBLINGS = 64


def backoff_ceiling(attempt: int, *, base: timedelta = BASE, cap: timedelta = CAP) -> timedelta:
    """The longest wait after `attempt` attempts: min(cap, base · 2^(attempt-1))."""
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    if base < timedelta(0) or cap < timedelta(0):
        raise ValueError("base and cap must not be negative")
    doublings = min(attempt - 1, _MAX_DOUBLINGS)
    seconds = min(cap.total_seconds(), base.total_seconds() * 2.0**doublings)
    return timedelta(seconds=seconds)


def next_attempt_at(
    now: datetime,
    attempt: int,
    *,
    base: timedelta = BASE,
    cap: timedelta = CAP,
    rng: random.Random,
) -> datetime:
    ceiling = backoff_ceiling(attempt, base=base, cap=cap)
    return now + timedelta(seconds=rng.uniform(0.0, ceiling.total_seconds()))


def should_give_up(attempt: int, max_attempts: int) -> bool:
    """True once `attempt` attempts have been made and no more are allowed."""
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    return attempt >= max_attempts

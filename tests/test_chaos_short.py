"""The fault campaign, short: three seeded runs of about ten seconds of faults each.

They kill service processes, crash intake between its write and its publish, restart
stores, cut this run's virtual host off the broker, and send poison and slow messages; the
full campaign (`make chaos`) runs longer and restarts RabbitMQ itself, which these do not,
because that would take every other virtual host on the node down with it.
"""

from __future__ import annotations

import pytest

from pishkhan_chaos.campaign import Plan, run
from pishkhan_chaos.report import details, table

pytestmark = pytest.mark.e2e

SEEDS = (101, 202, 303)


@pytest.mark.parametrize("seed", SEEDS)
def test_a_short_fault_campaign_loses_and_duplicates_nothing(seed: int) -> None:
    result = run(Plan.short(seed))
    print(table([result]) + "\n" + details([result]))
    assert result.passed, details([result])
    assert result.verdict.accepted > 0 and result.faults

"""The broker watch ends a process whose connection stays down while the broker answers, and
never during an outage or a reconnect in progress."""

from __future__ import annotations

import pytest

from servicekit.brokerwatch import WEDGED_EXIT_CODE, BrokerWatch

pytestmark = pytest.mark.unit


class World:
    def __init__(self) -> None:
        self.now = 0.0
        self.connected = True
        self.broker_up = True
        self.exits: list[int] = []

    async def is_connected(self) -> bool:
        return self.connected

    async def answers(self) -> bool:
        return self.broker_up

    def watch(self) -> BrokerWatch:
        return BrokerWatch(
            self.is_connected,
            self.answers,
            wedged_after=30,
            answering_for=15,
            clock=lambda: self.now,
            exit_process=self.exits.append,
        )


async def run(world: World, watch: BrokerWatch, until: float, step: float = 5.0) -> None:
    while world.now < until:
        await watch.check()
        world.now += step


async def test_a_connection_down_while_the_broker_answers_ends_the_process() -> None:
    world = World()
    watch = world.watch()
    world.connected = False
    await run(world, watch, until=40)
    assert world.exits == [], "not before the broker has answered for a while"
    await run(world, watch, until=60)
    assert world.exits and world.exits[0] == WEDGED_EXIT_CODE


async def test_a_broker_outage_never_ends_the_process() -> None:
    world = World()
    watch = world.watch()
    world.connected = world.broker_up = False
    await run(world, watch, until=600)
    assert world.exits == []


async def test_a_reconnect_soon_after_the_broker_returns_is_left_alone() -> None:
    world = World()
    watch = world.watch()
    world.connected = world.broker_up = False
    await run(world, watch, until=120)  # a two-minute outage
    world.broker_up = True
    await run(world, watch, until=130)  # the broker is back; the robust connection takes 10 s
    world.connected = True
    await run(world, watch, until=300)
    assert world.exits == []


async def test_being_connected_again_starts_the_count_anew() -> None:
    world = World()
    watch = world.watch()
    for _ in range(10):  # short drops, each healed in time
        world.connected = False
        await run(world, watch, until=world.now + 25)
        world.connected = True
        await run(world, watch, until=world.now + 5)
    assert world.exits == []

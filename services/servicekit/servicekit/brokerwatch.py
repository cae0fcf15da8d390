"""The last resort for a broker connection that does not come back by itself.

aio-pika's robust connection reconnects after every outage we have made it go through, but in
one fault campaign run a process's connection stayed down for good after the broker returned:
no reconnect attempt was logged again, its consumers never resumed, and its queues filled. A
process in that state is alive to every probe but does no work. So every few seconds the watch
asks whether the bus is connected; once it has been down for `WEDGED_AFTER_SECONDS`, and fresh
connections to the same broker have succeeded for `ANSWERING_FOR_SECONDS` (the broker is back,
and the robust connection had time to reconnect: this is not an outage), the process exits, and its orchestrator starts it afresh. Exiting then loses nothing: every change
is one store write, an unacked message goes back to its queue, and the outbox sweeper of the
next process publishes what was staged. During a real broker outage the fresh connection fails
too, and the process stays up (intake goes on accepting requests into its outbox).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Awaitable, Callable

import aio_pika

log = logging.getLogger("servicekit.brokerwatch")

WEDGED_AFTER_SECONDS = 30.0
ANSWERING_FOR_SECONDS = 15.0
PROBE_TIMEOUT_SECONDS = 5.0
WEDGED_EXIT_CODE = 75  # EX_TEMPFAIL: try again


class BrokerWatch:
    def __init__(
        self,
        connected: Callable[[], Awaitable[bool]],
        broker_answers: Callable[[], Awaitable[bool]],
        *,
        wedged_after: float = WEDGED_AFTER_SECONDS,
        answering_for: float = ANSWERING_FOR_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        exit_process: Callable[[int], None] = os._exit,
    ) -> None:
        self._connected = connected
        self._broker_answers = broker_answers
        self._wedged_after = wedged_after
        self._answering_for = answering_for
        self._answering_since: float | None = None
        self._clock = clock
        self._exit = exit_process
        self._down_since: float | None = None

    async def check(self) -> None:
        """One look: note when the connection went down; exit if it stays down while the broker answers."""
        if await self._connected():
            self._down_since = self._answering_since = None
            return
        now = self._clock()
        if self._down_since is None:
            self._down_since = now
        if now - self._down_since < self._wedged_after:
            return
        if not await self._broker_answers():
            self._answering_since = None  # an outage: wait for the broker
            return
        if self._answering_since is None:
            self._answering_since = now
        if now - self._answering_since < self._answering_for:
            return
        log.critical(
            "the broker answers a new connection, but this process's has been down for %.0f s: "
            "exiting so that the process starts afresh",
            now - self._down_since,
        )
        logging.shutdown()
        self._exit(WEDGED_EXIT_CODE)


def probe(amqp_url: str) -> Callable[[], Awaitable[bool]]:
    """Whether a fresh connection to the broker opens (and closes) within the probe timeout."""

    async def answers() -> bool:
        try:
            connection = await aio_pika.connect(amqp_url, timeout=PROBE_TIMEOUT_SECONDS)
        except Exception:
            return False
        await connection.close()
        return True

    return answers

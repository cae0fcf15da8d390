"""The delivery-report poll: sent SMS are asked about at their gateway until it says delivered or
failed, and that answer is recorded as a receipt, as a provider's callback would be.

Each round takes the oldest sends still waiting (`ReportQueue.awaiting_report`), claims each one
for the round with a conditional update (`claim_report`: another replica that read the same
message finds it asked and skips it, so the gateway hears each question once a round), asks
(`notify.providers.receipts.check`) and keeps the answer. A final answer goes through the receipt
recorder (`Operations.receipt`); a pending one is asked again a round later; "unknown" (the gateway
has forgotten the id) and a send older than the horizon are not asked again. A gateway that fails
to answer (a timeout, a 5xx, a refusal) is logged and the message waits for the next round.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from notify.ports import PermanentFailure, ReportQueue, ReportWindow, TechnicalFailure, TemporaryFailure
from notify.providers.receipts import RecordReceipt, StatusLookup, check

log = logging.getLogger("notify.delivery_reports")
BATCH = 200
SETTLE = timedelta(seconds=60)  # a report is rarely there sooner
HORIZON = timedelta(hours=72)  # Kavenegar keeps reports 48 h by message id; beyond this, stop asking


class DeliveryReports:
    def __init__(
        self,
        queue: ReportQueue,
        lookup: StatusLookup,
        record: RecordReceipt,
        clock: Callable[[], datetime],
        every: timedelta,
        *,
        settle: timedelta = SETTLE,
        horizon: timedelta = HORIZON,
        batch: int = BATCH,
    ) -> None:
        self._queue = queue
        self._lookup = lookup
        self._record = record
        self._clock = clock
        self._window = ReportWindow(settle=settle, horizon=horizon, every=every)
        self._batch = batch

    async def tick(self) -> int:
        """One round; returns how many messages this process asked about."""
        now = self._clock()
        asked = 0
        for delivery in await self._queue.awaiting_report(now, self._window, self._batch):
            message_id = delivery.provider_message_id
            if not message_id or not await self._queue.claim_report(delivery.id, now, self._window):
                continue
            asked += 1
            try:
                receipt = await check(self._lookup, message_id, self._record, now)
            except (TemporaryFailure, TechnicalFailure, PermanentFailure) as failure:
                log.warning(
                    "delivery report of %s not read, asked again next round: %s", delivery.id, failure
                )
                continue
            await self._queue.note_report(delivery.id, str(receipt.outcome), receipt.provider_status)
        return asked

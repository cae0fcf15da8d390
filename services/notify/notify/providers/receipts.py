"""Delivery reports looked up at the gateway, in notify's words.

Notify records a receipt through `Operations.receipt(reference, outcome, at)` (what
`POST /v1/provider/receipts` calls): `outcome` is "delivered" or "failed", `reference` the
client reference or the provider's message id. A gateway that can be asked (Kavenegar's
`sms/status.json`, sms.ir's `GET /v1/send/{id}`) implements `StatusLookup`; `check` asks it and
hands a final answer to that same recorder, so a poll and a provider's callback end in one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class Outcome(StrEnum):
    PENDING = "pending"  # still on its way (queued, at the operator): ask again later
    DELIVERED = "delivered"  # the handset has it
    FAILED = "failed"  # it will not arrive (undelivered, blocked, cancelled)
    UNKNOWN = "unknown"  # the gateway no longer knows the id (too old, or not ours): stop asking

    @property
    def final(self) -> bool:
        return self is not Outcome.PENDING


@dataclass(frozen=True)
class Receipt:
    message_id: str
    outcome: Outcome
    provider_status: str  # the gateway's own code, kept for the history and for support calls
    detail: str = ""
    at: datetime | None = None  # when the gateway says it happened, if it says


class StatusLookup(Protocol):
    async def status(self, message_id: str) -> Receipt:
        """The gateway's delivery report for its message id; raises the failures of `notify.ports`."""
        ...


RecordReceipt = Callable[[str, str, datetime], Awaitable[bool]]


async def check(lookup: StatusLookup, message_id: str, record: RecordReceipt, now: datetime) -> Receipt:
    """Ask the gateway about one message; a delivered or failed answer is recorded (once: the recorder
    ignores a repeat), a pending or unknown one is only returned."""
    receipt = await lookup.status(message_id)
    if receipt.outcome in (Outcome.DELIVERED, Outcome.FAILED):
        await record(message_id, str(receipt.outcome), receipt.at or now)
    return receipt

"""SMS gateways behind one small protocol."""

from __future__ import annotations

import logging
import uuid
from typing import Protocol

from notify.domain.phones import mask

log = logging.getLogger("notify.sms")


class SmsRejected(Exception):
    """The gateway refused this message for good (bad number, blocked sender); retrying won't help.

    Any other exception from `send` is taken as passing trouble and retried.
    """


class SmsProvider(Protocol):
    name: str

    async def send(self, to_e164: str, text: str) -> str:
        """Hand one message to the gateway; returns the gateway's message id."""
        ...


class LogSmsProvider:
    """Writes messages to the log instead of sending them (local runs and tests)."""

    name = "log"

    async def send(self, to_e164: str, text: str) -> str:
        message_id = str(uuid.uuid4())
        log.info("sms %s to %s: %s", message_id, mask(to_e164), text)
        return message_id


def sms_provider(name: str) -> SmsProvider:
    if name == "log":
        return LogSmsProvider()
    raise ValueError(f"unknown SMS provider {name!r}")

"""SMS gateways: the log provider for local runs and a generic JSON adapter (`NOTIFY_SMS_PROVIDER=http`);
Kavenegar and sms.ir have adapters of their own (`kavenegar.py`, `smsir.py`)."""

from __future__ import annotations

import logging
import uuid

import httpx

from notify.domain.phones import mask
from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers.gateway import PooledClient

log = logging.getLogger("notify.sms")


class LogSmsProvider:
    """Writes messages to the log instead of sending them (local runs and tests)."""

    name = "log"

    async def send(self, message: Outgoing) -> str:
        message_id = str(uuid.uuid4())
        log.info("sms %s to %s: %s", message_id, mask(message.to), message.text)
        return message_id


class HttpSmsProvider:
    """POSTs `{"to", "text", "sender", "client_reference"}` as JSON; the answer's `message_id` (or
    `id`) is the provider's id. Timeouts, refused connections, 5xx and 429 (too many requests) are
    temporary, other 4xx permanent."""

    name = "http"

    def __init__(
        self,
        url: str,
        api_key: str,
        sender: str,
        *,
        key_header: str = "X-API-Key",
        timeout: float = 10.0,
    ) -> None:
        self._url = url
        self._sender = sender
        self.http = PooledClient(timeout=timeout, headers={key_header: api_key}, secrets=(api_key,))

    async def send(self, message: Outgoing) -> str:
        body = {
            "to": message.to,
            "text": message.text,
            "sender": self._sender,
            "client_reference": message.client_reference,
        }
        return _message_id(await self.http.request("POST", self._url, json=body))

    async def aclose(self) -> None:
        await self.http.aclose()


def _message_id(response: httpx.Response) -> str:
    status = response.status_code
    if status >= 500 or status == 429:
        raise TemporaryFailure(f"SMS gateway answered {status}")
    if status >= 400:
        raise PermanentFailure(f"SMS gateway refused the message ({status})")
    if not 200 <= status < 300:
        raise TechnicalFailure(f"SMS gateway answered {status}")
    try:
        answer = response.json()
        return str(answer.get("message_id") or answer["id"])
    except (ValueError, KeyError, AttributeError) as error:
        raise TechnicalFailure("SMS gateway answered without a message id") from error

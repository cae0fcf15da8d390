"""SMS gateways: the log provider for local runs and a generic HTTP adapter for bulk-SMS REST APIs."""

from __future__ import annotations

import logging
import uuid

import httpx

from notify.domain.phones import mask
from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure

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
        self, url: str, api_key: str, sender: str, *, key_header: str = "X-API-Key", timeout: float = 10.0
    ) -> None:
        self._url = url
        self._headers = {key_header: api_key}
        self._sender = sender
        self._timeout = timeout

    async def send(self, message: Outgoing) -> str:
        body = {
            "to": message.to,
            "text": message.text,
            "sender": self._sender,
            "client_reference": message.client_reference,
        }
        try:
            async with httpx.AsyncClient(timeout=self._timeout) as client:
                response = await client.post(self._url, json=body, headers=self._headers)
        except (httpx.TimeoutException, httpx.TransportError) as error:
            raise TemporaryFailure(f"SMS gateway unreachable: {type(error).__name__}") from error
        return _message_id(response)


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

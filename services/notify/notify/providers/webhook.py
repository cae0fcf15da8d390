"""Webhooks to offices' callback URLs, signed as `notify.domain.signing` documents."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from notify.domain import signing
from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers.gateway import PooledClient

DELIVERY_HEADER = "X-Pishkhan-Delivery"


class WebhookSender:
    """`message.to` is the callback URL, `message.text` the JSON body; the secret is found by its name."""

    name = "webhook"

    def __init__(
        self,
        secrets: Mapping[str, str],
        *,
        timeout: float = 10.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secrets = secrets
        self._clock = clock
        self.http = PooledClient(timeout=timeout)  # one pool for every office's callback host

    async def send(self, message: Outgoing) -> str:
        secret = self._secrets.get(message.secret_ref or "")
        if not secret:
            raise TechnicalFailure("no signing secret is configured under the office's secret reference")
        body = message.text.encode()
        headers = signing.sign(secret.encode(), body, int(self._clock()))
        headers |= {"Content-Type": "application/json", DELIVERY_HEADER: message.client_reference}
        try:
            response = await self.http.request("POST", message.to, content=body, headers=headers)
        except TemporaryFailure as error:
            raise TemporaryFailure(f"office callback unreachable: {error}") from None
        status = response.status_code
        if status >= 500 or status == 429:
            raise TemporaryFailure(f"office callback answered {status}")
        if status >= 400:
            raise PermanentFailure(f"office callback refused the call ({status})")
        if not 200 <= status < 300:
            raise TechnicalFailure(f"office callback answered {status}")
        return message.client_reference

    async def aclose(self) -> None:
        await self.http.aclose()

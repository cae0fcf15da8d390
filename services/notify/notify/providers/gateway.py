"""What every HTTP gateway adapter shares: one pooled client for the life of the process, secrets kept
out of logs and failure reasons, and the numbers written the way Iranian gateways read them."""

from __future__ import annotations

import logging
import ssl
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import httpx

from notify.ports import PermanentFailure, TechnicalFailure, TemporaryFailure

Failure = type[TemporaryFailure] | type[PermanentFailure] | type[TechnicalFailure]
MASK = "***"
MAX_CONNECTIONS = 20  # more than the SMS rate needs at once; the rest of a burst queues in the pool


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every (non-empty) secret replaced by `***`."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    return text


class _Redacting(logging.Filter):
    """Rewrites a record of the `httpx` logger (it logs every request's URL at INFO) without the secrets."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = redact(message, self._secrets)
        if masked != message:
            record.msg, record.args = masked, ()
        return True


@cache
def tls_context() -> ssl.SSLContext:
    """httpx's default trust (certifi), loaded once per process rather than once per client."""
    return httpx.create_ssl_context()


class PooledClient:
    """One `httpx.AsyncClient` per provider, made on first use (not at import or app creation) and kept
    until `aclose()`: connections are reused across sends instead of a TLS handshake per message.

    `secrets` are masked wherever this module writes text: in the `httpx` logger's request lines (a
    secret in the URL, as Kavenegar's API key is, would otherwise be logged) and in failure reasons.
    """

    def __init__(
        self,
        *,
        timeout: float,
        base_url: str = "",
        headers: Mapping[str, str] | None = None,
        secrets: Iterable[str] = (),
    ) -> None:
        self._timeout = httpx.Timeout(timeout)
        self._base_url = base_url
        self._headers = dict(headers or {})
        self.secrets = tuple(s for s in secrets if s)
        self._client: httpx.AsyncClient | None = None
        self._closed = False
        self.clients_made = 0  # tests read it: one for the life of the process
        self._filter = _Redacting(self.secrets)
        if self.secrets:
            logging.getLogger("httpx").addFilter(self._filter)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._closed:
            # a send racing the shutdown: another process (or this one after a restart) retries it
            raise TemporaryFailure("notify is stopping: the provider's client is closed")
        if self._client is None:
            self._client = httpx.AsyncClient(
                base_url=self._base_url,
                headers=self._headers,
                timeout=self._timeout,
                verify=tls_context(),
                limits=httpx.Limits(
                    max_connections=MAX_CONNECTIONS, max_keepalive_connections=MAX_CONNECTIONS
                ),
            )
            self.clients_made += 1
        return self._client

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """The answer, whatever its status; no answer at all (timeout, refused, reset) is temporary."""
        try:
            return await self.client.request(method, url, **kwargs)
        except httpx.TimeoutException as error:
            raise TemporaryFailure(f"the gateway did not answer in time ({type(error).__name__})") from None
        except httpx.RequestError as error:
            # no `from error`: the cause carries the request, and its URL may hold a secret
            raise TemporaryFailure(f"the gateway is unreachable ({type(error).__name__})") from None
        except httpx.InvalidURL as error:  # a base URL that is no URL: configuration, not the citizen
            raise TechnicalFailure(self.reason(f"the gateway's URL is not usable: {error}")) from None

    def reason(self, text: str) -> str:
        return redact(text, self.secrets)[:300]

    async def aclose(self) -> None:
        self._closed = True
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        logging.getLogger("httpx").removeFilter(self._filter)


def by_http_status(status: int) -> Failure | None:
    """How an HTTP status without a readable provider answer is taken; None for 2xx."""
    if 200 <= status < 300:
        return None
    if status >= 500 or status in (408, 429):
        return TemporaryFailure
    return TechnicalFailure  # 3xx, 4xx with no provider code: our request or configuration, not the citizen


def iranian_mobile(e164: str) -> str:
    """`+989141234567` -> `09141234567`, the form both Kavenegar and sms.ir document for receptors;
    a number outside Iran keeps its digits with the international `00` prefix."""
    if e164.startswith("+98"):
        return "0" + e164[3:]
    return "00" + e164.lstrip("+")


def json_object(response: httpx.Response) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return body if isinstance(body, dict) else None

"""Kavenegar's REST API (https://kavenegar.com/rest.html), over one pooled `httpx` client.

The shapes, from Kavenegar's public docs and its own SDKs:
- every method is `POST https://api.kavenegar.com/v1/{API-KEY}/{group}/{method}.json`, form-encoded
  (kavenegar/kavenegar-python `kavenegar.py` `_request`; kavenegar/kavenegar-php `src/KavenegarApi.php`
  `APIPATH`, `execute`; kavenegar/kavenegar-go `client.go` `EndPoint`, `Execute`);
- `sms/send` takes `receptor`, `message`, `sender`, `localid` (a string: kavenegar/kavenegar-dotnet
  `Kavenegar/KavenegarApi.cs` `Send(..., string localid)`); a repeated `localid` is answered with the
  message already accepted instead of sending it again, which makes a retry after a timeout safe;
- the answer is `{"return": {"status": 200, "message": "تایید شد"}, "entries": [{"messageid",
  "message", "status", "statustext", "sender", "receptor", "date", "cost"}]}` (kavenegar/kavenegar-node
  `README.md`, sample output); on an error the HTTP status is not 200 and the body still carries
  `return.status` (kavenegar-go `client.go`: `if 200 != resp.StatusCode` → `APIError{re.Return.Status}`;
  kavenegar-dotnet `Execute`: the `WebException`'s body → `ApiException(result.Return.status)`);
- `sms/status` (`messageid`) and `sms/statuslocalmessageid` (`localid`) answer `entries: [{"messageid",
  "status", "statustext"}]` (kavenegar-php `Status`, `StatusLocalMessageId`; kavenegar-dotnet
  `Status`, `StatusLocalMessageId`).

The API key sits in the URL path, so it is masked in the `httpx` request log and in every reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers.gateway import Failure, PooledClient, by_http_status, iranian_mobile, json_object
from notify.providers.receipts import Outcome, Receipt

BASE_URL = "https://api.kavenegar.com"
OK = 200

# `return.status` → how notify takes it. Meanings: kavenegar.com/rest.html (خطاها), the English
# glosses of mm580486/kave_rest_api `lib/kave_rest_api/meaning.rb` (ERRORS) and the code table of
# the Kavenegar Node SDK README (400, 407, 412, 414, 417, 418, 424, 428, 431, 432, 607). 416, 426
# and 427 are taken as the task describes them (IP not allowed, premium-only method, rate limited).
# Permanent: this message cannot go out this way (SMS falls back to e-mail where there is one).
# Temporary: retried by notify's retry policy. Technical: our request or configuration, so no retry
# helps and it is not the citizen's fault; staff see `technical-failure` and the code in the reason.
RETURN_CODES: dict[int, tuple[Failure, str]] = {
    400: (TechnicalFailure, "parameters incomplete or wrong"),
    401: (TechnicalFailure, "account disabled"),
    402: (TemporaryFailure, "operation failed"),
    403: (TechnicalFailure, "API key not valid"),
    404: (TechnicalFailure, "method not found"),
    405: (TechnicalFailure, "wrong HTTP method (GET/POST)"),
    406: (TechnicalFailure, "a required parameter is missing"),
    407: (TechnicalFailure, "no access to this method or data (the panel's allowed IPs)"),
    409: (TemporaryFailure, "the server cannot answer now"),
    411: (PermanentFailure, "receptor not valid"),
    412: (PermanentFailure, "sender line not valid"),
    413: (PermanentFailure, "message empty or too long"),
    414: (TechnicalFailure, "too many receptors or ids in one call"),
    415: (TechnicalFailure, "start index larger than the total"),
    416: (TechnicalFailure, "the calling IP is not allowed"),
    417: (TechnicalFailure, "date not valid"),
    418: (TemporaryFailure, "account credit insufficient"),
    419: (TechnicalFailure, "array lengths differ"),
    422: (PermanentFailure, "invalid characters in the message"),
    424: (TechnicalFailure, "template not found"),
    426: (TechnicalFailure, "this method needs a premium account"),
    427: (TemporaryFailure, "rate limited or sending held for now"),
    428: (TechnicalFailure, "not verified or not possible by call"),
    431: (TechnicalFailure, "code structure not valid"),
    432: (TechnicalFailure, "the template lacks the token placeholder"),
    607: (TechnicalFailure, "tag not valid"),
}

# A message's delivery status (`entries[].status`): kavenegar/kavenegar-dotnet
# `Kavenegar/Models/Enums/MessageStatus.cs` (1 Queued, 2 Scheduled, 4 SentToCenter, 5 SentToCarrier,
# 10 Delivered, 11 Undelivered, 13 Canceled, 14 Filtered, 50 Received, 100 Incorrect) and
# kave_rest_api `meaning.rb` (ENTRIES: 6 failed, 14 blocked by the recipient/ad block).
# 100: the id is unknown or older than Kavenegar keeps (48 h by messageid, 12 h by localid).
DELIVERY: dict[int, tuple[Outcome, str]] = {
    1: (Outcome.PENDING, "in the send queue"),
    2: (Outcome.PENDING, "scheduled"),
    4: (Outcome.PENDING, "sent to the telecom centre"),
    5: (Outcome.PENDING, "sent to the operator"),
    6: (Outcome.FAILED, "failed"),
    10: (Outcome.DELIVERED, "delivered to the recipient"),
    11: (Outcome.FAILED, "not delivered (unreachable)"),
    13: (Outcome.FAILED, "cancelled"),
    14: (Outcome.FAILED, "blocked by the recipient"),
    100: (Outcome.UNKNOWN, "message id not valid or expired"),
}


class KavenegarSms:
    name = "kavenegar"

    def __init__(
        self,
        api_key: str,
        sender: str,
        *,
        base_url: str = BASE_URL,
        timeout: float = 10.0,
    ) -> None:
        if not api_key:
            raise ValueError("Kavenegar needs an API key (NOTIFY_SMS_API_KEY)")
        self._prefix = f"/v1/{quote(api_key, safe='')}"
        self._sender = sender
        self.http = PooledClient(
            timeout=timeout,
            base_url=base_url.rstrip("/"),
            headers={"Accept": "application/json"},
            secrets=(api_key, quote(api_key, safe="")),
        )

    async def send(self, message: Outgoing) -> str:
        form = {
            "receptor": iranian_mobile(message.to),
            "message": message.text,
            "localid": message.client_reference,
        }
        if self._sender:
            form["sender"] = self._sender  # else the account's default line
        entry = _first(await self._call("sms/send", form), "send")
        status = _int(entry.get("status"))
        outcome, meaning = DELIVERY.get(status or 0, (Outcome.PENDING, ""))
        if outcome is Outcome.FAILED:  # e.g. 14: the recipient blocks this line
            raise PermanentFailure(f"Kavenegar did not take the message: status {status} ({meaning})")
        if outcome is Outcome.UNKNOWN:
            raise TechnicalFailure(f"Kavenegar answered the send with status {status} ({meaning})")
        message_id = entry.get("messageid")
        if not isinstance(message_id, int | str) or not str(message_id).strip():
            raise TemporaryFailure("Kavenegar's answer has no messageid")
        return str(message_id)

    async def status(self, message_id: str) -> Receipt:
        """The delivery report of one message (`sms/status.json`)."""
        return _receipt(message_id, await self._call("sms/status", {"messageid": message_id}))

    async def status_by_reference(self, client_reference: str) -> Receipt:
        """The delivery report by notify's own reference (`sms/statuslocalmessageid.json`, 12 hours)."""
        entries = await self._call("sms/statuslocalmessageid", {"localid": client_reference})
        return _receipt(client_reference, entries)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(self, method: str, form: dict[str, str]) -> Any:
        response = await self.http.request("POST", f"{self._prefix}/{method}.json", data=form)
        body = json_object(response)
        answer = body.get("return") if body else None
        code = _int(answer.get("status")) if isinstance(answer, dict) else None
        if body is None or code is None:
            kind = by_http_status(response.status_code)
            # a 2xx without Kavenegar's answer: nobody knows whether it went out, and the localid
            # makes the retry safe, so it is tried again
            raise (kind or TemporaryFailure)(
                f"Kavenegar answered HTTP {response.status_code} without a readable result"
            )
        if code == OK:
            return body.get("entries")
        kind, meaning = RETURN_CODES.get(code, (_unknown_code(code), "not a code this adapter knows"))
        said = str(answer.get("message", ""))[:120] if isinstance(answer, dict) else ""
        raise kind(self.http.reason(f"Kavenegar refused {method}: {code} {meaning} ({said})"))


def _unknown_code(code: int) -> Failure:
    return TemporaryFailure if code >= 500 else TechnicalFailure


def _first(entries: Any, what: str) -> dict[str, Any]:
    if isinstance(entries, list) and entries and isinstance(entries[0], dict):
        return entries[0]
    if isinstance(entries, dict):  # some methods answer one object rather than a list
        return entries
    raise TemporaryFailure(f"Kavenegar's answer to {what} has no entries")


def _receipt(message_id: str, entries: Any) -> Receipt:
    entry = _first(entries, "status")
    status = _int(entry.get("status"))
    if status is None:
        raise TechnicalFailure("Kavenegar's status entry has no status")
    outcome, meaning = DELIVERY.get(status, (Outcome.PENDING, "a status this adapter does not know"))
    found = entry.get("messageid")
    return Receipt(
        message_id=str(found) if found not in (None, 0, "0", "") else message_id,
        outcome=outcome,
        provider_status=str(status),
        detail=str(entry.get("statustext") or meaning)[:120],
    )


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None

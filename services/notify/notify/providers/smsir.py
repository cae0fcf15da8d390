"""sms.ir's REST API v1 (https://apidocs.sms.ir, https://sms.ir/developer-web-service/rest-api/), over
one pooled `httpx` client.

The shapes, from sms.ir's docs and its own SDKs (github.com/IPeCompany):
- the key goes in the `X-API-KEY` header, JSON in and out (IPeCompany/SmsPanelV2.Python
  `sms_ir/services.py` `_headers`; IPeCompany/smsir-php `src/SmsIr.php` constructor);
- every answer is `{"status": 1, "message": "موفق", "data": ...}`, `status` 1 meaning success; HTTP 200
  success, 400 a logical error (the code is in `status`), 401 authentication, 429 too many requests,
  500 unexpected (apidocs.sms.ir, "HTTP STATUS CODE" and "مدل بازگشتی"; smsir-php `handleResponse`);
- `POST /v1/send/bulk` takes `{"lineNumber", "messageText", "mobiles": [...], "sendDateTime"}` and
  answers `data: {"packId", "messageIds": [...], "cost"}` (IPeCompany/SmsPanelV2.TypeScript
  `src/send/sendBulk.ts` `SendBulkBody`, `SendBulkResponse`; smsir-php `bulkSend`);
- `GET /v1/send/{messageId}` answers `data: {"messageId", "mobile", "messageText", "sendDateTime",
  "lineNumber", "cost", "deliveryState", "deliveryDateTime"}` (SmsPanelV2.TypeScript
  `src/report/reportMessage.ts`; SmsPanelV2.Python `report_message`), times in Unix seconds, UTC.

sms.ir's bulk send takes no idempotency key: a send whose answer was lost (a timeout) is retried
and may reach the citizen twice. Kavenegar's `localid` does not have this gap.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from notify.ports import Outgoing, PermanentFailure, TechnicalFailure, TemporaryFailure
from notify.providers.gateway import Failure, PooledClient, by_http_status, iranian_mobile, json_object
from notify.providers.receipts import Outcome, Receipt

BASE_URL = "https://api.sms.ir"
OK = 1
NOT_FOUND = 111  # "no send was recorded with this id"

# `status` → how notify takes it; the texts are sms.ir's table of result codes (apidocs.sms.ir,
# "کدهای وضعیت"), as the SDK integrations repeat it. Permanent: this message cannot go out this way;
# temporary: retried; technical: our request or account configuration, no retry helps.
STATUS_CODES: dict[int, tuple[Failure, str]] = {
    0: (TemporaryFailure, "a problem in sms.ir's system"),
    10: (TechnicalFailure, "API key not valid"),
    11: (TechnicalFailure, "API key disabled"),
    12: (TechnicalFailure, "API key limited to other IPs"),
    13: (TechnicalFailure, "account disabled"),
    14: (TechnicalFailure, "account suspended"),
    15: (TechnicalFailure, "the plan must be upgraded for the web service"),
    16: (TechnicalFailure, "a parameter's value is wrong"),
    20: (TemporaryFailure, "too many requests"),
    101: (PermanentFailure, "line number (sender) not valid"),
    102: (TemporaryFailure, "credit insufficient"),
    103: (PermanentFailure, "empty message text"),
    104: (PermanentFailure, "mobile number not valid"),
    105: (TechnicalFailure, "too many mobiles (more than 100)"),
    106: (TechnicalFailure, "too many texts (more than 100)"),
    107: (TechnicalFailure, "empty mobile list"),
    108: (TechnicalFailure, "empty text list"),
    109: (TechnicalFailure, "send time not valid"),
    110: (TechnicalFailure, "mobiles and texts differ in number"),
    111: (TechnicalFailure, "no send recorded with this id"),
    112: (TechnicalFailure, "no record to delete"),
    113: (TechnicalFailure, "template not found"),
    114: (TechnicalFailure, "a parameter's value is too long"),
    115: (PermanentFailure, "mobile number on the blacklist"),
    116: (TechnicalFailure, "a parameter has no name"),
    117: (PermanentFailure, "message text not approved"),
    118: (TechnicalFailure, "too many messages"),
    119: (TechnicalFailure, "the plan must be upgraded for custom templates"),
    123: (PermanentFailure, "the sender line must be activated"),
    124: (TechnicalFailure, "only OTP messages may be sent for now"),
}

# `deliveryState` of a sent message: 1 delivered, 2 not delivered to the handset, 3 at the telecom,
# 4 did not reach the telecom, 5 at the operator, 6 failed, 7 blacklist, 8 unknown (sms.ir's
# delivery table; the same in every integration of `GET /v1/send/{id}` we read).
DELIVERY: dict[int, tuple[Outcome, str]] = {
    1: (Outcome.DELIVERED, "delivered"),
    2: (Outcome.FAILED, "not delivered to the handset"),
    3: (Outcome.PENDING, "reached the telecom"),
    4: (Outcome.FAILED, "did not reach the telecom"),
    5: (Outcome.PENDING, "reached the operator"),
    6: (Outcome.FAILED, "failed"),
    7: (Outcome.FAILED, "blacklisted"),
    8: (Outcome.PENDING, "not known yet"),
}


class SmsIrSms:
    name = "smsir"

    def __init__(
        self,
        api_key: str,
        line_number: str,
        *,
        base_url: str = BASE_URL,
        timeout: float = 10.0,
    ) -> None:
        if not api_key:
            raise ValueError("sms.ir needs an API key (NOTIFY_SMS_API_KEY)")
        if not line_number.isdigit():
            raise ValueError("sms.ir needs its line number in NOTIFY_SMS_SENDER (digits)")
        self._line = int(line_number)
        self.http = PooledClient(
            timeout=timeout,
            base_url=base_url.rstrip("/"),
            headers={"X-API-KEY": api_key, "Accept": "application/json"},
            secrets=(api_key,),
        )

    async def send(self, message: Outgoing) -> str:
        if not message.to.startswith("+98"):
            raise PermanentFailure("sms.ir sends to Iranian mobile numbers only")
        body = {
            "lineNumber": self._line,
            "messageText": message.text,
            "mobiles": [iranian_mobile(message.to)],
            "sendDateTime": None,
        }
        _, data = await self._call("POST", "/v1/send/bulk", json=body)
        ids = data.get("messageIds") if isinstance(data, dict) else None
        if not isinstance(ids, list) or not ids or not str(ids[0]).strip():
            # it may have gone out, and a retry has no key to stop a second copy: not retried
            raise TechnicalFailure("sms.ir's answer has no messageIds")
        return str(ids[0])

    async def status(self, message_id: str) -> Receipt:
        """The delivery report of one message (`GET /v1/send/{messageId}`)."""
        code, data = await self._call("GET", f"/v1/send/{message_id}", tolerate=(NOT_FOUND,))
        if code == NOT_FOUND or not isinstance(data, dict):  # the id is not (or no longer) known
            return Receipt(message_id, Outcome.UNKNOWN, str(code), "sms.ir has no report for this id")
        state = data.get("deliveryState")
        if not isinstance(state, int) or isinstance(state, bool):
            return Receipt(message_id, Outcome.PENDING, "", "no delivery state yet")
        outcome, meaning = DELIVERY.get(state, (Outcome.PENDING, "a state this adapter does not know"))
        return Receipt(message_id, outcome, str(state), meaning, _moment(data.get("deliveryDateTime")))

    async def aclose(self) -> None:
        await self.http.aclose()

    async def _call(
        self, method: str, path: str, *, tolerate: tuple[int, ...] = (), **kwargs: Any
    ) -> tuple[int, Any]:
        """sms.ir's `status` and `data`; a refusal raises (unless its code is in `tolerate`)."""
        response = await self.http.request(method, path, **kwargs)
        body = json_object(response)
        code = body.get("status") if body else None
        if body is None or not isinstance(code, int) or isinstance(code, bool):
            # 2xx but not sms.ir's answer: it may have gone out, so not retried
            kind = by_http_status(response.status_code) or TechnicalFailure
            raise kind(f"sms.ir answered HTTP {response.status_code} without a readable result")
        if (code == OK and response.is_success) or code in tolerate:
            return code, body.get("data")
        if response.status_code == 429:
            kind, meaning = TemporaryFailure, "too many requests"
        elif response.status_code >= 500 and code not in STATUS_CODES:
            kind, meaning = TemporaryFailure, "unexpected server error"
        else:
            kind, meaning = STATUS_CODES.get(code, (TechnicalFailure, "not a code this adapter knows"))
        said = str(body.get("message", ""))[:120]
        raise kind(self.http.reason(f"sms.ir refused: {code} {meaning} ({said})"))


def _moment(value: Any) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return datetime.fromtimestamp(value, UTC)
    return None

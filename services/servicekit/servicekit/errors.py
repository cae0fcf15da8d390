"""Errors as RFC 9457 problem documents: `{"type", "title", "status", "detail", "msg_fa", "errors"}`.

`detail` is for whoever reads the logs and writes clients; `msg_fa` is the Persian sentence
shown to the person at the counter or the desk, on every problem, with a default per code or
status where the raiser gave none.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.store import StoreUnavailable

PROBLEM_JSON = "application/problem+json"
# What a client is told to wait when the store is away (a restart or a failover takes seconds).
STORE_RETRY_AFTER_SECONDS = 5


class Problem(Exception):
    """Raise anywhere in a request to answer with a problem document."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        detail_fa: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.detail_fa = detail_fa
        self.errors = errors or []
        self.headers = headers or {}


# Persian for the problems servicekit answers itself, so every service says them the same way.
PROBLEMS_FA: dict[str, str] = {
    "missing_token": "برای این کار باید وارد سامانه شوید",
    "invalid_token": "اعتبار ورود شما معتبر نیست یا به پایان رسیده است؛ دوباره وارد شوید",
    "forbidden": "شما اجازه این کار را ندارید",
    "not_found": "آنچه خواستید پیدا نشد",
    "method_not_allowed": "این نشانی چنین کاری را نمی‌پذیرد",
    "payload_too_large": "حجم درخواست بیش از حد مجاز است",
    "rate_limited": "درخواست‌ها بیش از حد مجاز است؛ کمی صبر کنید و دوباره تلاش کنید",
    "store_unavailable": "سامانه هم‌اکنون در دسترس نیست؛ چند لحظه دیگر دوباره تلاش کنید",
    "malformed_json": "متن درخواست JSON معتبر نیست",
    "validation_failed": "برخی از موارد درخواست درست نیست؛ موارد مشخص‌شده را بررسی کنید",
}
# ... and for a problem whose raiser gave no Persian and whose code is not one of those.
STATUS_FA: dict[int, str] = {
    400: "درخواست درست نیست",
    401: "برای این کار باید وارد سامانه شوید",
    403: "شما اجازه این کار را ندارید",
    404: "آنچه خواستید پیدا نشد",
    405: "این نشانی چنین کاری را نمی‌پذیرد",
    409: "این کار با وضعیت کنونی ممکن نیست",
    413: "حجم درخواست بیش از حد مجاز است",
    415: "قالب متن درخواست پذیرفته نیست",
    422: "درخواست پذیرفته نشد؛ موارد آن را بررسی کنید",
    429: "درخواست‌ها بیش از حد مجاز است؛ کمی صبر کنید و دوباره تلاش کنید",
}
REFUSED_FA = "درخواست پذیرفته نشد"
SERVER_ERROR_FA = "خطایی در سامانه رخ داد؛ کمی بعد دوباره تلاش کنید"


def default_message_fa(status: int, code: str) -> str:
    """The Persian a person reads for a problem whose raiser gave none."""
    return (
        PROBLEMS_FA.get(code) or STATUS_FA.get(status) or (SERVER_ERROR_FA if status >= 500 else REFUSED_FA)
    )


def problem_body(
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    *,
    detail_fa: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"urn:pishkhan:problem:{code}",
        "title": code,
        "status": status,
        "detail": detail,
        "msg_fa": detail_fa or default_message_fa(status, code),
    }
    if errors:
        body["errors"] = errors
    return body


def problem_response(
    status: int,
    code: str,
    detail: str,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    *,
    detail_fa: str | None = None,
) -> JSONResponse:
    body = problem_body(status, code, detail, errors, detail_fa=detail_fa)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


# Persian for pydantic's error types, for the person at the counter reading the error.
MESSAGES_FA: dict[str, str] = {
    "missing": "این مورد الزامی است",
    "extra_forbidden": "این مورد شناخته‌شده نیست و پذیرفته نمی‌شود",
    "string_too_short": "متن کوتاه‌تر از حد مجاز است",
    "string_too_long": "متن بلندتر از حد مجاز است",
    "string_type": "مقدار باید متن باشد",
    "string_pattern_mismatch": "قالب مقدار درست نیست",
    "enum": "مقدار از گزینه‌های مجاز نیست",
    "literal_error": "مقدار از گزینه‌های مجاز نیست",
    "int_parsing": "مقدار باید عدد صحیح باشد",
    "int_type": "مقدار باید عدد صحیح باشد",
    "float_parsing": "مقدار باید عدد باشد",
    "float_type": "مقدار باید عدد باشد",
    "bool_parsing": "مقدار باید درست یا نادرست باشد",
    "greater_than_equal": "مقدار کوچک‌تر از حد مجاز است",
    "less_than_equal": "مقدار بزرگ‌تر از حد مجاز است",
    "greater_than": "مقدار کوچک‌تر از حد مجاز است",
    "less_than": "مقدار بزرگ‌تر از حد مجاز است",
    "value_error": "مقدار نامعتبر است",
    "dict_type": "ساختار این مورد درست نیست",
    "list_type": "این مورد باید فهرست باشد",
    "model_type": "ساختار این مورد درست نیست",
    "date_parsing": "تاریخ معتبر نیست",
    "datetime_parsing": "زمان معتبر نیست",
    "json_invalid": "متن درخواست JSON معتبر نیست",
}


def _validation_errors(error: RequestValidationError) -> tuple[int, str, list[dict[str, Any]]]:
    items = []
    malformed = False
    for item in error.errors():
        malformed = malformed or item.get("type") == "json_invalid"
        entry: dict[str, Any] = {
            "loc": [str(part) for part in item.get("loc", ())],
            "type": item.get("type"),
            "msg": item.get("msg"),
        }
        # domain errors may carry a Persian message for the person at the counter
        message_fa = getattr((item.get("ctx") or {}).get("error"), "message_fa", None)
        entry["msg_fa"] = message_fa or MESSAGES_FA.get(str(item.get("type")), "مقدار نامعتبر است")
        items.append(entry)
    if malformed:
        return 400, "malformed_json", items
    return 422, "validation_failed", items


def store_unavailable() -> JSONResponse:
    """503 with Retry-After: the store could not be reached, and nothing was half-stored.

    Every write is one document, so a failed call changed all of it or nothing; a retry with
    the same Idempotency-Key (where the call takes one) answers as the first success did.
    """
    return problem_response(
        503,
        "store_unavailable",
        "the service's store cannot be reached right now; try again shortly",
        headers={"Retry-After": str(STORE_RETRY_AFTER_SECONDS)},
    )


def install_problem_handlers(app: FastAPI) -> None:
    async def on_problem(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(
            exc.status, exc.code, exc.detail, exc.errors, exc.headers, detail_fa=exc.detail_fa
        )

    async def on_validation(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        status, code, items = _validation_errors(exc)
        detail = "the request body is not valid JSON" if status == 400 else "the request is not valid"
        return problem_response(status, code, detail, items)

    async def on_http(_: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return problem_response(exc.status_code, code, str(exc.detail), headers=dict(exc.headers or {}))

    async def on_store_unavailable(_: Request, exc: Exception) -> JSONResponse:
        return store_unavailable()

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(StoreUnavailable, on_store_unavailable)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)

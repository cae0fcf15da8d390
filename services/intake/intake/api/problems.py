"""Domain refusals → problem documents (with a Persian message where a person reads it)."""

from __future__ import annotations

from intake.domain.catalogue import AttributeProblem
from intake.domain.offices import OfficeRefused
from intake.service import IdempotencyConflict, LocationRequired, UnknownService
from servicekit.errors import Problem


def field_problem(loc: list[str], message: str, message_fa: str) -> Problem:
    error = {"loc": ["body", *loc], "type": "value_error", "msg": message, "msg_fa": message_fa}
    return Problem(422, "validation_failed", message, errors=[error])


def filing_problem(error: Exception) -> Exception:
    match error:
        case UnknownService():
            return field_problem(
                ["service_code"], "unknown or retired service", "خدمت نامعتبر یا غیرفعال است"
            )
        case OfficeRefused(code=code, reason=reason):
            return Problem(403, code, reason)
        case AttributeProblem(code=code):
            return field_problem(["attributes", code], str(error), "مقدار این ویژگی درخواست نامعتبر است")
        case LocationRequired():
            return field_problem(
                ["location"], "this service needs a location", "برای این خدمت نشانی لازم است"
            )
        case IdempotencyConflict():
            return Problem(
                409, "idempotency_key_reused", "this Idempotency-Key was used with a different body"
            )
    return error

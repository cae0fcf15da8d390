"""Tracking codes: read over the phone and typed from SMS, so short, digits only, checked.

Eleven random digits and a Verhoeff check digit, which catches every single-digit
error and every swap of adjacent digits.
"""

import secrets

from stdnum import verhoeff

from intake.domain.persian import normalize_number

LENGTH = 12


def new_tracking_code() -> str:
    body = str(secrets.randbelow(9 * 10 ** (LENGTH - 2)) + 10 ** (LENGTH - 2))
    return body + str(verhoeff.calc_check_digit(body))


def parse_tracking_code(raw: str) -> str | None:
    """The code in ASCII digits, or None when it cannot be one of ours."""
    value = normalize_number(raw)
    if len(value) != LENGTH or not value.isdigit():
        return None
    return value if verhoeff.is_valid(value) else None

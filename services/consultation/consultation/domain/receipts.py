"""Comment receipt numbers: read over the phone and typed back, so digits only, with a check digit.

Ten random digits and a Verhoeff check digit, which catches every single-digit error and
every swap of two adjacent digits.
"""

from __future__ import annotations

import secrets

from persiantools.digits import ar_to_fa, fa_to_en
from stdnum import verhoeff

BODY_LENGTH = 10
LENGTH = BODY_LENGTH + 1
_SEPARATORS = frozenset(" -\t\u200c")


def with_check_digit(body: str) -> str:
    return body + str(verhoeff.calc_check_digit(body))


def new_receipt() -> str:
    """Eleven digits, never starting with zero so no spreadsheet drops a digit."""
    body = str(secrets.randbelow(9 * 10 ** (BODY_LENGTH - 1)) + 10 ** (BODY_LENGTH - 1))
    return with_check_digit(body)


def parse_receipt(raw: str) -> str | None:
    """The receipt in ASCII digits, or None when it cannot be one; Persian digits and spaces are fine."""
    ascii_digits = str(fa_to_en(ar_to_fa(raw.strip())))
    value = "".join(ch for ch in ascii_digits if ch not in _SEPARATORS)
    if len(value) != LENGTH or not value.isascii() or not value.isdigit():
        return None
    return value if verhoeff.is_valid(value) else None


def display_receipt(receipt: str) -> str:
    """Grouped for reading aloud: `1234 567 8901`."""
    return f"{receipt[:4]} {receipt[4:7]} {receipt[7:]}"

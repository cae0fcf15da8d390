"""Contacts as typed by people: Iranian mobile numbers to E.164, e-mail addresses in lower case."""

from __future__ import annotations

import phonenumbers
from persiantools.digits import ar_to_fa, fa_to_en

from servicekit.logs import mask_mobile

MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


class InvalidMobile(ValueError):
    message_fa = "شماره همراه معتبر نیست."

    def __init__(self) -> None:
        super().__init__("not an Iranian mobile number (09xxxxxxxxx or +989xxxxxxxxx)")


def normalise_mobile(raw: str) -> str:
    """`09141234567`, `+98 914 123 4567` or `۰۹۱۴۱۲۳۴۵۶۷` -> `+989141234567`."""
    digits = str(fa_to_en(ar_to_fa(raw.strip())))
    try:
        number = phonenumbers.parse(digits, "IR")
    except phonenumbers.NumberParseException as error:
        raise InvalidMobile() from error
    if number.country_code != 98 or not phonenumbers.is_valid_number(number):
        raise InvalidMobile()
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise InvalidMobile()
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def normalise_contact(raw: str) -> str:
    """An e-mail address in lower case, or a mobile number in E.164 (raises `InvalidMobile`)."""
    return normalise_email(raw) if "@" in raw else normalise_mobile(raw)


def mask(e164: str) -> str:
    """Only the last three digits stay readable, whatever the number looks like."""
    masked = str(mask_mobile(e164))
    if masked != e164:
        return masked
    return "*" * max(len(e164) - 3, 0) + e164[-3:]

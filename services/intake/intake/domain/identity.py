"""Iranian national IDs and mobile numbers."""

import phonenumbers

from intake.domain.persian import normalize_number


class InvalidIdentity(ValueError):
    """A national ID or mobile number that cannot be right; `message_fa` is for the citizen."""

    def __init__(self, message: str, message_fa: str) -> None:
        super().__init__(message)
        self.message_fa = message_fa


def national_id(raw: str) -> str:
    """Validate a کد ملی: ten digits, not all the same, with its check digit."""
    value = normalize_number(raw)
    if len(value) != 10 or not value.isdigit():
        raise InvalidIdentity("national ID must be 10 digits", "کد ملی باید ۱۰ رقم باشد")
    if len(set(value)) == 1:
        raise InvalidIdentity("national ID is not valid", "کد ملی معتبر نیست")
    total = sum(int(value[i]) * (10 - i) for i in range(9)) % 11
    check = total if total < 2 else 11 - total
    if check != int(value[9]):
        raise InvalidIdentity("national ID check digit does not match", "رقم کنترل کد ملی درست نیست")
    return value


def mobile_e164(raw: str) -> str:
    """09xxxxxxxxx, +989xxxxxxxxx, 00989…, 9xxxxxxxxx (any digits) → +989xxxxxxxxx."""
    value = normalize_number(raw)
    if value.startswith("00"):
        value = "+" + value[2:]
    try:
        number = phonenumbers.parse(value, "IR")
    except phonenumbers.NumberParseException as error:
        raise InvalidIdentity("mobile number is not valid", "شماره همراه معتبر نیست") from error
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
        or number.country_code != 98
    ):
        raise InvalidIdentity("not an Iranian mobile number", "شماره همراه ایران معتبر نیست")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

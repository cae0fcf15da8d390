import logging

import pytest

from notify.domain.phones import InvalidMobile, mask, normalise_mobile
from notify.ports import Outgoing
from notify.providers.sms import LogSmsProvider

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "typed",
    [
        "09141234567",
        "+989141234567",
        "00989141234567",
        "9141234567",
        "0914 123 4567",
        "۰۹۱۴۱۲۳۴۵۶۷",
        "٠٩١٤١٢٣٤٥٦٧",
    ],
)
def test_iranian_mobiles_become_e164(typed: str) -> None:
    assert normalise_mobile(typed) == "+989141234567"


@pytest.mark.parametrize(
    "typed", ["02112345678", "0914123456", "+14155550123", "not a number", "091412345678"]
)
def test_landlines_foreign_and_malformed_numbers_are_refused(typed: str) -> None:
    with pytest.raises(InvalidMobile):
        normalise_mobile(typed)


def test_mask_keeps_only_the_last_three_digits() -> None:
    masked = mask("+989141234567")
    assert masked.endswith("567")
    assert "914123" not in masked


def test_mask_covers_numbers_the_shared_pattern_does_not_know() -> None:
    assert mask("+14155550123") == "*********123"


async def test_log_provider_never_logs_the_whole_number(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="notify.sms")
    message_id = await LogSmsProvider().send(Outgoing("+989141234567", "کد رهگیری: 140312345678", "n-1"))
    assert message_id
    assert "9141234567" not in caplog.text
    assert "567" in caplog.text
    assert "140312345678" in caplog.text

from __future__ import annotations

import json
import logging

import pytest

from servicekit.context import correlation_id_var
from servicekit.logs import JsonFormatter, PersonalDataFilter, mask_personal_data


@pytest.mark.parametrize("mobile", ["09141234567", "+989141234567", "00989141234567"])
def test_mobiles_keep_only_their_last_three_digits(mobile: str) -> None:
    masked = mask_personal_data(f"sms to {mobile} sent")
    assert masked.startswith("sms to ") and masked.endswith(" sent")
    number = masked.removeprefix("sms to ").removesuffix(" sent")
    assert number.endswith("567")
    assert "914123" not in masked and "1234" not in masked
    assert sum(ch.isdigit() for ch in number.removeprefix("+98")) == 3


def test_mobile_in_persian_digits_is_masked() -> None:
    assert "۱۲۳۴" not in mask_personal_data("sms to ۰۹۱۴۱۲۳۴۵۶۷ sent")


def test_national_id_in_persian_digits_is_masked() -> None:
    assert "۰۰۱۲۳۴۵۶۷۹" not in mask_personal_data("national id ۰۰۱۲۳۴۵۶۷۹")


def test_national_id_is_masked_entirely() -> None:
    masked = mask_personal_data("national id 0012345679 checked")
    assert "0012345679" not in masked
    assert not any(ch.isdigit() for ch in masked)
    assert masked.startswith("national id ") and masked.endswith(" checked")


def test_email_keeps_first_letter_and_domain() -> None:
    masked = mask_personal_data("mail ali.rezaei@example.ir now")
    assert "ali.rezaei" not in masked and "li.rezaei" not in masked
    assert masked.startswith("mail a")
    assert "@example.ir now" in masked


@pytest.mark.parametrize(
    "text",
    [
        "request filed without trouble",
        "درخواست شما در دست اقدام است.",
        "order 12345 of 2026, 3 items, code 140312",
        "tracking 140312345678",
    ],
)
def test_ordinary_text_and_short_numbers_are_left_alone(text: str) -> None:
    assert mask_personal_data(text) == text


def test_filter_masks_a_record_built_from_percent_args() -> None:
    record = logging.LogRecord(
        "t", logging.INFO, __file__, 1, "sms to %s for %s", ("09141234567", "ali@example.ir"), None
    )
    assert PersonalDataFilter().filter(record) is True
    message = record.getMessage()
    assert "09141234567" not in message and "1234" not in message
    assert message.endswith("@example.ir")
    assert "567" in message


def test_json_formatter_carries_correlation_id_service_and_unescaped_persian() -> None:
    record = logging.LogRecord("intake.api", logging.WARNING, __file__, 1, "درخواست %s ثبت شد", ("۱۲",), None)
    token = correlation_id_var.set("corr-42")
    try:
        line = JsonFormatter("intake").format(record)
    finally:
        correlation_id_var.reset(token)
    parsed = json.loads(line)
    assert parsed["correlation_id"] == "corr-42"
    assert parsed["service"] == "intake"
    assert parsed["level"] == "WARNING"
    assert parsed["msg"] == "درخواست ۱۲ ثبت شد"
    assert "درخواست" in line and "\\u" not in line


def test_digit_runs_inside_identifiers_are_left_alone() -> None:
    line = "event 5b0f8a52-7e1b-4c1e-9a59-a86508138480b for a8650813848b"
    assert mask_personal_data(line) == line
    assert mask_personal_data("id=0499370899;") == "id=**********;"

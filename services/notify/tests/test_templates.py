from datetime import UTC, datetime

import pytest

from contracts import Language, RequestStatus
from notify.domain import templates
from notify.domain.calendar import jalali_datetime_fa
from notify.domain.templates import render, tracking_link

pytestmark = pytest.mark.unit
LINK = "https://pishkhan.example/track?code=140312345678"


def test_request_received_in_persian_has_code_and_link() -> None:
    text = render(templates.REQUEST_RECEIVED, Language.FA, tracking_code="140312345678", tracking_link=LINK)
    assert "کد رهگیری: 140312345678" in text
    assert LINK in text


def test_request_received_in_english() -> None:
    text = render(templates.REQUEST_RECEIVED, Language.EN, tracking_code="140312345678", tracking_link=LINK)
    assert text.startswith("Your request was filed")
    assert "Tracking code: 140312345678" in text


def test_routed_names_the_unit_in_the_readers_language() -> None:
    values = {
        "tracking_code": "1",
        "tracking_link": LINK,
        "unit_name_fa": "واحد روشنایی",
        "unit_name_en": "Lighting",
    }
    assert "به واحد روشنایی ارجاع شد" in render(templates.REQUEST_ROUTED, Language.FA, **values)
    assert "referred to Lighting" in render(templates.REQUEST_ROUTED, Language.EN, **values)


def test_a_template_without_the_language_falls_back_to_persian() -> None:
    text = render(templates.CONSULTATION_OPENED, Language.EN, title_fa="عنوان", closes_at_fa="۱۷ آذر")
    assert text.startswith("نظرخواهی عمومی")


def test_an_empty_note_leaves_no_blank_line() -> None:
    values = {
        "tracking_code": "1",
        "tracking_link": LINK,
        "status_fa": "رد شده",
        "status_en": "x",
        "note_fa": "",
    }
    text = render(templates.REQUEST_STATUS_CHANGED, Language.FA, **values)
    assert "\n\n" not in text
    assert text.splitlines() == ["وضعیت درخواست 1: رد شده", f"پیگیری: {LINK}"]


def test_every_template_has_persian_and_every_status_a_label() -> None:
    names = {name for name, _ in templates.TEMPLATES}
    assert all((name, Language.FA) in templates.TEMPLATES for name in names)
    assert set(templates.STATUS_FA) == set(RequestStatus) == set(templates.STATUS_EN)


def test_tracking_link_carries_the_code() -> None:
    assert (
        tracking_link("http://127.0.0.1:8001/track/", "140312345678")
        == "http://127.0.0.1:8001/track?code=140312345678"
    )


def test_closing_time_is_jalali_tehran_time_in_persian_digits() -> None:
    closes_at = datetime(2026, 12, 8, 20, 29, 59, tzinfo=UTC)
    assert jalali_datetime_fa(closes_at) == "۱۷ آذر ۱۴۰۵، ساعت ۲۳:۵۹"


def test_tehran_midnight_is_already_the_next_jalali_day() -> None:
    assert jalali_datetime_fa(datetime(2026, 3, 20, 20, 30, tzinfo=UTC)).startswith("۱ فروردین ۱۴۰۵")

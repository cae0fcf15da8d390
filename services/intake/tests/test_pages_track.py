from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from contracts import RequestStatus
from intake.api.pages import STATUS_FA
from intake.app import create_app
from intake.domain.tracking import new_tracking_code
from intake.settings import IntakeSettings

CODE = new_tracking_code()
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
FILED = datetime(2026, 11, 24, 8, 15, tzinfo=UTC)  # 1405/09/03 11:45 in Tehran
ROUTED = datetime(2026, 11, 24, 8, 16, tzinfo=UTC)
NOT_FOUND = "درخواستی با این مشخصات یافت نشد"


def public_view(**changes: Any) -> dict[str, Any]:
    view = {
        "tracking_code": CODE,
        "service_code": "ARD-101",
        "service_name_fa": "روشنایی معابر",
        "status": "routed",
        "unit_name_fa": "معاونت خدمات شهری منطقه ۱",
        "requested_at": FILED,
        "expected_at": None,
        "timeline": [
            {"status": "submitted", "note_fa": "درخواست ثبت شد", "unit_name_fa": None, "at": FILED},
            {
                "status": "routed",
                "note_fa": "به واحد مسئول ارجاع شد <b>",
                "unit_name_fa": "معاونت خدمات شهری منطقه ۱",
                "at": ROUTED,
            },
        ],
    }
    return view | changes


class StubIntake:
    def __init__(self, view: dict[str, Any]) -> None:
        self.view = view
        self.lookups: list[tuple[str, str]] = []

    async def track(self, raw_code: str, mobile_last4: str) -> dict[str, Any] | None:
        self.lookups.append((raw_code, mobile_last4))
        return self.view if raw_code == CODE and mobile_last4 == "4567" else None


@pytest.fixture
def intake() -> StubIntake:
    return StubIntake(public_view())


@pytest.fixture
async def client(intake: StubIntake) -> AsyncIterator[httpx.AsyncClient]:
    settings = IntakeSettings(
        mongodb_url="mongodb://127.0.0.1:9/intake",
        amqp_url="amqp://guest:guest@127.0.0.1:9/",
        http_port=8001,
        jwt_secret="s" * 40,
    )
    app = create_app(settings)  # its lifespan is not run: no store, no broker
    app.state.intake = intake
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://intake") as http:
        yield http


def assert_page_headers(response: httpx.Response) -> None:
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert '<html lang="fa" dir="rtl">' in response.text
    assert '<meta name="robots" content="noindex">' in response.text
    assert 'name="viewport"' in response.text


async def test_empty_form(client: httpx.AsyncClient, intake: StubIntake) -> None:
    response = await client.get("/track")
    assert response.status_code == 200
    assert_page_headers(response)
    assert 'method="get" action="/track"' in response.text
    assert 'class="hint"' not in response.text
    assert intake.lookups == []


async def test_link_from_the_sms_prefills_the_code_and_asks_for_the_digits(
    client: httpx.AsyncClient, intake: StubIntake
) -> None:
    response = await client.get("/track", params={"code": CODE})
    assert response.status_code == 200
    assert f'name="code" value="{CODE}"' in response.text
    assert "چهار رقم آخر شماره همراهی را که هنگام ثبت درخواست داده‌اید وارد کنید." in response.text
    assert intake.lookups == []


async def test_status_unit_dates_and_timeline_in_persian(
    client: httpx.AsyncClient, intake: StubIntake
) -> None:
    response = await client.get("/track", params={"code": CODE.translate(PERSIAN), "last4": "۴۵۶۷"})
    assert response.status_code == 200
    assert_page_headers(response)
    page = response.text
    assert intake.lookups == [(CODE, "4567")]
    assert "روشنایی معابر" in page
    assert "ارجاع شده به واحد مسئول" in page
    assert "معاونت خدمات شهری منطقه ۱" in page
    assert "۱۴۰۵/۰۹/۰۳ ساعت ۱۱:۴۵" in page
    assert "هنوز تعیین نشده" in page
    assert page.count('<li class="step">') == 2
    assert "ارجاع شد &lt;b&gt;" in page  # escaped
    assert CODE.translate(PERSIAN) in page


async def test_expected_date_is_jalali_in_tehran(client: httpx.AsyncClient, intake: StubIntake) -> None:
    intake.view = public_view(expected_at=datetime(2026, 12, 1, 21, 0, tzinfo=UTC), status="in_progress")
    response = await client.get("/track", params={"code": CODE, "last4": "4567"})
    assert "۱۴۰۵/۰۹/۱۱" in response.text  # already 2 December in Tehran
    assert "در حال رسیدگی" in response.text


async def test_wrong_code_and_wrong_digits_look_the_same(client: httpx.AsyncClient) -> None:
    other = next(code for code in iter(new_tracking_code, None) if code != CODE)
    wrong_code = await client.get("/track", params={"code": other, "last4": "4567"})
    wrong_digits = await client.get("/track", params={"code": CODE, "last4": "4568"})
    assert wrong_code.status_code == wrong_digits.status_code == 404
    assert NOT_FOUND in wrong_code.text and NOT_FOUND in wrong_digits.text
    assert wrong_code.text.replace(other, CODE) == wrong_digits.text.replace("4568", "4567")
    assert_page_headers(wrong_code)


@pytest.mark.parametrize(
    ("code", "last4", "field"),
    [
        (CODE[:-1] + str((int(CODE[-1]) + 1) % 10), "4567", "code"),
        ("12345", "4567", "code"),
        (CODE, "45", "last4"),
        (CODE, "abcd", "last4"),
    ],
)
async def test_malformed_input_is_422_with_a_hint(
    client: httpx.AsyncClient, intake: StubIntake, code: str, last4: str, field: str
) -> None:
    response = await client.get("/track", params={"code": code, "last4": last4})
    assert response.status_code == 422
    assert_page_headers(response)
    assert f'id="{field}-hint"' in response.text
    assert intake.lookups == []


async def test_overlong_input_is_not_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/track", params={"code": "9" * 500, "last4": "4567"})
    assert response.status_code == 422
    assert "9" * 41 not in response.text


async def test_lookups_share_the_json_rate_limit(client: httpx.AsyncClient) -> None:
    for _ in range(5):
        assert (await client.get(f"/v1/track/{CODE}", params={"last4": "4567"})).status_code == 200
    for _ in range(5):
        response = await client.get("/track", params={"code": CODE.translate(PERSIAN), "last4": "4567"})
        assert response.status_code == 200
    limited = await client.get("/track", params={"code": CODE, "last4": "4567"})
    assert limited.status_code == 429
    assert int(limited.headers["retry-after"]) >= 1
    assert "تعداد جست‌وجوها بیش از حد مجاز است" in limited.text
    assert_page_headers(limited)


async def test_stylesheet_is_served_locally(client: httpx.AsyncClient) -> None:
    response = await client.get("/static/pages.css")
    assert response.status_code == 200
    assert "font-family" in response.text
    page = (await client.get("/track")).text
    assert "http://" not in page and "https://" not in page


def test_every_status_has_a_persian_word() -> None:
    assert set(RequestStatus) <= set(STATUS_FA)

"""The Persian portal pages over the in-memory store: rendering, the form, CSRF, headers, privacy."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from consultation.api.pages.csrf import COOKIE, FormTokens, form_key
from consultation.api.pages.rendering import time_left_fa
from consultation.service.schedule import ScheduleWatch
from consultation.settings import ConsultationSettings
from servicekit.auth import Role

from .conftest import token

AUTHOR = token("author-1", Role.AUTHOR)
APPROVER = token("approver-1", Role.APPROVER)
MOBILE = "09141234567"
PRIVATE = ("9141234567", "۹۱۴۱۲۳۴۵۶۷", "resident@example.org")
DRAFT: dict[str, Any] = {
    "title_fa": "پیش‌نویس ساماندهی دستفروشان",
    "summary_fa": "ضوابط استقرار دستفروشان در پیاده‌روها",
    "authority_fa": "شهرداری اردبیل",
    "category": "ساماندهی مشاغل",
    "sections": [
        {
            "number": 1,
            "title_fa": "کلیات",
            "articles": [
                {
                    "id": "a-1",
                    "number": 1,
                    "title_fa": "تعریف",
                    "text_fa": "دستفروش کسی است که <b>بساط</b> دارد.",
                },
                {"id": "a-2", "number": 2, "text_fa": "استقرار در پیاده‌روی کمتر از دو متر ممنوع است."},
            ],
        }
    ],
}
SECURITY = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


async def _open(client: httpx.AsyncClient, **overrides: Any) -> str:
    created = await client.post("/v1/drafts", json=DRAFT | overrides, headers=AUTHOR)
    assert created.status_code == 201, created.text
    draft_id = str(created.json()["id"])
    assert (await client.post(f"/v1/drafts/{draft_id}/approve", headers=APPROVER)).status_code == 200
    opened = await client.post(f"/v1/drafts/{draft_id}/open", json={"days": 14}, headers=APPROVER)
    assert opened.status_code == 200, opened.text
    return draft_id


def _form_token(html: str) -> str:
    found = re.search(r'name="form_token" value="([^"]+)"', html)
    assert found, "the page carries no form token"
    return found.group(1)


async def _post(client: httpx.AsyncClient, draft_id: str, **fields: str) -> httpx.Response:
    page = await client.get(f"/consultations/{draft_id}")
    body = {"form_token": _form_token(page.text), "stance": "against", "text_fa": "با این ماده مخالفم"}
    return await client.post(f"/consultations/{draft_id}", data=body | fields)


def _assert_secure(response: httpx.Response) -> None:
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    policy = response.headers["content-security-policy"]
    for directive in ("default-src 'self'", "script-src 'none'", "style-src 'self'", "form-action 'self'"):
        assert directive in policy
    assert "frame-ancestors 'none'" in policy and "base-uri 'none'" in policy


async def test_the_list_shows_open_consultations_in_persian(client: httpx.AsyncClient) -> None:
    draft_id = await _open(client)
    page = await client.get("/consultations")
    assert page.status_code == 200
    _assert_secure(page)
    assert '<html lang="fa" dir="rtl">' in page.text
    assert f'href="/consultations/{draft_id}"' in page.text
    assert "ساماندهی مشاغل" in page.text and "همه مناطق" in page.text
    assert re.search(r"[۱۲۳۴۵۶۷۸۹][۰-۹]? روز مانده", page.text)
    assert re.search(r"۱۴۰[۰-۹]/[۰-۹]{2}/[۰-۹]{2}", page.text)
    assert "<script" not in page.text


async def test_the_draft_reads_article_by_article_with_escaped_text(client: httpx.AsyncClient) -> None:
    draft_id = await _open(client, districts=["2", "3"])
    page = await client.get(f"/consultations/{draft_id}?article=a-2")
    assert page.status_code == 200
    _assert_secure(page)
    assert "ماده ۱ — تعریف" in page.text and "ماده ۲" in page.text and "فصل ۱: کلیات" in page.text
    assert "&lt;b&gt;بساط&lt;/b&gt;" in page.text and "<b>" not in page.text
    assert "۲، ۳" in page.text
    assert '<option value="a-2" selected>' in page.text
    for field in (
        "stance-for",
        "stance-neutral",
        "stance-against",
        "text_fa",
        "name",
        "organization",
        "contact",
    ):
        assert f'for="{field}"' in page.text and f'id="{field}"' in page.text
    cookie = page.headers["set-cookie"].lower()
    assert f"{COOKIE}=" in cookie and "samesite=strict" in cookie and "httponly" in cookie


async def test_a_comment_filed_through_the_form_gets_a_receipt_and_stays_private(
    client: httpx.AsyncClient,
) -> None:
    draft_id = await _open(client)
    filed = await _post(
        client, draft_id, article_id="a-1", stance="for", text_fa="با تعریف موافقم", contact="۰۹۱۴۱۲۳۴۵۶۷"
    )
    assert filed.status_code == 201, filed.text
    _assert_secure(filed)
    receipt = re.search(r'class="receipt" dir="ltr">([۰-۹ ]+)<', filed.text)
    assert receipt and len(receipt.group(1).replace(" ", "")) == 11
    draft = await client.get(f"/consultations/{draft_id}")
    assert "دیدگاه‌ها (۱)" in draft.text
    for path in (f"/consultations/{draft_id}/comments?article=a-1", f"/consultations/{draft_id}/comments"):
        listed = await client.get(path)
        assert "با تعریف موافقم" in listed.text and "موافق" in listed.text
        assert not any(value in listed.text for value in PRIVATE)
    assert "با تعریف موافقم" not in (await client.get(f"/consultations/{draft_id}/comments?article=")).text
    published = await client.get(f"/v1/consultations/{draft_id}/comments")
    assert published.json()["count"] == 1
    assert not any(value in published.text for value in PRIVATE)


async def test_a_post_without_the_matching_token_is_refused(client: httpx.AsyncClient) -> None:
    draft_id = await _open(client)
    body = {"stance": "for", "text_fa": "موافقم"}
    missing = await client.post(f"/consultations/{draft_id}", data=body)
    assert missing.status_code == 403 and "فرم" in missing.text
    _assert_secure(missing)
    page = await client.get(f"/consultations/{draft_id}")
    other = FormTokens(b"k" * 32).issue()
    forged = await client.post(f"/consultations/{draft_id}", data=body | {"form_token": other})
    assert forged.status_code == 403
    client.cookies.clear()
    no_cookie = await client.post(
        f"/consultations/{draft_id}", data=body | {"form_token": _form_token(page.text)}
    )
    assert no_cookie.status_code == 403
    assert (await client.get(f"/v1/consultations/{draft_id}/comments")).json()["count"] == 0


def test_tokens_are_signed_and_expire(settings: ConsultationSettings) -> None:
    now = [1_000_000.0]
    tokens = FormTokens(form_key(settings), clock=lambda: now[0])
    issued = tokens.issue()
    assert tokens.matches(issued, issued)
    assert not tokens.matches(issued, tokens.issue())
    assert not tokens.valid(issued[:-1] + ("0" if issued[-1] != "0" else "1"))
    assert not FormTokens(b"other").valid(issued)
    now[0] += 13 * 3600
    assert not tokens.matches(issued, issued)
    assert form_key(settings) != settings.jwt_secret.get_secret_value().encode()  # type: ignore[union-attr]


async def test_bad_input_is_shown_again_in_persian_with_the_text_kept(client: httpx.AsyncClient) -> None:
    draft_id = await _open(client)
    refused = await _post(client, draft_id, stance="", text_fa="متن تایپ‌شده", contact="12")
    assert refused.status_code == 422
    assert "متن تایپ‌شده</textarea>" in refused.text
    assert "موافق، بی‌نظر یا مخالف" in refused.text and "شماره همراه" in refused.text
    assert 'aria-invalid="true"' in refused.text
    long = await _post(client, draft_id, text_fa="ا" * 5001)
    assert long.status_code == 422 and "۵۰۰۰" in long.text
    organization = await _post(client, draft_id, submitter_type="organization")
    assert organization.status_code == 422 and "نام سازمان" in organization.text
    unknown = await _post(client, draft_id, article_id="a-404", text_fa="درباره‌ی ماده‌ای که نیست")
    assert unknown.status_code == 422 and "درباره‌ی ماده‌ای که نیست" in unknown.text


async def test_a_closed_window_refuses_with_409_and_keeps_the_text(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    draft_id = await _open(client)
    page = await client.get(f"/consultations/{draft_id}")
    service = app.state.consultation_service
    later = service.clock() + timedelta(days=15)
    service.clock = lambda: later
    body = {"form_token": _form_token(page.text), "stance": "for", "text_fa": "دیر رسیدم"}
    refused = await client.post(f"/consultations/{draft_id}", data=body)
    assert refused.status_code == 409
    assert "مهلت اظهارنظر باز نیست" in refused.text and "دیر رسیدم" in refused.text


async def test_comments_are_rate_limited_with_the_json_api(client: httpx.AsyncClient) -> None:
    draft_id = await _open(client)
    for _ in range(5):
        assert (
            await client.post(
                f"/v1/consultations/{draft_id}/comments", json={"stance": "for", "text_fa": "آ"}
            )
        ).status_code == 201
    statuses = [(await _post(client, draft_id)).status_code for _ in range(6)]
    assert statuses == [201] * 5 + [429]
    limited = await _post(client, draft_id, text_fa="بار یازدهم")
    assert "ثانیه" in limited.text and "بار یازدهم" in limited.text and limited.headers["retry-after"]


async def test_unpublished_or_unknown_drafts_are_not_found(client: httpx.AsyncClient) -> None:
    created = await client.post("/v1/drafts", json=DRAFT, headers=AUTHOR)
    draft_id = created.json()["id"]
    for path in (f"/consultations/{draft_id}", "/consultations/d-missing", f"/consultations/{'x' * 80}"):
        page = await client.get(path)
        assert page.status_code == 404 and "منتشر نشده" in page.text
        _assert_secure(page)
    moved = await client.get(f"/drafts/{draft_id}")
    assert moved.status_code == 301 and moved.headers["location"] == f"/consultations/{draft_id}"
    assert (await client.get("/drafts/a%0d%0aSet-Cookie:x=1")).status_code == 404


async def test_the_style_sheet_is_served_with_the_headers(client: httpx.AsyncClient) -> None:
    sheet = await client.get("/consultations/static/portal.css")
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/css")
    _assert_secure(sheet)
    assert "x-frame-options" not in (await client.get("/v1/consultations")).headers


async def test_after_issue_the_final_text_and_the_responses_are_shown(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    draft_id = await _open(client)
    filed = await _post(client, draft_id, article_id="a-2", contact="resident@example.org")
    assert filed.status_code == 201
    receipt = (await client.get(f"/v1/consultations/{draft_id}/comments")).json()["items"][0]["receipt"]
    service = app.state.consultation_service
    later = service.clock() + timedelta(days=20)
    service.clock = lambda: later
    await ScheduleWatch(service, service._outbox).scan()
    drafts = f"/v1/drafts/{draft_id}"
    assert (await client.post(f"{drafts}/revision", headers=AUTHOR)).status_code == 200
    answer = {"target": receipt, "decision": "partly_accepted", "text_fa": "عرض پیاده‌رو به سه متر رسید"}
    assert (await client.post(f"{drafts}/responses", json=answer, headers=AUTHOR)).status_code == 201
    issued = await client.post(f"{drafts}/issue", json={"summary_of_changes_fa": "بازنگری"}, headers=APPROVER)
    assert issued.status_code == 200, issued.text
    page = await client.get(f"/consultations/{draft_id}")
    assert page.status_code == 200
    assert "متن نهایی ابلاغ‌شده" in page.text and "گزارش پاسخ به نظرها" in page.text
    assert "بخشی پذیرفته شد" in page.text and "عرض پیاده‌رو به سه متر رسید" in page.text
    assert 'id="comment-form"' not in page.text
    assert not any(value in page.text for value in PRIVATE)


def test_time_left_reads_in_persian() -> None:
    assert time_left_fa(12 * 86_400 + 5) == "۱۲ روز مانده"
    assert time_left_fa(5 * 3_600) == "۵ ساعت مانده"
    assert time_left_fa(59) == "کمتر از یک ساعت مانده"
    assert time_left_fa(0) == "مهلت تمام شده است"


async def test_the_privacy_statement_says_what_is_kept_why_and_for_how_long(
    client: httpx.AsyncClient,
) -> None:
    listing = await client.get("/consultations")
    assert 'href="/privacy"' in listing.text, "every page links the statement"
    page = await client.get("/privacy")
    assert page.status_code == 200
    assert page.headers["content-security-policy"]
    html = page.text
    assert '<html lang="fa" dir="rtl">' in html
    for heading in ("requests", "messages", "subscriptions", "comments", "contact"):
        assert f'id="{heading}"' in html
    for promise in ("چه چیزی:", "چرا:", "تا کی:"):
        assert html.count(promise) == 4, promise
    assert html.index("بیانیه‌ی حریم خصوصی") < html.index('lang="en"'), "Persian first"

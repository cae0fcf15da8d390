from typing import Any

import httpx

from servicekit.auth import Role

from .conftest import token

AUTHOR = token("author-1", Role.AUTHOR)
APPROVER = token("approver-1", Role.APPROVER)
DRAFT: dict[str, Any] = {
    "title_fa": "پيش‌نويس ساماندهي دستفروشان",
    "summary_fa": "ضوابط استقرار دستفروشان",
    "authority_fa": "شهرداری اردبیل",
    "category": "ساماندهی مشاغل",
    "sections": [{"number": 1, "articles": [{"id": "a-1", "number": 1, "text_fa": "متن ماده یک"}]}],
}


async def _approved(client: httpx.AsyncClient) -> str:
    created = await client.post("/v1/drafts", json=DRAFT, headers=AUTHOR)
    assert created.status_code == 201, created.text
    assert created.json()["title_fa"] == "پیش‌نویس ساماندهی دستفروشان"
    draft_id = str(created.json()["id"])
    assert (await client.post(f"/v1/drafts/{draft_id}/approve", headers=APPROVER)).status_code == 200
    return draft_id


async def test_a_short_window_is_refused_with_the_rule_in_both_languages(client: httpx.AsyncClient) -> None:
    draft_id = await _approved(client)
    refused = await client.post(f"/v1/drafts/{draft_id}/open", json={"days": 13}, headers=APPROVER)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "at least 14 calendar days" in refused.json()["detail"]
    assert "۲۳:۵۹:۵۹" in refused.json()["errors"][0]["msg_fa"]


async def test_transitions_out_of_order_are_conflicts(client: httpx.AsyncClient) -> None:
    draft_id = await _approved(client)
    again = await client.post(f"/v1/drafts/{draft_id}/approve", headers=token("approver-2", Role.APPROVER))
    assert again.status_code == 409
    assert again.json()["errors"][0]["code"] == "illegal_transition"
    edit = await client.post(f"/v1/drafts/{draft_id}/versions", json=DRAFT, headers=AUTHOR)
    assert edit.status_code == 409


async def test_staff_roles_are_checked(client: httpx.AsyncClient) -> None:
    assert (await client.post("/v1/drafts", json=DRAFT)).status_code == 401
    assert (await client.post("/v1/drafts", json=DRAFT, headers=APPROVER)).status_code == 403


async def test_a_contact_never_reaches_a_public_answer(client: httpx.AsyncClient) -> None:
    draft_id = await _approved(client)
    assert (
        await client.post(f"/v1/drafts/{draft_id}/open", json={"days": 14}, headers=APPROVER)
    ).status_code == 200
    filed = await client.post(
        f"/v1/consultations/{draft_id}/comments",
        json={
            "article_id": "a-1",
            "stance": "against",
            "text_fa": "مخالفم",
            "contact": {"mobile": "۰۹۱۴۱۲۳۴۵۶۷", "email": "a@example.org"},
        },
    )
    assert filed.status_code == 201, filed.text
    assert len(filed.json()["receipt"]) == 11
    for path in ("", f"/{draft_id}", f"/{draft_id}/comments", f"/{draft_id}/comments?article_id=a-1"):
        response = await client.get(f"/v1/consultations{path}")
        assert response.status_code == 200
        for private in ("9141234567", "a@example.org", "contact"):
            assert private not in response.text
    read = (await client.get(f"/v1/consultations/{draft_id}")).json()
    assert read["sections"][0]["articles"][0]["comment_count"] == 1
    assert read["accepting_comments"] and read["closes_on_jalali"]


async def test_comments_are_rate_limited_per_client(client: httpx.AsyncClient) -> None:
    draft_id = await _approved(client)
    await client.post(f"/v1/drafts/{draft_id}/open", json={"days": 14}, headers=APPROVER)
    body = {"stance": "for", "text_fa": "موافقم"}
    statuses = [
        (await client.post(f"/v1/consultations/{draft_id}/comments", json=body)).status_code
        for _ in range(11)
    ]
    assert statuses == [201] * 10 + [429]


async def test_a_draft_not_yet_open_is_not_public(client: httpx.AsyncClient) -> None:
    draft_id = await _approved(client)
    assert (await client.get(f"/v1/consultations/{draft_id}")).status_code == 404
    filed = await client.post(
        f"/v1/consultations/{draft_id}/comments", json={"stance": "for", "text_fa": "x"}
    )
    assert filed.status_code == 404

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from consultation.store.drafts import DRAFTS

DRAFT = {
    "title_fa": "پيش‌نويس دستورالعمل ساماندهي دستفروشان ",
    "summary_fa": "ضوابط استقرار دستفروشان در معابر شهر",
    "body_fa": "ماده ۱ - ...",
    "title_en": "  Street vendors  ",
}


async def create(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    response = await client.post("/v1/drafts", json=DRAFT, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_staff_create_a_draft_with_normalised_persian_text(
    client: httpx.AsyncClient, moderator: dict[str, str]
) -> None:
    response = await client.post("/v1/drafts", json=DRAFT, headers=moderator)
    assert response.status_code == 201
    draft = response.json()
    assert response.headers["location"] == f"/v1/drafts/{draft['id']}"
    assert draft["status"] == "draft"
    assert draft["version"] == 1
    assert draft["title_fa"] == "پیش‌نویس دستورالعمل ساماندهی دستفروشان"
    assert draft["title_en"] == "Street vendors"
    assert draft["opens_at"] is None
    assert draft["closes_at_jalali"] is None
    assert "created_by" not in draft
    assert "outbox" not in draft


async def test_creating_needs_a_staff_token(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/drafts", json=DRAFT)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_creating_needs_an_admin_or_moderator(client: httpx.AsyncClient, clerk: dict[str, str]) -> None:
    response = await client.post("/v1/drafts", json=DRAFT, headers=clerk)
    assert response.status_code == 403
    assert response.json()["title"] == "forbidden"


async def test_unknown_fields_and_blank_text_are_refused(
    client: httpx.AsyncClient, moderator: dict[str, str]
) -> None:
    response = await client.post("/v1/drafts", json=DRAFT | {"status": "open"}, headers=moderator)
    assert response.status_code == 422
    response = await client.post("/v1/drafts", json=DRAFT | {"summary_fa": "   "}, headers=moderator)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "summary_fa"]


async def test_anyone_reads_a_draft_and_an_unknown_one_is_a_404(
    client: httpx.AsyncClient, moderator: dict[str, str]
) -> None:
    created = await create(client, moderator)
    response = await client.get(f"/v1/drafts/{created['id']}")
    assert response.status_code == 200
    assert response.json() == created
    missing = await client.get("/v1/drafts/d-00000000")
    assert missing.status_code == 404
    assert missing.json()["title"] == "draft_not_found"


async def test_opening_sets_the_window_and_publishes_the_event(
    client: httpx.AsyncClient, moderator: dict[str, str], fake_bus: Any, fake_store: Any
) -> None:
    created = await create(client, moderator)
    before = datetime.now(UTC)
    response = await client.post(f"/v1/drafts/{created['id']}/open", headers=moderator)
    assert response.status_code == 200, response.text
    opened = response.json()
    assert opened["status"] == "open"
    opens_at = datetime.fromisoformat(opened["opens_at"])
    closes_at = datetime.fromisoformat(opened["closes_at"])
    assert before - timedelta(seconds=1) <= opens_at <= datetime.now(UTC)
    assert timedelta(days=14) < closes_at - opens_at < timedelta(days=15)
    assert closes_at.microsecond == 999000
    assert opened["closes_at_jalali"].count("/") == 2
    assert opened["closes_at_jalali"][:2] == "۱۴"

    (event,) = fake_bus.published
    assert event["type"] == "consultation.opened.v1"
    assert event["producer"] == "consultation"
    assert event["payload"]["draft_id"] == created["id"]
    assert datetime.fromisoformat(event["payload"]["closes_at"]) == closes_at
    assert fake_store.collection(DRAFTS).documents[created["id"]]["outbox"] == []


async def test_opening_twice_is_a_conflict(client: httpx.AsyncClient, moderator: dict[str, str]) -> None:
    created = await create(client, moderator)
    assert (await client.post(f"/v1/drafts/{created['id']}/open", headers=moderator)).status_code == 200
    again = await client.post(f"/v1/drafts/{created['id']}/open", headers=moderator)
    assert again.status_code == 409
    assert again.json()["title"] == "illegal_transition"


async def test_opening_needs_staff_and_an_existing_draft(
    client: httpx.AsyncClient, moderator: dict[str, str], clerk: dict[str, str]
) -> None:
    created = await create(client, moderator)
    assert (await client.post(f"/v1/drafts/{created['id']}/open")).status_code == 401
    assert (await client.post(f"/v1/drafts/{created['id']}/open", headers=clerk)).status_code == 403
    assert (await client.post("/v1/drafts/d-00000000/open", headers=moderator)).status_code == 404


async def test_listing_filters_by_status(client: httpx.AsyncClient, moderator: dict[str, str]) -> None:
    first = await create(client, moderator)
    await create(client, moderator)
    await client.post(f"/v1/drafts/{first['id']}/open", headers=moderator)
    open_ones = (await client.get("/v1/drafts", params={"status": "open"})).json()
    assert [item["id"] for item in open_ones["items"]] == [first["id"]]
    assert open_ones["count"] == 1
    assert "body_fa" not in open_ones["items"][0]
    everything = (await client.get("/v1/drafts")).json()
    assert everything["count"] == 2
    assert (await client.get("/v1/drafts", params={"status": "sideways"})).status_code == 422


async def test_health_answers_without_a_broker_or_store(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.json() == {"status": "ok", "service": "consultation"}

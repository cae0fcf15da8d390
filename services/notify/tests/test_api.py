import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from contracts import Channel
from notify.domain.model import Delivery
from servicekit.auth import Role, mint_staff_token

from .conftest import NOW, FakeRepository

pytestmark = pytest.mark.unit

SECRET = "s" * 40


def token(*roles: Role, units: tuple[str, ...] = ("d1-lighting",)) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_staff_token(SECRET, 'staff-1', list(roles), units=list(units))}"}


def test_the_app_is_built_without_connecting_and_consumes_its_queues(app: FastAPI) -> None:
    app.state.bus.check_consumes_its_topology()
    assert {"/v1/notifications", "/v1/subscriptions", "/healthz"} <= set(app.openapi()["paths"])


def test_subscribing_normalises_the_number_and_is_idempotent(
    client: TestClient, repository: FakeRepository
) -> None:
    first = client.post(
        "/v1/subscriptions",
        json={"topic": "consultations", "mobile": "۰۹۱۴۱۲۳۴۵۶۷"},
        headers=token(Role.ADMIN),
    )
    again = client.post(
        "/v1/subscriptions",
        json={"topic": "consultations", "mobile": "+989141234567"},
        headers=token(Role.ADMIN),
    )

    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert first.json()["mobile"].endswith("567")
    assert "9141234567" not in first.text
    assert list(repository.subscribed) == ["consultations:+989141234567"]
    listed = client.get("/v1/subscriptions?topic=consultations", headers=token(Role.ADMIN))
    assert [item["mobile"] for item in listed.json()["items"]] == [first.json()["mobile"]]


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "consultations", "mobile": "02112345678"},
        {"topic": "weather", "mobile": "09141234567"},
        {"topic": "consultations", "mobile": "09141234567", "name": "x"},
    ],
)
def test_bad_subscriptions_are_refused(client: TestClient, body: dict[str, str]) -> None:
    response = client.post("/v1/subscriptions", json=body, headers=token(Role.ADMIN))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_a_bad_mobile_is_explained_in_persian(client: TestClient) -> None:
    body = {"topic": "consultations", "mobile": "02112345678"}
    response = client.post("/v1/subscriptions", json=body, headers=token(Role.ADMIN))
    assert response.json()["errors"][0]["msg_fa"] == "شماره همراه معتبر نیست."


def test_subscriptions_are_for_admins_only(client: TestClient) -> None:
    body = {"topic": "consultations", "mobile": "09141234567"}
    assert client.post("/v1/subscriptions", json=body).status_code == 401
    assert client.post("/v1/subscriptions", json=body, headers=token(Role.CLERK)).status_code == 403
    assert client.get("/v1/subscriptions", headers=token(Role.SUPERVISOR)).status_code == 403


async def test_staff_see_deliveries_with_the_number_masked(
    client: TestClient, repository: FakeRepository
) -> None:
    delivery = Delivery.new(
        source_event_id="e-1",
        channel=Channel.SMS,
        recipient_key="r-1",
        request_id="r-1",
        template="request.received",
        to="+989141234567",
        text="...",
        now=NOW,
    )
    await repository.add_delivery(delivery)
    other_unit = token(Role.CLERK, units=("d2-roads",))
    assert client.get("/v1/notifications?request_id=r-1", headers=token(Role.CLERK)).json()["items"] == [], (
        "not yet routed: no unit's staff see it"
    )
    await repository.assign_unit("r-1", "d1-lighting")
    assert client.get("/v1/notifications?request_id=r-1", headers=other_unit).json()["items"] == []
    assert client.get(f"/v1/notifications/{delivery.notification_id}", headers=other_unit).status_code == 404
    assert len(client.get("/v1/notifications?request_id=r-1", headers=token(Role.ADMIN)).json()["items"]) == 1

    response = client.get("/v1/notifications?request_id=r-1&limit=10", headers=token(Role.CLERK))

    assert response.status_code == 200
    [item] = response.json()["items"]
    assert (item["request_id"], item["status"], item["template"]) == ("r-1", "created", "request.received")
    assert "9141234567" not in response.text
    assert client.get("/v1/notifications", headers=token(Role.MODERATOR)).status_code == 403
    detail = client.get(f"/v1/notifications/{delivery.notification_id}", headers=token(Role.CLERK)).json()
    assert [entry["status"] for entry in detail["history"]] == ["created"]
    assert detail["recipient"].endswith("567") and "9141234567" not in str(detail)
    assert client.get("/v1/notifications/nope", headers=token(Role.CLERK)).status_code == 404


def test_preview_shows_encoding_and_segments(client: TestClient) -> None:
    persian = client.post(
        "/v1/templates/request.submitted.v1/preview",
        json={"body": "کد رهگیری شما ((tracking_code)) است. " * 3, "values": {"tracking_code": "1403"}},
        headers=token(Role.ADMIN),
    ).json()
    assert (persian["encoding"], persian["segments"]) == ("ucs2", 2)
    assert "1403" in persian["text"]
    latin = client.post(
        "/v1/templates/request.submitted.v1/preview",
        json={"body": "Code ((tracking_code)) {x}"},
        headers=token(Role.ADMIN),
    ).json()
    assert (latin["text"], latin["encoding"], latin["characters"]) == ("Code <tracking_code> {x}", "gsm7", 26)


def test_a_template_with_a_placeholder_the_event_lacks_is_refused_at_save(client: TestClient) -> None:
    response = client.put(
        "/v1/templates/request.submitted.v1/sms/fa",
        json={"body": "((tracking_code)) ((national_id))"},
        headers=token(Role.ADMIN),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["names"] == ["national_id"]
    unknown = client.put("/v1/templates/no.such.v1/sms/fa", json={"body": "x"}, headers=token(Role.ADMIN))
    assert unknown.status_code == 404
    clerk = client.put(
        "/v1/templates/request.submitted.v1/sms/fa", json={"body": "x"}, headers=token(Role.CLERK)
    )
    assert clerk.status_code == 403

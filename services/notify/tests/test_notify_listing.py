"""Staff look up what a recipient was sent, by mobile number or e-mail address, masked."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from contracts import Channel
from notify.domain.model import Delivery
from notify.domain.phones import normalise_contact
from servicekit.auth import Role

from .conftest import NOW, FakeRepository
from .test_api import token

pytestmark = pytest.mark.unit

MOBILE = "+989141234567"
OTHER = "+989121112233"
EMAIL = "maryam.rezaei@example.org"


def delivered_to(to: str, n: int, channel: Channel = Channel.SMS) -> Delivery:
    return Delivery.new(
        source_event_id=f"e-{n}",
        channel=channel,
        recipient_key=f"r-{n}",
        request_id=f"r-{n}",
        template="request.received",
        to=to,
        text="...",
        now=NOW + timedelta(minutes=n),
    )


@pytest.fixture
async def sent(repository: FakeRepository) -> None:
    for n in range(5):
        await repository.add_delivery(delivered_to(MOBILE, n))
    await repository.add_delivery(delivered_to(OTHER, 5))
    await repository.add_delivery(delivered_to(EMAIL, 6, Channel.EMAIL))
    for n in range(7):
        await repository.assign_unit(f"r-{n}", "d1-lighting")


def listed(client: TestClient, role: Role = Role.CLERK, **params: object) -> list[dict[str, object]]:
    response = client.get("/v1/notifications", params=params, headers=token(role))
    assert response.status_code == 200, response.text
    items: list[dict[str, object]] = response.json()["items"]
    return items


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("09141234567", MOBILE),
        ("۰۹۱۴۱۲۳۴۵۶۷", MOBILE),
        ("٠٩١٤١٢٣٤٥٦٧", MOBILE),
        ("+98 914 123 4567", MOBILE),
        (" Maryam.Rezaei@Example.org ", EMAIL),
    ],
)
def test_a_contact_is_kept_in_one_form_however_it_is_typed(typed: str, kept: str) -> None:
    assert normalise_contact(typed) == kept


@pytest.mark.usefixtures("sent")
@pytest.mark.parametrize("typed", ["۰۹۱۴۱۲۳۴۵۶۷", "09141234567", "+989141234567"])
def test_staff_list_a_recipients_messages_newest_first_with_the_number_masked(
    client: TestClient, typed: str
) -> None:
    items = listed(client, recipient=typed)
    assert [item["request_id"] for item in items] == ["r-4", "r-3", "r-2", "r-1", "r-0"]
    assert {item["recipient"] for item in items} == {"+98*******567"}
    assert "9141234567" not in str(items)


@pytest.mark.usefixtures("sent")
def test_a_recipient_by_e_mail_in_any_case(client: TestClient) -> None:
    [item] = listed(client, recipient="Maryam.Rezaei@EXAMPLE.org")
    assert (item["request_id"], item["channel"]) == ("r-6", "email")
    assert EMAIL not in str(item)


@pytest.mark.usefixtures("sent")
def test_a_recipients_list_comes_in_pages_with_a_cap(client: TestClient) -> None:
    first = listed(client, recipient=MOBILE, limit=2)
    second = listed(client, recipient=MOBILE, limit=2, skip=2)
    last = listed(client, recipient=MOBILE, limit=2, skip=4)
    pages = [[item["request_id"] for item in page] for page in (first, second, last)]
    assert pages == [["r-4", "r-3"], ["r-2", "r-1"], ["r-0"]]
    assert listed(client, recipient=MOBILE, skip=5) == []
    too_many = client.get(
        "/v1/notifications", params={"recipient": MOBILE, "limit": 201}, headers=token(Role.CLERK)
    )
    assert too_many.status_code == 422


@pytest.mark.usefixtures("sent")
def test_a_recipient_narrows_the_other_filters(client: TestClient) -> None:
    assert [item["request_id"] for item in listed(client, recipient=MOBILE, request_id="r-2")] == ["r-2"]
    assert listed(client, recipient=OTHER, request_id="r-2") == []


@pytest.mark.usefixtures("sent")
@pytest.mark.parametrize("typed", ["02112345678", "hello", "0914"])
def test_something_that_is_no_contact_is_refused(client: TestClient, typed: str) -> None:
    response = client.get("/v1/notifications", params={"recipient": typed}, headers=token(Role.CLERK))
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.usefixtures("sent")
def test_only_staff_look_up_a_recipient(client: TestClient) -> None:
    params = {"recipient": MOBILE}
    assert client.get("/v1/notifications", params=params).status_code == 401
    assert client.get("/v1/notifications", params=params, headers=token(Role.MODERATOR)).status_code == 403
    assert len(listed(client, Role.SUPERVISOR, recipient=MOBILE)) == 5

"""Routing's HTTP refusals, each a problem document with the Persian a clerk reads: the real API
and `CaseWork` over an in-memory store, so nothing here does I/O."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from routing.api.deps import case_work, repository
from routing.app import create_app
from routing.domain import sla
from routing.domain.calendar import WorkingCalendar
from routing.domain.rules import Unit
from routing.settings import RoutingSettings
from routing.work import CaseWork
from servicekit.auth import Role, mint_staff_token
from servicekit.errors import PROBLEM_JSON, PROBLEMS_FA

pytestmark = pytest.mark.unit

SECRET = "y" * 40
UNITS = {
    "d1-services": Unit(unit_id="d1-services", name_fa="معاونت خدمات شهری منطقه یک", name_en="Services, D1"),
    "triage": Unit(unit_id="triage", name_fa="میز بررسی و ارجاع", name_en="Triage"),
    "d1-old": Unit(unit_id="d1-old", name_fa="واحد منحل", name_en="Retired", active=False),
}
CALENDAR = WorkingCalendar(calendar_id="default", name_fa="تقویم کاری ادارات")


def _case(request_id: str, status: str, **extra: Any) -> dict[str, Any]:
    started = datetime.now(UTC) - timedelta(hours=1)
    return {
        "_id": request_id,
        "tracking_code": "140312345678",
        "status": status,
        "version": 1,
        "unit_id": "d1-services",
        "unit_name_fa": UNITS["d1-services"].name_fa,
        "calendar_id": "default",
        "sla": sla.start(timedelta(hours=72), started).model_dump(mode="json"),
        "history": [],
    } | extra


class Store:
    """Just what the API and `CaseWork` ask of the repository, kept in dicts."""

    def __init__(self) -> None:
        self.cases: dict[str, dict[str, Any]] = {}
        self.units = dict(UNITS)
        self.others_win = False  # every conditional update loses to a colleague's

    async def case(self, request_id: str) -> dict[str, Any] | None:
        return copy.deepcopy(self.cases.get(request_id))

    async def unit(self, unit_id: str) -> Unit | None:
        return self.units.get(unit_id)

    async def apply(
        self,
        request_id: str,
        expected: dict[str, Any],
        changes: dict[str, Any],
        audit: dict[str, Any],
        events: list[dict[str, Any]],
    ) -> dict[str, Any] | None:
        case = self.cases.get(request_id)
        if self.others_win or case is None or any(case.get(k) != v for k, v in expected.items()):
            return None
        case |= changes | {"version": case["version"] + 1}
        case["history"].append(audit)
        return copy.deepcopy(case)

    async def queue(self, unit_ids: list[str] | None, **_: Any) -> list[dict[str, Any]]:
        return [case for case in self.cases.values() if unit_ids is None or case["unit_id"] in unit_ids]


class Outbox:
    async def relay(self, collection: str, document_id: str) -> None:
        pass


class Calendars:
    async def get(self, calendar_id: str | None) -> WorkingCalendar:
        return CALENDAR


@pytest.fixture
def store() -> Store:
    return Store()


@pytest.fixture
def client(store: Store) -> TestClient:
    settings = RoutingSettings(
        mongodb_url="mongodb://127.0.0.1:1/routing",
        amqp_url="amqp://guest:guest@127.0.0.1:1/",
        jwt_secret=SECRET,
    )
    app: FastAPI = create_app(settings)  # nothing connects until the app starts, which it doesn't here
    work = CaseWork(store, Outbox(), Calendars(), settings)  # type: ignore[arg-type]
    app.dependency_overrides[repository] = lambda: store
    app.dependency_overrides[case_work] = lambda: work
    return TestClient(app)


def staff(role: Role = Role.CLERK, units: list[str] | None = None) -> dict[str, str]:
    token = mint_staff_token(SECRET, f"{role}-1", [role], ["d1-services"] if units is None else units)
    return {"authorization": f"Bearer {token}"}


def refused(response: Any, status: int, code: str) -> str:
    """The problem's Persian, once it is the problem expected."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["title"] == code
    assert problem["detail"]
    message_fa: str = problem["msg_fa"]
    return message_fa


def test_accepting_twice_is_refused_as_already_accepted(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "routed")
    assert client.post("/v1/cases/r-1/accept", headers=staff()).status_code == 200
    second = client.post("/v1/cases/r-1/accept", headers=staff())
    assert refused(second, 409, "illegal_transition") == "این درخواست قبلاً پذیرفته شده است"
    assert second.json()["detail"] == "a case that is accepted cannot be given 'accept'"


def test_a_case_changed_meanwhile_asks_to_reload(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "routed")
    store.others_win = True
    message_fa = refused(client.post("/v1/cases/r-1/accept", headers=staff()), 409, "conflict")
    assert message_fa.startswith("این درخواست همین حالا توسط همکار دیگری تغییر کرد")
    assert "صفحه را تازه کنید" in message_fa


def test_a_backward_step_says_what_comes_first(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "routed")
    response = client.post("/v1/cases/r-1/start", headers=staff())
    assert refused(response, 409, "illegal_transition") == "نخست این درخواست را بپذیرید"


def test_a_case_elsewhere_or_nowhere_is_not_found_in_your_units(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "routed")
    outsider = staff(units=["d2-services"])
    for response in (
        client.post("/v1/cases/r-1/accept", headers=outsider),
        client.get("/v1/cases/r-1", headers=outsider),
        client.post("/v1/cases/r-2/accept", headers=staff()),
    ):
        assert refused(response, 404, "not_found") == "این درخواست در واحدهای شما پیدا نشد"


def test_a_step_without_its_reason_asks_for_it(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "in_progress")
    response = client.post("/v1/cases/r-1/resolve", headers=staff(), json={"reason": "  "})
    assert refused(response, 422, "step_refused") == "نتیجه رسیدگی را بنویسید؛ شهروند آن را می‌خواند"


def test_a_late_reopening_names_the_window(client: TestClient, store: Store) -> None:
    resolved_at = datetime.now(UTC) - timedelta(days=40)
    store.cases["r-1"] = _case("r-1", "resolved", resolved_at=resolved_at)
    response = client.post("/v1/cases/r-1/reopen", headers=staff(), json={"reason": "هنوز خراب است"})
    message_fa = refused(response, 422, "step_refused")
    assert message_fa == "درخواست را فقط تا ۳۰ روز پس از رسیدگی می‌توان دوباره باز کرد"


def test_only_a_supervisor_reassigns_and_only_to_an_active_unit(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "accepted")
    move = {"reason": "به شهرسازی", "unit_id": "d1-old"}
    by_clerk = client.post("/v1/cases/r-1/reassign", headers=staff(), json=move)
    assert refused(by_clerk, 403, "forbidden") == "فقط سرپرست می‌تواند درخواست را به واحد دیگری ارجاع دهد"
    by_supervisor = client.post("/v1/cases/r-1/reassign", headers=staff(Role.SUPERVISOR), json=move)
    assert refused(by_supervisor, 422, "step_refused") == "واحد «d1-old» وجود ندارد یا غیرفعال است"


def test_a_paused_clock_cannot_be_paused_again(client: TestClient, store: Store) -> None:
    store.cases["r-1"] = _case("r-1", "accepted")
    clock = sla.SlaClock.model_validate(store.cases["r-1"]["sla"])
    store.cases["r-1"]["sla"] = sla.pause(clock, datetime.now(UTC)).model_dump(mode="json")
    response = client.post("/v1/cases/r-1/ask_citizen", headers=staff(), json={"reason": "پلاک؟"})
    assert refused(response, 409, "illegal_transition") == "مهلت رسیدگی این درخواست از قبل متوقف شده است"


def test_a_queue_of_another_unit_is_not_yours(client: TestClient) -> None:
    response = client.get("/v1/queue", headers=staff(), params={"unit_id": "d2-services"})
    assert refused(response, 403, "forbidden") == "واحد «d2-services» از واحدهای شما نیست"


def test_admin_refusals_speak_persian(client: TestClient) -> None:
    admin_ = staff(Role.ADMIN, [])
    unit = {"unit_id": "d7-services", "name_fa": "خدمات شهری منطقه هفت", "name_en": "Services, D7"}
    mismatch = client.put("/v1/units/d8-services", headers=admin_, json=unit)
    assert (
        refused(mismatch, 422, "code_mismatch") == "شناسه واحد در متن درخواست با شناسه واحد در نشانی یکی نیست"
    )
    orphan = client.put("/v1/units/d7-services", headers=admin_, json=unit | {"parent_unit_id": "d7"})
    assert refused(orphan, 422, "unknown_unit") == "واحد «d7» تعریف نشده است؛ نخست آن را تعریف کنید"
    rule = {"rule_id": "d7-all", "unit_id": "d7-nowhere"}
    assert refused(client.put("/v1/rules/d7-all", headers=admin_, json=rule), 422, "unknown_unit")
    mismatched_rule = client.put("/v1/rules/d7-any", headers=admin_, json=rule)
    assert refused(mismatched_rule, 422, "code_mismatch").startswith("شناسه قاعده ارجاع در متن درخواست")
    calendar = {"calendar_id": "district-7", "name_fa": "منطقه هفت"}
    mismatched_calendar = client.put("/v1/calendars/district-8", headers=admin_, json=calendar)
    assert refused(mismatched_calendar, 422, "code_mismatch").startswith("شناسه تقویم کاری")
    backwards = client.get(
        "/v1/statistics", headers=admin_, params={"start": "2026-11-24", "end": "2026-11-01"}
    )
    assert refused(backwards, 422, "bad_range") == "تاریخ پایان پیش از تاریخ آغاز است"


def test_servicekit_refusals_reach_routing_in_persian(client: TestClient) -> None:
    unit = {"unit_id": "d7-services", "name_fa": "خدمات", "name_en": "Services"}
    for response, status, code in (
        (client.get("/v1/queue"), 401, "missing_token"),
        (client.get("/v1/queue", headers={"authorization": "Bearer forged"}), 401, "invalid_token"),
        (client.put("/v1/units/d7-services", headers=staff(), json=unit), 403, "forbidden"),
        (client.post("/v1/cases/r-1/fly", headers=staff()), 422, "validation_failed"),
        (client.get("/v1/nowhere", headers=staff()), 404, "not_found"),
    ):
        assert refused(response, status, code) == PROBLEMS_FA[code]

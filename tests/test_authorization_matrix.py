"""Who may call what: every endpoint of every service against every kind of caller.

The table below lists each (service, method, path) the services route, the call made to it with
real objects created for the purpose (a request filed by office A, a case in unit X, an open
consultation, a delivery…), and the status each caller must get. A route the table does not
list, or a row whose route is gone, fails the suite, so a new endpoint cannot ship unchecked.

Callers: nobody; office A's key; office B's key; a revoked key; a key rotated out; the key of a
suspended office; an expired, a badly signed and an `alg: none` staff token; and a token per staff
role (the supervisor and clerk X work in unit X, clerk Y in unit Y). Each caller connects from its
own loopback address, so per-client limits count it apart from every other test.

Object-level checks (office A's requests, unit X's cases, a commenter's private contact) follow
the table.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount
from support import (
    System,
    citizen_request,
    client_from,
    eventually,
    issue_office_key,
    licensed_office,
    revoke_office_key,
)

from pishkhan_local.cluster import SERVICES
from pishkhan_local.demo import VENDORS_DRAFT
from pishkhan_local.docs import PLACEHOLDER_SETTINGS
from servicekit.auth import Role, mint_staff_token

pytestmark = pytest.mark.e2e

UNIT_X, UNIT_Y = "d1-services", "d2-services"  # where district 1 and district 2 requests go
MOBILE_LAST4 = "4567"  # of the citizen in support.citizen_request

ANONYMOUS = "anonymous"
OFFICE_A, OFFICE_B = "office_a", "office_b"
REVOKED, ROTATED, SUSPENDED = "office_revoked_key", "office_rotated_key", "office_suspended"
EXPIRED, BAD_SIGNATURE, ALG_NONE = "token_expired", "token_bad_signature", "token_alg_none"
ADMIN, SUPERVISOR_X, CLERK_X, CLERK_Y = "admin", "supervisor_x", "clerk_x", "clerk_y"
MODERATOR, AUTHOR, APPROVER = "moderator", "author", "approver"

OFFICE_CALLERS = (OFFICE_A, OFFICE_B, REVOKED, ROTATED, SUSPENDED)
BAD_TOKENS = (EXPIRED, BAD_SIGNATURE, ALG_NONE)
STAFF_CALLERS = (ADMIN, SUPERVISOR_X, CLERK_X, CLERK_Y, MODERATOR, AUTHOR, APPROVER)
CALLERS = (ANONYMOUS, *OFFICE_CALLERS, *BAD_TOKENS, *STAFF_CALLERS)
ROUTING_STAFF = (ADMIN, SUPERVISOR_X, CLERK_X, CLERK_Y)
DRAFT_STAFF = (ADMIN, MODERATOR, AUTHOR, APPROVER)

Expect = dict[str, int]


def everyone(status: int) -> Expect:
    """A public endpoint: credentials, good or bad, change nothing."""
    return dict.fromkeys(CALLERS, status)


def staff(allowed: Mapping[str, int], denied: int = 403) -> Expect:
    """Staff only: no or a bad token (an office key is not a token) is 401, other roles `denied`."""
    expect = dict.fromkeys((ANONYMOUS, *OFFICE_CALLERS, *BAD_TOKENS), 401)
    return expect | dict.fromkeys(STAFF_CALLERS, denied) | dict(allowed)


def offices(own: int, other: int, suspended: int = 403, refused: int = 401) -> Expect:
    """An office's own objects: another office gets 404 (it cannot tell the object exists)."""
    return everyone(refused) | {OFFICE_A: own, OFFICE_B: other, SUSPENDED: suspended}


def some(status: int, *callers: str) -> dict[str, int]:
    return dict.fromkeys(callers, status)


@dataclass
class World:
    """What the table's calls refer to, made through the APIs before the table runs."""

    values: dict[str, str]
    track_codes: list[str]
    headers: dict[str, dict[str, str]]
    api_keys: dict[str, str | None]
    bodies: dict[str, Any] = field(default_factory=dict)


Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Row:
    service: str
    method: str
    path: str  # as routed, the key compared with the routes the services serve
    expect: Expect
    url: str | None = None  # the call, with {placeholders} from World.values; default `path`
    json: Body | None = None
    form: Body | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.service, self.method, self.path)


def _json(value: Any) -> Body:
    return lambda _world, _caller: value


def _from_world(name: str) -> Body:
    return lambda world, _caller: world.bodies[name]


def _open311_request(world: World, caller: str) -> dict[str, str]:
    return {
        "api_key": world.api_keys.get(caller) or "",
        "service_code": "ARD-101",
        "lat": "38.2498",
        "long": "48.2933",
        "description": "چراغ کوچه خاموش است",
        "phone": "09141234567",
    }


def _open311_update(world: World, caller: str) -> dict[str, str]:
    return {
        "api_key": world.api_keys.get(caller) or "",
        "service_request_id": world.values["request_a"],
        "update_id": f"authz-{uuid.uuid4().hex}",
        "status": "OPEN",
        "description": "شهروند تماس گرفت",
    }


ROWS: tuple[Row, ...] = (
    # --- every service: health, metrics, documents ---------------------------------------------
    *(
        Row(service, "GET", path, everyone(200))
        for service in SERVICES
        for path in (
            "/healthz",
            "/readyz",
            "/metrics",
            "/asyncapi.json",
            "/openapi.json",
            "/docs",
            "/docs/oauth2-redirect",
            "/redoc",
        )
    ),
    # --- intake: offices file and read back their own requests ---------------------------------
    Row("intake", "POST", "/v1/requests", offices(201, 201), json=lambda _w, _c: citizen_request()),
    Row("intake", "GET", "/v1/requests/{tracking_code}", offices(200, 404), "/v1/requests/{request_a}"),
    Row(
        "intake",
        "GET",
        "/v1/requests/{tracking_code}/receipt",
        offices(200, 404),
        "/v1/requests/{request_a}/receipt",
    ),
    Row(
        "intake",
        "GET",
        "/v1/track/{tracking_code}",
        everyone(200),
        "/v1/track/{track_json}?last4=" + MOBILE_LAST4,
    ),
    Row("intake", "GET", "/track", everyone(200), "/track?code={track_page}&last4=" + MOBILE_LAST4),
    Row("intake", "GET", "/static/{path}", everyone(200), "/static/pages.css"),
    Row("intake", "GET", "/v1/services", everyone(200)),
    Row("intake", "GET", "/v1/discount-rules", everyone(200)),
    Row(
        "intake",
        "PUT",
        "/v1/services/{service_code}",
        staff(some(200, ADMIN)),
        "/v1/services/ARD-401",
        json=_from_world("service"),
    ),
    Row(
        "intake",
        "PUT",
        "/v1/discount-rules/{rule_id}",
        staff(some(200, ADMIN)),
        "/v1/discount-rules/authz-probe",
        json=_json(
            {
                "rule_id": "authz-probe",
                "name_fa": "قاعده آزمایشی منقضی",
                "group": "teacher",
                "percent": 1,
                "valid_from": "1390/01/01",
                "valid_to": "1390/01/02",
                "services": ["ARD-401"],
            }
        ),
    ),
    Row(
        "intake",
        "PUT",
        "/v1/offices/{office_code}",
        staff(some(200, ADMIN)),
        "/v1/offices/{office_b_code}",
        json=_from_world("office_b"),
    ),
    Row(
        "intake",
        "GET",
        "/v1/offices/{office_code}",
        staff(some(200, ADMIN)),
        "/v1/offices/{office_a_code}",
    ),
    Row(
        "intake",
        "POST",
        "/v1/offices/{office_code}/keys",
        staff(some(201, ADMIN)),
        "/v1/offices/{office_b_code}/keys",
    ),
    Row(
        "intake",
        "GET",
        "/v1/offices/{office_code}/keys",
        staff(some(200, ADMIN)),
        "/v1/offices/{office_a_code}/keys",
    ),
    Row(
        "intake",
        "DELETE",
        "/v1/offices/{office_code}/keys/{key_id}",
        staff(some(204, ADMIN)),
        "/v1/offices/{office_a_code}/keys/{spare_key_id}",
    ),
    # --- intake: Open311 GeoReport v2 (the spec answers a missing or bad api_key with 403) -------
    Row("intake", "GET", "/open311/v2/discovery.{fmt}", everyone(200), "/open311/v2/discovery.json"),
    Row("intake", "GET", "/open311/v2/services.{fmt}", everyone(200), "/open311/v2/services.xml"),
    Row(
        "intake",
        "GET",
        "/open311/v2/services/{service_code}.{fmt}",
        everyone(200),
        "/open311/v2/services/ARD-101.json",
    ),
    Row(
        "intake",
        "POST",
        "/open311/v2/requests.{fmt}",
        offices(201, 201, refused=403),
        "/open311/v2/requests.json",
        form=_open311_request,
    ),
    Row(
        "intake",
        "GET",
        "/open311/v2/requests.{fmt}",
        everyone(200),
        "/open311/v2/requests.json?service_request_id={request_a}",
    ),
    Row(
        "intake",
        "GET",
        "/open311/v2/requests/{service_request_id}.{fmt}",
        everyone(200),
        "/open311/v2/requests/{request_a}.xml",
    ),
    # tokens are unguessable and never handed out by this API: an unknown one is 404 for anyone
    Row(
        "intake",
        "GET",
        "/open311/v2/tokens/{token}.{fmt}",
        everyone(404),
        "/open311/v2/tokens/{unknown_token}.json",
    ),
    Row(
        "intake",
        "GET",
        "/open311/v2/servicerequestupdates.{fmt}",
        everyone(200),
        "/open311/v2/servicerequestupdates.json",
    ),
    Row(
        "intake",
        "POST",
        "/open311/v2/servicerequestupdates.{fmt}",
        offices(201, 404, refused=403),
        "/open311/v2/servicerequestupdates.json",
        form=_open311_update,
    ),
    Row("intake", "GET", "/open311/v2/{rest:path}", everyone(404), "/open311/v2/nothing/here.json"),
    Row("intake", "POST", "/open311/v2/{rest:path}", everyone(404), "/open311/v2/nothing/here.json"),
    # --- routing: administration ----------------------------------------------------------------
    Row(
        "routing",
        "PUT",
        "/v1/units/{unit_id}",
        staff(some(200, ADMIN)),
        "/v1/units/authz-probe",
        json=_json(
            {"unit_id": "authz-probe", "name_fa": "واحد آزمایشی", "name_en": "Probe", "active": False}
        ),
    ),
    Row(
        "routing",
        "PUT",
        "/v1/rules/{rule_id}",
        staff(some(200, ADMIN)),
        "/v1/rules/authz-probe",
        json=_json({"rule_id": "authz-probe", "service_code": "AUTHZ-NONE", "unit_id": "authz-probe"}),
    ),
    Row(
        "routing",
        "PUT",
        "/v1/districts/{district}",
        staff(some(200, ADMIN)),
        "/v1/districts/authz-probe",
        json=_json(
            {
                "district": "authz-probe",
                "name_fa": "ناحیه آزمایشی در اقیانوس",
                "boundary": {
                    "type": "Polygon",
                    "coordinates": [[[0.0, -60.0], [0.1, -60.0], [0.1, -59.9], [0.0, -59.9], [0.0, -60.0]]],
                },
            }
        ),
    ),
    Row(
        "routing",
        "PUT",
        "/v1/calendars/{calendar_id}",
        staff(some(200, ADMIN)),
        "/v1/calendars/authz-probe",
        json=_from_world("calendar"),
    ),
    *(
        Row("routing", "GET", path, staff(some(200, *ROUTING_STAFF)))
        for path in ("/v1/units", "/v1/rules", "/v1/districts", "/v1/calendars")
    ),
    Row(
        "routing",
        "GET",
        "/v1/routing/preview",
        staff(some(200, *ROUTING_STAFF)),
        "/v1/routing/preview?service_code=ARD-101&district=1",
    ),
    Row(
        "routing",
        "GET",
        "/v1/statistics",
        staff(some(200, *ROUTING_STAFF)),
        "/v1/statistics?start={month_ago}&end={today}",
    ),
    # --- routing: the work queue, scoped to the caller's units ----------------------------------
    Row(
        "routing",
        "GET",
        "/v1/queue",
        staff(some(200, ADMIN, SUPERVISOR_X, CLERK_X)),
        f"/v1/queue?unit_id={UNIT_X}",
    ),
    Row(
        "routing",
        "GET",
        "/v1/cases/{request_id}",
        staff(some(200, ADMIN, SUPERVISOR_X, CLERK_X) | some(404, CLERK_Y)),
        "/v1/cases/{case_x}",
    ),
    # reopening a routed case is illegal (409): the call passes every check of who may act, changes nothing
    Row(
        "routing",
        "POST",
        "/v1/cases/{request_id}/{action}",
        staff(some(409, ADMIN, SUPERVISOR_X, CLERK_X) | some(404, CLERK_Y)),
        "/v1/cases/{case_x}/reopen",
        json=_json({"reason": "بررسی دسترسی"}),
    ),
    # --- consultation: staff work on drafts (calls on an open draft that its status refuses) ----
    Row(
        "consultation",
        "POST",
        "/v1/drafts",
        staff(some(201, ADMIN, AUTHOR)),
        json=_json(VENDORS_DRAFT),
    ),
    Row("consultation", "GET", "/v1/drafts", staff(some(200, *DRAFT_STAFF))),
    Row("consultation", "GET", "/v1/drafts/{draft_id}", staff(some(200, *DRAFT_STAFF)), "/v1/drafts/{draft}"),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/versions",
        staff(some(409, ADMIN, AUTHOR)),
        "/v1/drafts/{draft}/versions",
        json=_json(VENDORS_DRAFT),
    ),
    *(
        Row("consultation", "GET", f"/v1/drafts/{{draft_id}}/{tail}", staff(some(200, *DRAFT_STAFF)), url)
        for tail, url in (
            ("versions", "/v1/drafts/{draft}/versions"),
            ("diff", "/v1/drafts/{draft}/diff?from=1&to=1"),
            ("comments", "/v1/drafts/{draft}/comments"),
            ("audit", "/v1/drafts/{draft}/audit"),
        )
    ),
    # the response report exists once comment has closed: on an open draft it is 409 for every role
    *(
        Row("consultation", "GET", f"/v1/drafts/{{draft_id}}/{tail}", staff(some(409, *DRAFT_STAFF)), url)
        for tail, url in (
            ("report", "/v1/drafts/{draft}/report"),
            ("report.csv", "/v1/drafts/{draft}/report.csv"),
        )
    ),
    # only an approver approves; an admin may open, extend, reopen and issue but not approve
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/approve",
        staff(some(409, APPROVER)),
        "/v1/drafts/{draft}/approve",
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/open",
        staff(some(409, ADMIN, APPROVER)),
        "/v1/drafts/{draft}/open",
        json=_json({"days": 14}),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/extend",
        staff(some(422, ADMIN, APPROVER)),  # not later than the current close
        "/v1/drafts/{draft}/extend",
        json=lambda _w, _c: {"last_day": date.today().isoformat(), "reason": "بررسی دسترسی"},
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/reopen",
        staff(some(409, ADMIN, APPROVER)),
        "/v1/drafts/{draft}/reopen",
        json=_json({"days": 14, "reason": "بررسی دسترسی"}),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/revision",
        staff(some(409, ADMIN, AUTHOR)),
        "/v1/drafts/{draft}/revision",
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/withdraw",
        staff(some(409, ADMIN, AUTHOR)),  # the domain would let an approver withdraw; the API does not
        "/v1/drafts/{withdrawn_draft}/withdraw",
        json=_json({"reason": "بررسی دسترسی"}),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/issue",
        staff(some(409, ADMIN, APPROVER)),
        "/v1/drafts/{draft}/issue",
        json=_json({"summary_of_changes_fa": "بدون تغییر"}),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/drafts/{draft_id}/responses",
        staff(some(409, ADMIN, AUTHOR, APPROVER)),
        "/v1/drafts/{draft}/responses",
        json=lambda world, _c: {
            "target": world.values["comment_private"],
            "decision": "accepted",
            "text_fa": "پاسخ آزمایشی",
        },
    ),
    # --- consultation: moderation -----------------------------------------------------------------
    Row(
        "consultation",
        "GET",
        "/v1/moderation/comments",
        staff(some(200, ADMIN, MODERATOR)),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/moderation/comments/{receipt}/hide",
        staff(some(409, ADMIN, MODERATOR)),  # already hidden
        "/v1/moderation/comments/{comment_hidden}/hide",
        json=_json({"reason": "بررسی دسترسی"}),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/moderation/comments/{receipt}/restore",
        staff(some(409, ADMIN, MODERATOR)),  # already published
        "/v1/moderation/comments/{comment_private}/restore",
        json=_json({"reason": "بررسی دسترسی"}),
    ),
    # --- consultation: the public ------------------------------------------------------------------
    Row("consultation", "GET", "/v1/consultations", everyone(200)),
    Row("consultation", "GET", "/v1/consultations/{draft_id}", everyone(200), "/v1/consultations/{draft}"),
    Row(
        "consultation",
        "GET",
        "/v1/consultations/{draft_id}/comments",
        everyone(200),
        "/v1/consultations/{draft}/comments",
    ),
    Row(
        "consultation",
        "POST",
        "/v1/consultations/{draft_id}/comments",
        everyone(201),
        "/v1/consultations/{draft}/comments",
        json=_json({"stance": "neutral", "text_fa": "نظر آزمایشی درباره ساعت فعالیت بازارچه‌ها"}),
    ),
    Row(
        "consultation",
        "POST",
        "/v1/comments/{receipt}/report",
        everyone(200),
        "/v1/comments/{comment_reported}/report",
    ),
    Row("consultation", "GET", "/consultations", everyone(200)),
    Row("consultation", "GET", "/privacy", everyone(200)),
    Row("consultation", "GET", "/consultations/{draft_id}", everyone(200), "/consultations/{draft}"),
    # the portal's form carries a token from the page it came from; without it, nobody files
    Row(
        "consultation",
        "POST",
        "/consultations/{draft_id}",
        everyone(403),
        "/consultations/{draft}",
        form=_json({"stance": "neutral", "text_fa": "نظر بدون فرم"}),
    ),
    Row(
        "consultation",
        "GET",
        "/consultations/{draft_id}/comments",
        everyone(200),
        "/consultations/{draft}/comments",
    ),
    Row("consultation", "GET", "/drafts/{draft_id}", everyone(301), "/drafts/{draft}"),
    Row(
        "consultation",
        "GET",
        "/consultations/static/{path}",
        everyone(200),
        "/consultations/static/portal.css",
    ),
    # --- notify ------------------------------------------------------------------------------------
    Row(
        "notify",
        "GET",
        "/v1/notifications",
        staff(some(200, *ROUTING_STAFF)),
        "/v1/notifications?tracking_code={request_a}",
    ),
    Row("notify", "GET", "/v1/notifications/stats", staff(some(200, ADMIN, SUPERVISOR_X))),
    Row(
        "notify",
        "GET",
        "/v1/notifications/{notification_id}",
        staff(some(200, ADMIN, SUPERVISOR_X, CLERK_X) | some(404, CLERK_Y)),
        "/v1/notifications/{notification_x}",
    ),
    Row(
        "notify",
        "POST",
        "/v1/subscriptions",
        staff(some(422, ADMIN)),  # no mobile: refused after the role check, subscribes nobody
        json=_json({"topic": "consultations"}),
    ),
    Row("notify", "GET", "/v1/subscriptions", staff(some(200, ADMIN))),
    Row(
        "notify",
        "PUT",
        "/v1/preferences",
        staff(some(200, ADMIN, CLERK_X, CLERK_Y)),
        json=_json({"contact": "09120000457", "topic": "requests", "opted_out": False}),
    ),
    Row(
        "notify",
        "PUT",
        "/v1/templates/{event_type}/{channel}/{language}",
        staff(some(422, ADMIN)),  # a placeholder the event lacks: refused after the role check
        "/v1/templates/request.submitted.v1/sms/fa",
        json=_json({"body": "((no_such_placeholder))"}),
    ),
    Row(
        "notify",
        "GET",
        "/v1/templates/{event_type}/{channel}/{language}",
        staff(some(200, ADMIN, SUPERVISOR_X)),
        "/v1/templates/request.submitted.v1/sms/fa",
    ),
    Row(
        "notify",
        "POST",
        "/v1/templates/{event_type}/preview",
        staff(some(200, ADMIN, SUPERVISOR_X)),
        "/v1/templates/request.submitted.v1/preview",
        json=_json({"body": "درخواست شما ثبت شد"}),
    ),
    Row(
        "notify",
        "POST",
        "/v1/public/subscriptions",
        everyone(202),
        json=_json({"mobile": "09120000458", "categories": ["آزمون دسترسی"]}),
    ),
    Row(
        "notify",
        "POST",
        "/v1/public/subscriptions/{subscriber_id}/confirm",
        everyone(400),  # a wrong code, whoever sends it
        "/v1/public/subscriptions/{subscriber}/confirm",
        json=_json({"code": "000000"}),
    ),
    *(
        Row(
            "notify",
            method,
            "/v1/public/subscriptions/{subscriber_id}/unsubscribe",
            everyone(200),
            "/v1/public/subscriptions/{subscriber}/unsubscribe",
        )
        for method in ("GET", "POST")
    ),
    # only the SMS provider's token opens these; no staff token or office key does
    *(
        Row("notify", "POST", path, everyone(401), json=body)
        for path, body in (
            ("/v1/provider/receipts", _json({"reference": "x", "status": "delivered"})),
            ("/v1/provider/inbound", _json({"from": "09141234567", "text": "لغو"})),
        )
    ),
)


# --- the routes the services serve ------------------------------------------------------------


def _app(service: str) -> Any:
    """The service's app as its code builds it (connecting to nothing), for the routes the schema omits."""
    settings_module = importlib.import_module(f"{service}.settings")
    settings_type = next(
        getattr(settings_module, name)
        for name in dir(settings_module)
        if name.endswith("Settings") and name != "ServiceSettings"
    )
    values = {key: value.format(service=service) for key, value in PLACEHOLDER_SETTINGS.items()}
    return importlib.import_module(f"{service}.app").create_app(settings_type(**values))


def served_routes(system: System) -> set[tuple[str, str, str]]:
    """Every (service, method, path): the running services' OpenAPI operations, plus the routes
    kept out of the schema (pages, metrics, documents, static files) as each app routes them."""
    found: set[tuple[str, str, str]] = set()
    for service in SERVICES:
        schema = httpx.get(f"{system.url(service)}/openapi.json", timeout=10).json()
        for path, operations in schema["paths"].items():
            for method in operations:
                if method in {"get", "put", "post", "patch", "delete"}:
                    found.add((service, method.upper(), path))
        for route in iter_route_contexts(_app(service).routes):
            if isinstance(route.original_route, Mount):
                found.add((service, "GET", f"{route.path}/{{path}}"))
                continue
            for method in route.methods or ():
                if method != "HEAD" or "GET" not in (route.methods or ()):
                    found.add((service, method, str(route.path)))
    return found


def test_the_matrix_lists_every_endpoint_and_only_those(system: System) -> None:
    listed = [row.key for row in ROWS]
    assert len(listed) == len(set(listed)), "a route is listed twice"
    served = served_routes(system)
    unlisted = sorted(served - set(listed))
    gone = sorted(set(listed) - served)
    assert not unlisted, f"endpoints without a row in the authorization matrix: {unlisted}"
    assert not gone, f"matrix rows whose endpoint no longer exists: {gone}"


# --- the callers and what they refer to -------------------------------------------------------


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _tokens(secret: str, run: str) -> dict[str, dict[str, str]]:
    def mint(name: str, role: Role, units: list[str] | None = None) -> dict[str, str]:
        return _bearer(mint_staff_token(secret, f"authz-{name}-{run}", [role], units))

    now = datetime.now(UTC)
    admin_claims = {"sub": f"authz-forged-{run}", "roles": ["admin"], "units": [], "iat": now}
    return {
        EXPIRED: _bearer(
            mint_staff_token(secret, f"authz-expired-{run}", [Role.ADMIN], ttl=timedelta(seconds=-60))
        ),
        BAD_SIGNATURE: _bearer(jwt.encode(admin_claims | {"exp": now + timedelta(hours=1)}, "z" * 48)),
        ALG_NONE: _bearer(
            jwt.encode(admin_claims | {"exp": now + timedelta(hours=1)}, None, algorithm="none")
        ),
        ADMIN: mint("admin", Role.ADMIN),
        SUPERVISOR_X: mint("supervisor", Role.SUPERVISOR, [UNIT_X]),
        CLERK_X: mint("clerk-x", Role.CLERK, [UNIT_X]),
        CLERK_Y: mint("clerk-y", Role.CLERK, [UNIT_Y]),
        MODERATOR: mint("moderator", Role.MODERATOR),
        AUTHOR: mint("author", Role.AUTHOR),
        APPROVER: mint("approver", Role.APPROVER),
    }


def _ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: {response.text}"
    )
    return response.json() if response.content else None


def _file(http: httpx.Client, system: System, key: str, district: str = "1") -> dict[str, Any]:
    body = citizen_request(f"authz {uuid.uuid4().hex}", district=district)
    response = http.post(f"{system.url('intake')}/v1/requests", json=body, headers={"X-Api-Key": key})
    return dict(_ok(response, 201))


@pytest.fixture(scope="module")
def world(system: System) -> World:
    run = uuid.uuid4().hex[:6]
    tokens = _tokens(system.secret, run)
    admin = tokens[ADMIN]
    with client_from("127.0.1.250") as http:
        # offices: A rotated its key, B had one revoked, S filed a request and was then suspended
        code_a, code_b, code_s = f"AZ-A-{run}", f"AZ-B-{run}", f"AZ-S-{run}"
        licensed_office(system, code_a)
        office_b = licensed_office(system, code_b)
        licensed_office(system, code_s)
        old_a, rotated_key = issue_office_key(system, code_a)
        _, key_a = issue_office_key(system, code_a)
        revoke_office_key(system, code_a, old_a)
        spare_key_id, _ = issue_office_key(system, code_a)
        _, key_b = issue_office_key(system, code_b)
        old_b, revoked_key = issue_office_key(system, code_b)
        revoke_office_key(system, code_b, old_b)
        _, key_s = issue_office_key(system, code_s)
        request_s = _file(http, system, key_s)
        licensed_office(system, code_s, status="suspended")

        request_a = _file(http, system, key_a)
        request_y = _file(http, system, key_a, district="2")
        track_codes = [str(_file(http, system, key_a)["tracking_code"]) for _ in range(4)]

        # consultation: an open draft with comments, a withdrawn one
        author, approver, moderator = tokens[AUTHOR], tokens[APPROVER], tokens[MODERATOR]
        consultation = system.url("consultation")
        draft = _ok(http.post(f"{consultation}/v1/drafts", json=VENDORS_DRAFT, headers=author), 201)["id"]
        _ok(http.post(f"{consultation}/v1/drafts/{draft}/approve", headers=approver))
        _ok(http.post(f"{consultation}/v1/drafts/{draft}/open", json={"days": 14}, headers=approver))
        withdrawn = _ok(http.post(f"{consultation}/v1/drafts", json=VENDORS_DRAFT, headers=author), 201)["id"]
        reason = {"reason": "آزمون دسترسی"}
        _ok(http.post(f"{consultation}/v1/drafts/{withdrawn}/withdraw", json=reason, headers=author))

        def comment(text: str, **extra: Any) -> str:
            body = {"stance": "against", "text_fa": f"{text} {uuid.uuid4().hex}"} | extra
            filed = http.post(f"{consultation}/v1/consultations/{draft}/comments", json=body)
            return str(_ok(filed, 201)["receipt"])

        contact = {"mobile": "09149876543", "email": f"private-{run}@example.org"}
        comment_private = comment("ساعت ۱۶ تا ۲۲ برای کسبه مناسب نیست", contact=contact)
        comment_hidden = comment("نظر برای پنهان شدن")
        _ok(
            http.post(
                f"{consultation}/v1/moderation/comments/{comment_hidden}/hide", json=reason, headers=moderator
            )
        )
        comment_reported = comment("نظر برای گزارش")

        # notify: a pending online subscription
        subscriber = _ok(
            http.post(
                f"{system.url('notify')}/v1/public/subscriptions",
                json={"email": f"subscriber-{run}@example.org", "categories": ["ساماندهی مشاغل"]},
            ),
            202,
        )["subscriber_id"]

        # routing: the cases; routing and notify: what they made of office A's first request
        service = next(
            s for s in _ok(http.get(f"{system.url('intake')}/v1/services")) if s["service_code"] == "ARD-401"
        )
        calendar = _ok(http.get(f"{system.url('routing')}/v1/calendars", headers=admin))[0]
        _ok(
            http.put(
                f"{system.url('routing')}/v1/units/authz-probe",
                json={
                    "unit_id": "authz-probe",
                    "name_fa": "واحد آزمایشی",
                    "name_en": "Probe",
                    "active": False,
                },
                headers=admin,
            )
        )

        def case(request: dict[str, Any]) -> Any:
            found = http.get(f"{system.url('routing')}/v1/cases/{request['request_id']}", headers=admin)
            return found.status_code == 200 and found.json()

        assert eventually(lambda: case(request_a))["unit_id"] == UNIT_X
        assert eventually(lambda: case(request_y))["unit_id"] == UNIT_Y

        def delivery() -> Any:
            listed = http.get(
                f"{system.url('notify')}/v1/notifications",
                params={"tracking_code": request_a["tracking_code"]},
                headers=admin,
            )
            return listed.status_code == 200 and listed.json()["items"]

        notification = eventually(delivery)[0]["notification_id"]

    today = date.today()
    return World(
        values={
            "request_a": str(request_a["tracking_code"]),
            "request_s": str(request_s["tracking_code"]),
            "request_y": str(request_y["tracking_code"]),
            "case_x": str(request_a["request_id"]),
            "case_y": str(request_y["request_id"]),
            "office_a_code": code_a,
            "office_b_code": code_b,
            "spare_key_id": spare_key_id,
            "unknown_token": str(uuid.uuid4()),
            "draft": draft,
            "withdrawn_draft": withdrawn,
            "comment_private": comment_private,
            "comment_hidden": comment_hidden,
            "comment_reported": comment_reported,
            "private_mobile": contact["mobile"],
            "private_email": contact["email"],
            "notification_x": notification,
            "subscriber": subscriber,
            "today": today.isoformat(),
            "month_ago": (today - timedelta(days=30)).isoformat(),
        },
        track_codes=track_codes,
        headers={
            ANONYMOUS: {},
            OFFICE_A: {"X-Api-Key": key_a},
            OFFICE_B: {"X-Api-Key": key_b},
            REVOKED: {"X-Api-Key": revoked_key},
            ROTATED: {"X-Api-Key": rotated_key},
            SUSPENDED: {"X-Api-Key": key_s},
            **tokens,
        },
        api_keys={
            OFFICE_A: key_a,
            OFFICE_B: key_b,
            REVOKED: revoked_key,
            ROTATED: rotated_key,
            SUSPENDED: key_s,
        },
        bodies={
            "service": service,
            "office_b": office_b,
            "calendar": calendar | {"calendar_id": "authz-probe"},
        },
    )


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[str, httpx.Client]]:
    """One client per caller, each from its own loopback address."""
    made = {caller: client_from(f"127.0.1.{10 + index}") for index, caller in enumerate(CALLERS)}
    try:
        yield made
    finally:
        for client in made.values():
            client.close()


def call(
    system: System, world: World, clients: dict[str, httpx.Client], row: Row, caller: str
) -> httpx.Response:
    index = CALLERS.index(caller)
    values = world.values | {
        # the tracking lookups are limited per code too: the callers share four codes between two rows
        "track_json": world.track_codes[index % 2],
        "track_page": world.track_codes[2 + index % 2],
    }
    url = system.url(row.service) + (row.url or row.path).format(**values)
    options: dict[str, Any] = {"headers": world.headers[caller]}
    if row.json is not None:
        options["json"] = row.json(world, caller)
    if row.form is not None:
        options["data"] = row.form(world, caller)
    return clients[caller].request(row.method, url, **options)


def _row_id(row: Row) -> str:
    return f"{row.service} {row.method} {row.path}"


@pytest.mark.parametrize("row", ROWS, ids=_row_id)
def test_each_caller_gets_what_the_matrix_says(
    system: System, world: World, clients: dict[str, httpx.Client], row: Row
) -> None:
    assert set(row.expect) == set(CALLERS), "every row names every caller"
    wrong = []
    for caller in CALLERS:
        response = call(system, world, clients, row, caller)
        if response.status_code != row.expect[caller]:
            wrong.append(
                f"{caller}: {response.status_code} (expected {row.expect[caller]}) {response.text[:160]}"
            )
    assert not wrong, "\n".join(wrong)


# --- object-level checks (OWASP API1) and private data (API3) ------------------------------------


def test_office_b_can_neither_read_nor_change_office_a_requests(
    system: System, world: World, clients: dict[str, httpx.Client]
) -> None:
    intake, code = system.url("intake"), world.values["request_a"]
    office_b = clients[OFFICE_B]
    b = world.headers[OFFICE_B]
    unknown = "100000000001" if code != "100000000001" else "100000000019"
    missing = office_b.get(f"{intake}/v1/requests/{unknown}", headers=b)
    for path in (f"/v1/requests/{code}", f"/v1/requests/{code}/receipt"):
        foreign = office_b.get(f"{intake}{path}", headers=b)
        assert foreign.status_code == 404, foreign.text
        # the same answer as for a request that does not exist: nothing tells B that A's exists
        assert foreign.json() == missing.json()

    update = {
        "api_key": world.api_keys[OFFICE_B],
        "service_request_id": code,
        "update_id": "b-1",
        "status": "OPEN",
    }
    assert office_b.post(f"{intake}/open311/v2/servicerequestupdates.json", data=update).status_code == 404
    seen_by_a = clients[OFFICE_A].get(f"{intake}/v1/requests/{code}", headers=world.headers[OFFICE_A]).json()
    assert all(entry["update_id"] != "b-1" for entry in seen_by_a["updates"])

    own = f"{intake}/v1/requests/{world.values['request_s']}"
    suspended = clients[SUSPENDED].get(own, headers=world.headers[SUSPENDED])
    assert (suspended.status_code, suspended.json()["title"]) == (403, "office_suspended")
    for caller in (REVOKED, ROTATED):
        assert (
            clients[caller].get(f"{intake}/v1/requests/{code}", headers=world.headers[caller]).status_code
            == 401
        )


def _queue(http: httpx.Client, system: System, headers: dict[str, str]) -> list[str]:
    seen: list[str] = []
    for page in range(1, 21):
        found = _ok(
            http.get(
                f"{system.url('routing')}/v1/queue", params={"page": page, "page_size": 500}, headers=headers
            )
        )
        seen += [case["_id"] for case in found]
        if len(found) < 500:
            return seen
    return seen


def test_a_clerk_sees_and_moves_only_the_cases_of_their_units(
    system: System, world: World, clients: dict[str, httpx.Client]
) -> None:
    routing = system.url("routing")
    filed = _file(clients[OFFICE_A], system, world.api_keys[OFFICE_A] or "")
    case_id = str(filed["request_id"])
    admin = world.headers[ADMIN]
    eventually(lambda: clients[ADMIN].get(f"{routing}/v1/cases/{case_id}", headers=admin).status_code == 200)
    clerk_x, clerk_y = clients[CLERK_X], clients[CLERK_Y]
    as_x, as_y = world.headers[CLERK_X], world.headers[CLERK_Y]

    assert case_id in _queue(clerk_x, system, as_x)
    assert case_id not in _queue(clerk_y, system, as_y)
    assert world.values["case_y"] not in _queue(clerk_x, system, as_x)
    assert clerk_y.get(f"{routing}/v1/queue", params={"unit_id": UNIT_X}, headers=as_y).status_code == 403
    assert clerk_y.get(f"{routing}/v1/cases/{case_id}", headers=as_y).status_code == 404
    before = _ok(clients[ADMIN].get(f"{routing}/v1/cases/{case_id}", headers=admin))
    for action in ("accept", "reject", "not_ours", "close"):
        refused = clerk_y.post(f"{routing}/v1/cases/{case_id}/{action}", json={"reason": "نه"}, headers=as_y)
        assert refused.status_code == 404, (action, refused.text)
    after = _ok(clients[ADMIN].get(f"{routing}/v1/cases/{case_id}", headers=admin))
    assert (after["status"], after["version"]) == (before["status"], before["version"])

    assert _ok(clerk_x.post(f"{routing}/v1/cases/{case_id}/accept", headers=as_x))["status"] == "accepted"
    handover = {"reason": "واحد دیگر", "unit_id": UNIT_Y}
    assert (
        clerk_x.post(f"{routing}/v1/cases/{case_id}/reassign", json=handover, headers=as_x).status_code == 403
    )
    supervisor = world.headers[SUPERVISOR_X]
    moved = clients[SUPERVISOR_X].post(
        f"{routing}/v1/cases/{case_id}/reassign", json=handover, headers=supervisor
    )
    assert _ok(moved)["unit_id"] == UNIT_Y
    # the case follows its unit: X no longer sees it, Y now does
    assert clerk_x.get(f"{routing}/v1/cases/{case_id}", headers=as_x).status_code == 404
    assert clerk_y.get(f"{routing}/v1/cases/{case_id}", headers=as_y).status_code == 200


def test_a_clerk_lists_no_deliveries_of_another_units_requests(
    system: System, world: World, clients: dict[str, httpx.Client]
) -> None:
    listed = clients[CLERK_Y].get(
        f"{system.url('notify')}/v1/notifications",
        params={"tracking_code": world.values["request_a"]},
        headers=world.headers[CLERK_Y],
    )
    assert listed.status_code in (200, 403)
    assert listed.status_code == 403 or listed.json()["items"] == []


def _private_forms(mobile: str, email: str) -> list[str]:
    national = mobile[1:]  # 9149876543
    persian = national.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    return [national, persian, email, email.split("@")[0]]


def test_a_commenters_contact_is_in_no_response(
    system: System, world: World, clients: dict[str, httpx.Client]
) -> None:
    consultation, draft = system.url("consultation"), world.values["draft"]
    private = _private_forms(world.values["private_mobile"], world.values["private_email"])
    anyone, moderator = clients[ANONYMOUS], clients[MODERATOR]
    public = [
        anyone.get(f"{consultation}{path}")
        for path in (
            "/v1/consultations",
            f"/v1/consultations/{draft}",
            f"/v1/consultations/{draft}/comments?limit=200",
            f"/consultations/{draft}",
            f"/consultations/{draft}/comments",
        )
    ]
    public.append(anyone.post(f"{consultation}/v1/comments/{world.values['comment_private']}/report"))
    staff_views = [
        clients[caller].get(f"{consultation}{path}", headers=world.headers[caller])
        for caller, path in (
            (AUTHOR, f"/v1/drafts/{draft}/comments"),
            (AUTHOR, f"/v1/drafts/{draft}/audit"),
            (MODERATOR, f"/v1/moderation/comments?draft_id={draft}"),
        )
    ]
    moderated = [
        moderator.post(
            f"{consultation}/v1/moderation/comments/{world.values['comment_private']}/{step}",
            json={"reason": "بررسی"},
            headers=world.headers[MODERATOR],
        )
        for step in ("hide", "restore")  # it ends published, as it began
    ]
    for response in (*public, *staff_views, *moderated):
        assert response.status_code in (200, 201), (response.request.url, response.text)
        leaked = [value for value in private if value in response.text]
        assert not leaked, f"{response.request.method} {response.request.url} shows {leaked}"
    assert world.values["comment_private"] in public[2].text  # the comment itself is public


def test_open311_reads_show_no_personal_data(
    system: System, world: World, clients: dict[str, httpx.Client]
) -> None:
    intake, code = system.url("intake"), world.values["request_a"]
    anyone = clients[ANONYMOUS]
    for path in (
        f"/open311/v2/requests/{code}.json",
        f"/open311/v2/requests/{code}.xml",
        f"/open311/v2/requests.json?service_request_id={code}",
        f"/v1/track/{world.track_codes[0]}?last4={MOBILE_LAST4}",
    ):
        response = anyone.get(f"{intake}{path}")
        assert response.status_code == 200, response.text
        for private in ("0499370899", "9141234567", "مریم", "رضایی", "national_id", "mobile"):
            assert private not in response.text, (path, private)

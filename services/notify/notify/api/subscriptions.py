"""Consultation subscriptions: staff record them at the counter (confirmed at once); anyone may
subscribe online, which stays pending until the code sent to the contact is confirmed."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from notify.api.deps import contact_of
from notify.api.models import (
    ConfirmIn,
    PreferenceIn,
    PublicSubscriptionIn,
    SubscriptionIn,
    SubscriptionList,
    SubscriptionOut,
    Topic,
)
from notify.domain.model import CONSULTATIONS_TOPIC, Subscription, SubscriptionStatus
from notify.domain.phones import normalise_email
from notify.service import Notifier
from notify.settings import NotifySettings
from notify.store.subscriptions import SubscriptionStore
from servicekit.auth import Role, require_roles
from servicekit.errors import Problem
from servicekit.ratelimit import client_address, refuse_over_limit

router = APIRouter(tags=["subscriptions"])


def subscription_store(request: Request) -> SubscriptionStore:
    found: SubscriptionStore = request.app.state.subscriptions
    return found


def notifier(request: Request) -> Notifier:
    found: Notifier = request.app.state.notifier
    return found


StoreDep = Annotated[SubscriptionStore, Depends(subscription_store)]
NotifierDep = Annotated[Notifier, Depends(notifier)]


@router.post(
    "/v1/subscriptions",
    status_code=201,
    summary="Record a subscription made at the counter (idempotent, confirmed at once)",
    dependencies=[require_roles(Role.ADMIN)],
)
async def subscribe(body: SubscriptionIn, store: StoreDep) -> SubscriptionOut:
    wanted = Subscription(body.topic, body.mobile, "", _epoch())
    return SubscriptionOut.of(await store.subscribe(wanted))


@router.get(
    "/v1/subscriptions",
    summary="Confirmed subscribers of a topic, oldest first",
    dependencies=[require_roles(Role.ADMIN)],
)
async def list_subscriptions(
    store: StoreDep,
    topic: Topic = "consultations",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> SubscriptionList:
    subscriptions = await store.subscriptions(topic, limit)
    return SubscriptionList(items=[SubscriptionOut.of(subscription) for subscription in subscriptions])


@router.post(
    "/v1/public/subscriptions",
    status_code=202,
    summary="Ask to hear about consultations; a code is sent to confirm (double opt-in)",
)
async def subscribe_online(
    body: PublicSubscriptionIn, request: Request, store: StoreDep, sender: NotifierDep
) -> SubscriptionOut:
    settings: NotifySettings = request.app.state.settings
    key = f"subscribe:{client_address(request)}"
    refuse_over_limit(request.app.state.subscribe_limiter, key, settings.subscribes_per_minute)
    wanted = Subscription(
        CONSULTATIONS_TOPIC,
        body.mobile,
        "",
        _epoch(),
        email=normalise_email(body.email) if body.email else None,
        categories=tuple(body.categories),
        districts=tuple(body.districts),
        status=SubscriptionStatus.PENDING,
        language=body.language,
    )
    code = f"{secrets.randbelow(1_000_000):06d}"
    stored, fresh = await store.subscribe_pending(wanted, code)
    if fresh:
        await sender.confirm_subscription(stored, code)
    return SubscriptionOut.of(stored)


@router.post("/v1/public/subscriptions/{subscriber_id}/confirm", summary="Confirm with the code received")
async def confirm(subscriber_id: str, body: ConfirmIn, store: StoreDep) -> SubscriptionOut:
    confirmed = await store.confirm(subscriber_id, body.code)
    if confirmed is None:
        raise Problem(400, "wrong_code", "the code does not match a pending subscription")
    return SubscriptionOut.of(confirmed)


@router.get(
    "/v1/public/subscriptions/{subscriber_id}/unsubscribe",
    summary="Stop a subscription (the link at the end of every consultation message)",
)
async def unsubscribe_link(subscriber_id: str, store: StoreDep) -> dict[str, str]:
    return await unsubscribe(subscriber_id, store)


@router.post("/v1/public/subscriptions/{subscriber_id}/unsubscribe", summary="Stop a subscription")
async def unsubscribe(subscriber_id: str, store: StoreDep) -> dict[str, str]:
    if not await store.unsubscribe(subscriber_id):
        raise Problem(404, "not_found", "no such subscription")
    return {"status": str(SubscriptionStatus.UNSUBSCRIBED), "message_fa": "عضویت شما لغو شد."}


@router.put(
    "/v1/preferences",
    summary="Opt a contact out of (or back into) a topic",
    dependencies=[require_roles(Role.ADMIN, Role.CLERK)],
)
async def set_preference(body: PreferenceIn, store: StoreDep) -> PreferenceIn:
    await store.set_opt_out(contact_of(body.contact), body.topic, body.opted_out)
    return body


def _epoch() -> datetime:
    return datetime.fromtimestamp(0, UTC)

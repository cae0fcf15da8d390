"""Numbers that asked to hear about new public consultations."""

from typing import Annotated

from fastapi import APIRouter, Query

from notify.api.deps import RepositoryDep
from notify.api.models import SubscriptionIn, SubscriptionList, SubscriptionOut, Topic
from servicekit.auth import Role, require_roles

router = APIRouter(
    prefix="/v1/subscriptions", tags=["subscriptions"], dependencies=[require_roles(Role.ADMIN)]
)


@router.post("", status_code=201, summary="Subscribe a mobile number to a topic (idempotent)")
async def subscribe(body: SubscriptionIn, repository: RepositoryDep) -> SubscriptionOut:
    subscription = await repository.subscribe(body.topic, body.mobile)
    return SubscriptionOut.of(subscription)


@router.get("", summary="Subscribers of a topic, oldest first")
async def list_subscriptions(
    repository: RepositoryDep,
    topic: Topic = "consultations",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> SubscriptionList:
    subscriptions = await repository.subscriptions(topic, limit)
    return SubscriptionList(items=[SubscriptionOut.of(subscription) for subscription in subscriptions])

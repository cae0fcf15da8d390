"""Staff look at what was sent to whom (numbers masked)."""

from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from notify.api.deps import RepositoryDep, contact_of
from notify.api.models import NotificationDetail, NotificationList, NotificationOut
from notify.domain.model import Delivery
from notify.ports import DeliveryQuery
from notify.store.operations import Operations
from servicekit.auth import Role, StaffClaims, require_roles
from servicekit.errors import Problem

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


class DayCount(BaseModel):
    day: str
    channel: str
    status: str
    count: int
    segments: int = Field(description="SMS parts billed (0 for other channels)")


class DailyCounts(BaseModel):
    items: list[DayCount]


StaffMember = require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CLERK)


async def _visible(
    repository: RepositoryDep, claims: StaffClaims, deliveries: list[Delivery]
) -> list[Delivery]:
    """An admin sees every delivery; other staff those of requests their units are in charge of."""
    if claims.has_any(Role.ADMIN):
        return deliveries
    units = await repository.units_of([d.request_id for d in deliveries if d.request_id])
    return [d for d in deliveries if d.request_id and units.get(d.request_id) in claims.units]


@router.get(
    "",
    summary="Deliveries, newest first: of a request, a tracking code or a recipient "
    "(staff other than admins see those of their units' requests)",
)
async def list_notifications(
    repository: RepositoryDep,
    claims: StaffClaims = StaffMember,
    request_id: Annotated[str | None, Query(max_length=100)] = None,
    tracking_code: Annotated[str | None, Query(max_length=20)] = None,
    recipient: Annotated[
        str | None,
        Query(
            min_length=3,
            max_length=200,
            description="a mobile number (09xxxxxxxxx or +989xxxxxxxxx, Persian digits too) or an e-mail address",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    skip: Annotated[int, Query(ge=0, le=10_000, description="how many of the newest to pass over")] = 0,
) -> NotificationList:
    to = contact_of(recipient) if recipient is not None else None
    wanted = DeliveryQuery(request_id, tracking_code, to, limit=limit, skip=skip)
    deliveries = await _visible(repository, claims, await repository.deliveries(wanted))
    return NotificationList(items=[NotificationOut.of(delivery) for delivery in deliveries])


@router.get(
    "/stats",
    summary="Deliveries per day (Tehran) by channel and status",
    dependencies=[require_roles(Role.ADMIN, Role.SUPERVISOR)],
)
async def daily_counts(request: Request, days: Annotated[int, Query(ge=1, le=366)] = 30) -> DailyCounts:
    operations: Operations = request.app.state.operations
    since = datetime.now(UTC) - timedelta(days=days)
    return DailyCounts(items=[DayCount(**row) for row in await operations.daily_counts(since)])


@router.get("/{notification_id}", summary="One delivery with its text and status history")
async def notification_detail(
    notification_id: str, repository: RepositoryDep, claims: StaffClaims = StaffMember
) -> NotificationDetail:
    delivery = await repository.by_notification_id(notification_id)
    if delivery is None or not await _visible(repository, claims, [delivery]):
        raise Problem(404, "not_found", "no such notification")
    return NotificationDetail.of_detail(delivery)

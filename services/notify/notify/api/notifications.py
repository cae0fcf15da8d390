"""Staff look at what was sent to whom (numbers masked)."""

from typing import Annotated

from fastapi import APIRouter, Query

from notify.api.deps import RepositoryDep
from notify.api.models import NotificationList, NotificationOut
from servicekit.auth import Role, require_roles

router = APIRouter(prefix="/v1/notifications", tags=["notifications"])


@router.get(
    "",
    summary="Deliveries, newest first",
    dependencies=[require_roles(Role.ADMIN, Role.SUPERVISOR, Role.CLERK)],
)
async def list_notifications(
    repository: RepositoryDep,
    request_id: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> NotificationList:
    deliveries = await repository.deliveries(request_id, limit)
    return NotificationList(items=[NotificationOut.of(delivery) for delivery in deliveries])

"""What the routers get from the app."""

from typing import Annotated

from fastapi import Depends, Request

from notify.domain.phones import InvalidMobile, normalise_contact
from notify.store.repository import MongoRepository
from servicekit.errors import Problem


def repository(request: Request) -> MongoRepository:
    found: MongoRepository = request.app.state.repository
    return found


RepositoryDep = Annotated[MongoRepository, Depends(repository)]


def contact_of(raw: str) -> str:
    """A contact typed by staff, as notify keeps it; 422 when it is neither e-mail nor mobile."""
    try:
        return normalise_contact(raw)
    except InvalidMobile as error:
        raise Problem(422, "invalid_contact", str(error)) from error

"""What the routers get from the app."""

from typing import Annotated

from fastapi import Depends, Request

from notify.store.repository import MongoRepository


def repository(request: Request) -> MongoRepository:
    found: MongoRepository = request.app.state.repository
    return found


RepositoryDep = Annotated[MongoRepository, Depends(repository)]

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from routing.service import Router
from routing.store.repository import RoutingRepository


def repository(request: Request) -> RoutingRepository:
    repo: RoutingRepository = request.app.state.repository
    return repo


def router_service(request: Request) -> Router:
    service: Router = request.app.state.router_service
    return service


Repository = Annotated[RoutingRepository, Depends(repository)]
RouterService = Annotated[Router, Depends(router_service)]

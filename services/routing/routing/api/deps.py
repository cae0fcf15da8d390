from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from routing.calendars import CalendarBook
from routing.escalation import EscalationWatch
from routing.service import Router
from routing.store.repository import RoutingRepository
from routing.units import UnitBook
from routing.work import CaseWork


def repository(request: Request) -> RoutingRepository:
    repo: RoutingRepository = request.app.state.repository
    return repo


def router_service(request: Request) -> Router:
    service: Router = request.app.state.router_service
    return service


def case_work(request: Request) -> CaseWork:
    work: CaseWork = request.app.state.case_work
    return work


def calendar_book(request: Request) -> CalendarBook:
    calendars: CalendarBook = request.app.state.calendars
    return calendars


def escalation_watch(request: Request) -> EscalationWatch:
    watch: EscalationWatch = request.app.state.escalation_watch
    return watch


def unit_book(request: Request) -> UnitBook:
    units: UnitBook = request.app.state.units
    return units


Repository = Annotated[RoutingRepository, Depends(repository)]
RouterService = Annotated[Router, Depends(router_service)]
Work = Annotated[CaseWork, Depends(case_work)]
Watch = Annotated[EscalationWatch, Depends(escalation_watch)]
Calendars = Annotated[CalendarBook, Depends(calendar_book)]
Units = Annotated[UnitBook, Depends(unit_book)]

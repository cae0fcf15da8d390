"""A changed calendar moves the deadlines of the open cases it governs.

Every save of a calendar raises its revision; the open cases of a revision not yet recomputed
are read page by page and each gets its deadline and next watch again from its own SLA clock,
with a conditional update on the version read: a clerk's step or the SLA watch that changed the
case meanwhile wins, and the case is read and recomputed again. A moved deadline is audited and
told to intake (`request.deadline_changed`). One routing process at a time recomputes a
calendar (a lease on the calendar, renewed page by page); another takes over when it lapses.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from contracts import RequestDeadlineChangedV1
from routing.calendars import DEFAULT_CALENDAR_ID
from routing.domain import sla
from routing.domain.calendar import WorkingCalendar
from routing.escalation import watch_at
from routing.settings import RoutingSettings
from routing.store.repository import CASES, OPEN_STATUSES, RoutingRepository, StoredCalendar
from servicekit.outbox import Outbox, envelopes

log = logging.getLogger("routing.deadlines")

PAGE = 500
ATTEMPTS = 5
LEASE = timedelta(seconds=60)
STORED_PRECISION = timedelta(milliseconds=1)  # what the store keeps of a datetime
NOTE_FA = "مهلت رسیدگی با تقویم کاری اصلاح‌شده «{calendar}» دوباره محاسبه شد."


@dataclass(frozen=True)
class Rescheduled:
    due_at: datetime | None
    watch_at: datetime | None
    previous_due_at: datetime | None
    deadline_moved: bool


def _same(one: datetime | None, other: datetime | None) -> bool:
    if one is None or other is None:
        return one is other
    return abs(one - other) < STORED_PRECISION


def rescheduled(
    case: Mapping[str, Any], calendar: WorkingCalendar, settings: RoutingSettings
) -> Rescheduled | None:
    """A case's deadline and next watch under `calendar`, from its stored clock; None when both
    stay as stored."""
    clock = sla.SlaClock.model_validate(case["sla"])
    due_at = sla.deadline(clock, calendar)
    warned, level = bool(case.get("warned")), int(case.get("escalation_level", 0))
    next_watch = watch_at(settings, clock, calendar, warned=warned, level=level)
    stored_due = case.get("due_at")
    if _same(due_at, stored_due) and _same(next_watch, case.get("watch_at")):
        return None
    return Rescheduled(due_at, next_watch, stored_due, deadline_moved=not _same(due_at, stored_due))


class DeadlineRecompute:
    def __init__(
        self, repo: RoutingRepository, outbox: Outbox, settings: RoutingSettings, *, page: int = PAGE
    ) -> None:
        self._repo = repo
        self._outbox = outbox
        self._settings = settings
        self._page = page
        self._token = uuid.uuid4().hex
        self._tasks: set[asyncio.Task[int]] = set()
        self._running = asyncio.Lock()  # one run at a time in this process

    def kick(self) -> None:
        """Recompute what is due now, in the background (the periodic run picks up the rest)."""
        task = asyncio.create_task(self.run_due(), name="calendar-recompute")
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[int]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("calendar recompute stopped: %r", task.exception())

    async def stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def run_due(self) -> int:
        """Recompute every calendar whose latest revision is not yet; how many deadlines moved."""
        async with self._running:
            return await self._run_due()

    async def _run_due(self) -> int:
        moved, progressed = 0, True
        while progressed:
            progressed = False
            for stored in await self._repo.stored_calendars():
                claimed = await self._claim(stored) if stored.recompute_due else None
                if claimed is not None:
                    moved += await self._recompute(claimed)
                    progressed = True
            # each lease is let go before the calendars are read again, so a save made meanwhile
            # is recomputed here or by the process that made it
        return moved

    async def _claim(self, stored: StoredCalendar) -> StoredCalendar | None:
        now = datetime.now(UTC)
        calendar_id = stored.calendar.calendar_id
        claimed = await self._repo.claim_recompute(calendar_id, self._token, now, now + LEASE)
        if claimed is not None and not claimed.recompute_due:
            await self._repo.finish_recompute(calendar_id, self._token, claimed.revision)
            return None
        return claimed

    async def _recompute(self, stored: StoredCalendar) -> int:
        calendar = stored.calendar
        others = None
        if calendar.calendar_id == DEFAULT_CALENDAR_ID:
            others = [s.calendar.calendar_id for s in await self._repo.stored_calendars()]
            others.remove(DEFAULT_CALENDAR_ID)
        moved, after = 0, None
        while True:
            page = await self._repo.open_cases_on_calendar(
                calendar.calendar_id, besides=others, after=after, limit=self._page
            )
            for case in page:
                moved += await self._reschedule(case, calendar, others)
            if len(page) < self._page:
                break
            after = page[-1]["_id"]
            if not await self._repo.renew_recompute(
                calendar.calendar_id, self._token, datetime.now(UTC) + LEASE
            ):
                return moved  # the lease lapsed and another process took the calendar over
        await self._repo.finish_recompute(calendar.calendar_id, self._token, stored.revision)
        if moved:
            log.info("calendar %s moved %d deadline(s)", calendar.calendar_id, moved)
        return moved

    async def _reschedule(
        self, case: dict[str, Any], calendar: WorkingCalendar, others: list[str] | None
    ) -> int:
        """Recompute one case, reading it again whenever it changed first; 1 if its deadline moved."""
        for _ in range(ATTEMPTS):
            if not _governed(case, calendar, others):
                return 0  # finished or moved to another calendar meanwhile
            try:
                change = rescheduled(case, calendar, self._settings)
            except ValueError as error:  # a calendar without working time for too long
                log.warning("case %s keeps its deadline: %s", case["_id"], error)
                return 0
            if change is None:
                return 0
            audit, events = self._told(case, calendar, change)
            changes = {"due_at": change.due_at, "watch_at": change.watch_at}
            if await self._repo.reschedule(case, changes, audit, events):
                if events:
                    await self._outbox.relay(CASES, case["_id"])
                return int(change.deadline_moved)
            reread = await self._repo.case(case["_id"])
            if reread is None:
                return 0
            case = reread
        log.warning("case %s kept changing; the next recompute tries again", case["_id"])
        return 0

    @staticmethod
    def _told(
        case: dict[str, Any], calendar: WorkingCalendar, change: Rescheduled
    ) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
        if not change.deadline_moved:
            return None, []  # only when the watch looks next: nobody needs telling
        now = datetime.now(UTC)
        audit = {
            "at": now,
            "by": "calendar",
            "action": "deadline_recomputed",
            "from": case["status"],
            "to": case["status"],
            "unit_id": case.get("unit_id"),
            "reason": NOTE_FA.format(calendar=calendar.name_fa),
            "calendar_id": calendar.calendar_id,
            "previous_due_at": change.previous_due_at,
            "due_at": change.due_at,
        }
        if change.due_at is None:
            return audit, []
        event = RequestDeadlineChangedV1(
            request_id=case["_id"],
            tracking_code=case["tracking_code"],
            unit_id=case.get("unit_id"),
            due_at=change.due_at,
            previous_due_at=change.previous_due_at,
            reason="calendar_changed",
            changed_at=now,
        )
        return audit, envelopes("routing", event)


def _governed(case: Mapping[str, Any], calendar: WorkingCalendar, others: list[str] | None) -> bool:
    if case.get("unit_id") is None or case["status"] not in OPEN_STATUSES:
        return False
    calendar_id = case.get("calendar_id")
    return calendar_id not in others if others is not None else calendar_id == calendar.calendar_id

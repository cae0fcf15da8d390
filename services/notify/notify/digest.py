"""The daily digest: from `NOTIFY_DIGEST_HOUR` (Tehran) on, each unit with overdue cases gets one
e-mail listing them, the longest overdue first.

Every replica runs the job; the digest of a unit and day is a delivery under the unique key
(`digest-<day>`, the unit, e-mail), so whichever replica records it first sends it and the others'
writes are refused. The digest of a day lists what was overdue at that day's digest hour, so it says
the same whichever replica records it, and when. Once every unit's digest of the day is recorded,
the day is marked done and later runs that day read nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import date, datetime

from contracts import Channel, Language
from notify.domain.calendar import jalali_date_fa
from notify.domain.staff import OverdueCase, StaffUnit, digest_day, digest_lines, digest_moment, number_fa
from notify.domain.templates import STAFF_DIGEST
from notify.intents import Intent
from notify.ports import StaffDirectory
from notify.staff import Create

log = logging.getLogger("notify.digest")


def digest_event_id(day: date) -> str:
    return f"digest-{day.isoformat()}"


class OverdueDigest:
    def __init__(
        self,
        directory: StaffDirectory,
        create: Create,
        *,
        console_url: str,
        hour: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._directory = directory
        self._create = create
        self._console_url = console_url
        self._hour = hour
        self._clock = clock

    async def tick(self) -> int:
        """Record today's digests if their hour has come and they are not done; returns how many
        units this run found to tell."""
        now = self._clock()
        day = digest_day(now, self._hour)
        if day is None or await self._directory.digest_done(day):
            return 0
        by_unit: dict[str, list[OverdueCase]] = defaultdict(list)
        for case in await self._directory.overdue_at(digest_moment(day, self._hour)):
            by_unit[case.unit_id].append(case)
        units = await self._directory.units(sorted(by_unit))
        told = 0
        for unit_id, cases in sorted(by_unit.items()):
            unit = units.get(unit_id)
            if unit is None or not unit.active or not unit.email:
                log.warning(
                    "unit %s: %d overdue case(s), no e-mail to send the digest to", unit_id, len(cases)
                )
                continue
            await self._create(self._intent(unit, unit.email, day, cases, now))
            told += 1
        await self._directory.mark_digest_done(day)
        return told

    def _intent(
        self, unit: StaffUnit, email: str, day: date, cases: list[OverdueCase], now: datetime
    ) -> Intent:
        values = {
            "unit_name": unit.name_fa,
            "date": jalali_date_fa(day),
            "count": number_fa(len(cases)),
            "cases": digest_lines(cases, now, self._console_url),
        }
        return Intent(
            STAFF_DIGEST, digest_event_id(day), unit.recipient_key, Channel.EMAIL, email, Language.FA, values
        )

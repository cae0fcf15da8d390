"""Intake's use cases: file a request (any channel), look one up for its citizen."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from intake.domain.catalogue import ServiceDefinition, check_attributes
from intake.domain.fees import price
from intake.domain.geo import bounding_box, distance_m
from intake.domain.offices import Office, check_may_file
from intake.domain.public import holder_matches, public_view
from intake.domain.requests import Filing, NewRequest, file_request
from intake.domain.tracking import new_tracking_code, parse_tracking_code
from intake.store.repository import REQUESTS, IdempotencyKeyTaken, IntakeRepository, TrackingCodeTaken
from servicekit.outbox import Outbox, envelopes


class UnknownService(LookupError):
    pass


class LocationRequired(ValueError):
    pass


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different body."""


@dataclass(frozen=True)
class Filed:
    record: dict[str, Any]
    created: bool


def body_hash(new: NewRequest) -> str:
    return hashlib.sha256(new.model_dump_json().encode()).hexdigest()


class IntakeService:
    def __init__(
        self,
        repo: IntakeRepository,
        outbox: Outbox,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repo = repo
        self._outbox = outbox
        self._clock = clock

    async def file(
        self, new: NewRequest, office: Office, *, idempotency_key: str | None = None, channel: str = "native"
    ) -> Filed:
        """Validate and store a request with its event; a repeated key returns the first filing."""
        digest = body_hash(new)
        key = f"{office.code}:{idempotency_key}" if idempotency_key else f"{office.code}:auto:{uuid.uuid4()}"
        if idempotency_key and (earlier := await self._repo.request_by_idempotency_key(key)):
            return self._replay(earlier, digest)
        moment = self._clock()
        now = moment.replace(microsecond=moment.microsecond // 1000 * 1000)  # the store keeps milliseconds
        service = await self._service_for(new, office, now)
        filing = Filing(
            new=new,
            service=service,
            office=office,
            fee=price(
                service.fee_rials,
                service.service_code,
                new.discount,
                await self._repo.discount_rules(),
                now.date(),
            ),
            idempotency_key=key,
            body_hash=digest,
            channel=channel,
            possible_duplicates=await self._possible_duplicates(new, service),
        )
        for _ in range(5):
            record, event = file_request(filing, tracking_code=new_tracking_code(), now=now)
            staged = envelopes("intake", event)
            try:
                await self._repo.insert_request(record, staged)
            except TrackingCodeTaken:
                continue
            except IdempotencyKeyTaken:  # a concurrent request with the same key won
                earlier = await self._repo.request_by_idempotency_key(key)
                assert earlier is not None
                return self._replay(earlier, digest)
            await self._outbox.relay(REQUESTS, record["_id"], staged)
            await self._repo.mark_open(record)
            return Filed(record, created=True)
        raise RuntimeError("could not allocate a free tracking code")

    async def track(self, raw_code: str, mobile_last4: str) -> dict[str, Any] | None:
        """The public view, or None alike for an unknown code and a wrong check."""
        code = parse_tracking_code(raw_code)
        record = await self._repo.request(code) if code else None
        if record is None or not holder_matches(record, mobile_last4):
            return None
        return public_view(record)

    async def _service_for(self, new: NewRequest, office: Office, now: datetime) -> ServiceDefinition:
        service = await self._repo.service(new.service_code)
        if service is None or not service.is_active(now):
            raise UnknownService(new.service_code)
        check_may_file(office, service.service_code, now.date())
        check_attributes(service, new.attributes)
        if service.location_required and new.location is None and not new.address:
            raise LocationRequired(service.service_code)
        return service

    async def _possible_duplicates(self, new: NewRequest, service: ServiceDefinition) -> list[str]:
        if new.location is None or service.duplicate_radius_m == 0:
            return []
        lat, long = new.location.lat, new.location.long
        box = bounding_box(lat, long, service.duplicate_radius_m)
        candidates = await self._repo.open_requests_near(service.service_code, box)
        return [
            str(candidate["_id"])
            for candidate in candidates
            if distance_m(lat, long, candidate["location"]["lat"], candidate["location"]["long"])
            <= service.duplicate_radius_m
        ]

    @staticmethod
    def _replay(earlier: dict[str, Any], digest: str) -> Filed:
        if earlier["body_hash"] != digest:
            raise IdempotencyConflict(earlier["_id"])
        return Filed(earlier, created=False)

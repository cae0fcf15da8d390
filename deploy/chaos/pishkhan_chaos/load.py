"""Load: offices file requests (native with Idempotency-Key, and Open311) and citizens comment,
continuously, while faults happen. Every call and its outcome is written in the ledger."""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any

import httpx

from pishkhan_local import demo

CALL_TIMEOUT = 15.0
RETRY_PAUSE = 0.5
RETRYABLE = {429, 500, 502, 503, 504}
NO_ANSWER = 0  # in a call's list of statuses: it got none (refused, reset, timed out)


class Outcome(StrEnum):
    ACCEPTED = "accepted"  # 201: must exist once and flow through the system
    UNAVAILABLE = "unavailable"  # 503: must not be stored at all
    IN_DOUBT = "in_doubt"  # no answer (the process died, a timeout): stored at most once
    REFUSED = "refused"  # another 4xx: a bug of the driver or the service


@dataclass
class Filing:
    marker: str
    channel: str  # native | open311
    extra: str = ""  # a fault marker the description carries (poison, slow, crash)
    kind: str = "plain"
    outcome: Outcome = Outcome.IN_DOUBT
    tracking_code: str | None = None
    statuses: list[int] = field(default_factory=list)

    @property
    def description(self) -> str:
        return f"چراغ‌های خیابان امام خاموش است [{self.marker}] {self.extra}".strip()


@dataclass
class Comment:
    text: str
    outcome: Outcome = Outcome.IN_DOUBT
    receipt: str | None = None
    statuses: list[int] = field(default_factory=list)


@dataclass
class Ledger:
    filings: list[Filing] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    opened_draft: str | None = None  # the consultation this run opened, once it is open
    open_failed: bool = False
    # messages no consumer can take (ids start with `malformed_prefix`), by dead-letter queue: the ids
    # the broker confirmed, and those it may or may not have taken (sent as it went away)
    malformed_prefix: str = ""
    malformed: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    malformed_maybe: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    job_faults: list[JobFault] = field(default_factory=list)
    calendar_saves: list[int] = field(default_factory=list)  # the answers' statuses
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: Filing | Comment) -> None:
        with self.lock:
            (self.filings if isinstance(item, Filing) else self.comments).append(item)  # type: ignore[arg-type]

    @property
    def server_errors(self) -> int:
        codes = [s for f in self.filings for s in f.statuses] + [s for c in self.comments for s in c.statuses]
        return sum(1 for status in codes if status == 500)


@dataclass
class JobFault:
    """A background job made to fail: seen failing on /readyz before it was let go, or not."""

    service: str
    job: str
    seen_failing: bool = False


@dataclass(frozen=True)
class Endpoints:
    intake: str
    consultation: str
    api_key: str
    draft_id: str  # open before the run; comments go there until the run has opened its own
    author: dict[str, str]  # staff headers: the draft's author, and an approver
    approver: dict[str, str]
    routing: str = ""
    admin: dict[str, str] = field(default_factory=dict)


def native_body(filing: Filing) -> dict[str, object]:
    return {
        "service_code": "ARD-101",
        "category": "complaint",
        "description": filing.description,
        "district": "1",
        "location": {"lat": 38.2498, "long": 48.2933},
        "citizen": {"name": "مریم رضایی", "national_id": "0499370899", "mobile": "09141234567"},
    }


def file_native(endpoints: Endpoints, filing: Filing, give_up_at: float) -> None:
    """POST with an Idempotency-Key, retried with the same key until a definite answer."""
    headers = {
        "X-Api-Key": endpoints.api_key,
        "Idempotency-Key": str(uuid.uuid5(uuid.NAMESPACE_URL, filing.marker)),
    }
    while True:
        try:
            response = httpx.post(
                f"{endpoints.intake}/v1/requests",
                json=native_body(filing),
                headers=headers,
                timeout=CALL_TIMEOUT,
            )
        except httpx.HTTPError:
            response = None
        filing.statuses.append(response.status_code if response is not None else NO_ANSWER)
        if response is not None:
            if response.status_code in (200, 201):
                filing.outcome, filing.tracking_code = Outcome.ACCEPTED, str(response.json()["tracking_code"])
                return
            if response.status_code not in RETRYABLE:
                filing.outcome = Outcome.REFUSED
                return
        if time.monotonic() > give_up_at:
            filing.outcome = Outcome.UNAVAILABLE if _all_unavailable(filing.statuses) else Outcome.IN_DOUBT
            return
        time.sleep(RETRY_PAUSE)


def _all_unavailable(statuses: list[int]) -> bool:
    return bool(statuses) and all(status == 503 for status in statuses)


def file_open311(endpoints: Endpoints, filing: Filing) -> None:
    """One form POST, as an Open311 client sends it (no idempotency key, so no retry)."""
    fields = {
        "api_key": endpoints.api_key,
        "service_code": "ARD-101",
        "lat": "38.2498",
        "long": "48.2933",
        "description": filing.description,
        "phone": "09141234567",
        "first_name": "مریم",
    }
    try:
        response = httpx.post(
            f"{endpoints.intake}/open311/v2/requests.json", data=fields, timeout=CALL_TIMEOUT
        )
    except httpx.HTTPError:
        return  # in doubt
    filing.statuses.append(response.status_code)
    filing.outcome = outcome_of(response.status_code)
    if filing.outcome is Outcome.ACCEPTED:
        filing.tracking_code = str(response.json()[0]["service_request_id"])


def post_comment(endpoints: Endpoints, comment: Comment, client: int, draft_id: str) -> None:
    url = f"{endpoints.consultation}/v1/consultations/{draft_id}/comments"
    headers = {"X-Forwarded-For": f"198.51.100.{client % 250 + 1}"}
    try:
        response = httpx.post(
            url, json={"stance": "against", "text_fa": comment.text}, headers=headers, timeout=CALL_TIMEOUT
        )
    except httpx.HTTPError:
        return
    comment.statuses.append(response.status_code)
    comment.outcome = outcome_of(response.status_code)
    if comment.outcome is Outcome.ACCEPTED:
        comment.receipt = str(response.json()["receipt"])


def outcome_of(status: int) -> Outcome:
    """What one answer to a call that is not retried means for the checks."""
    if status == 201:
        return Outcome.ACCEPTED
    if status == 503:
        return Outcome.UNAVAILABLE
    return Outcome.IN_DOUBT if status in RETRYABLE else Outcome.REFUSED


def _until_answered(call: Callable[[], httpx.Response], give_up_at: float) -> httpx.Response | None:
    """Repeat a call while it gets no answer or a 5xx; None if it never did."""
    while time.monotonic() < give_up_at:
        try:
            response = call()
        except httpx.HTTPError:
            response = None
        if response is not None and response.status_code not in RETRYABLE:
            return response
        time.sleep(RETRY_PAUSE)
    return None


def open_consultation(endpoints: Endpoints, marker: str, give_up_at: float) -> str | None:
    """Write, approve and open a draft as staff do, through the faults; its id, or None."""
    base = f"{endpoints.consultation}/v1/drafts"
    draft = demo.VENDORS_DRAFT | {"title_fa": f"پیش‌نویس ساماندهی دستفروشان [{marker}]"}
    created = _until_answered(
        lambda: httpx.post(base, json=draft, headers=endpoints.author, timeout=CALL_TIMEOUT), give_up_at
    )
    if created is None or created.status_code != 201:
        return None
    draft_id = str(created.json()["id"])
    for step, body in (("approve", None), ("open", {"days": 14})):
        url = f"{base}/{draft_id}/{step}"
        answer = _until_answered(partial(_staff_post, url, body, endpoints.approver), give_up_at)
        if answer is None or answer.status_code not in (200, 409):  # 409: an unanswered try did it
            return None
    return draft_id


def _staff_post(url: str, body: dict[str, Any] | None, headers: dict[str, str]) -> httpx.Response:
    return httpx.post(url, json=body, headers=headers, timeout=CALL_TIMEOUT)


@dataclass(frozen=True)
class Markers:
    """What the services were started with: a description carrying one of these triggers the fault."""

    poison: str
    slow: str
    crash: str


class Load:
    """Filing threads (native, Open311) and a commenting thread, each with its own seeded generator."""

    def __init__(
        self, endpoints: Endpoints, ledger: Ledger, markers: Markers, tag: str, seed: int, pause: float
    ) -> None:
        self.endpoints, self.ledger, self.markers, self.tag = endpoints, ledger, markers, tag
        self._seed, self._pause = seed, pause
        self._stop = threading.Event()
        self._retry_until = float("inf")
        self._threads = [
            threading.Thread(target=self._natives, name="chaos-native", daemon=True),
            threading.Thread(target=self._open311s, name="chaos-open311", daemon=True),
            threading.Thread(target=self._comments, name="chaos-comments", daemon=True),
        ]
        self._counter = 0
        self._counter_lock = threading.Lock()

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self, retry_seconds: float) -> None:
        """No new calls; a native filing keeps retrying for `retry_seconds` at most."""
        self._retry_until = time.monotonic() + retry_seconds
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def marker(self, prefix: str) -> str:
        with self._counter_lock:
            self._counter += 1
            return f"chaos:{self.tag}:{prefix}{self._counter}"

    def file(self, kind: str = "plain") -> Filing:
        """One native filing of a kind (plain, slow, poison, crash), retried until answered."""
        extra = {"slow": self.markers.slow, "poison": self.markers.poison, "crash": self.markers.crash}.get(
            kind, ""
        )
        filing = Filing(self.marker("n"), "native", extra, kind)
        self.ledger.add(filing)
        file_native(self.endpoints, filing, self._give_up_at())
        return filing

    def file_async(self, kind: str) -> threading.Thread:
        thread = threading.Thread(target=self.file, args=(kind,), name=f"chaos-{kind}", daemon=True)
        thread.start()
        return thread

    def _give_up_at(self) -> float:
        return min(self._retry_until, time.monotonic() + 120.0)

    def _kind(self, rng: random.Random) -> str:
        return "slow" if rng.random() < 0.1 else "plain"

    def _natives(self) -> None:
        rng = random.Random(self._seed * 31 + 1)
        while not self._stop.is_set():
            self.file(self._kind(rng))
            self._stop.wait(self._pause * rng.uniform(0.5, 1.5))

    def _open311s(self) -> None:
        rng = random.Random(self._seed * 31 + 2)
        while not self._stop.is_set():
            kind = self._kind(rng)
            extra = self.markers.slow if kind == "slow" else ""
            filing = Filing(self.marker("o"), "open311", extra, kind)
            self.ledger.add(filing)
            file_open311(self.endpoints, filing)
            self._stop.wait(self._pause * rng.uniform(1.0, 3.0))

    def _comments(self) -> None:
        """Open a consultation of this run's own, then comment on it (on the open one till then)."""
        rng = random.Random(self._seed * 31 + 3)
        opening = threading.Thread(target=self._open, name="chaos-open", daemon=True)
        opening.start()
        client = 0
        while not self._stop.is_set():
            client += 1
            comment = Comment(f"ساعت فعالیت بازارچه‌ها زیاد است [{self.marker('c')}]")
            self.ledger.add(comment)
            post_comment(self.endpoints, comment, client, self.ledger.opened_draft or self.endpoints.draft_id)
            self._stop.wait(self._pause * rng.uniform(1.0, 3.0))
        opening.join()

    def _open(self) -> None:
        self.ledger.opened_draft = open_consultation(
            self.endpoints, self.marker("d"), time.monotonic() + 60.0
        )

"""After the faults: what the stores and the queues hold, judged against the ledger.

Every filing that got a 201 exists once in intake, has one case in routing, the timeline
submitted → routed, and one notification per recipient and channel for each of those
events; a 503 left nothing behind; a call that got no answer left at most one request,
which then flows like any other. Poison requests are not routed: they wait in routing's
dead-letter queue, with the reason, exactly once each, and so does every message no consumer
can take (malformed ones, of every kind) in each queue it reached; nothing else is dead-lettered.
No other queue holds a message (a consumer that stalled would leave some) and no outbox holds an
event. Every background job made to fail was seen failing and is not failing any more. Every comment that got a receipt is stored; the consultation the
run opened is open, and each open consultation was announced once per subscriber and channel.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from pymongo import MongoClient

from pishkhan_chaos import broker
from pishkhan_chaos.injection import failing_jobs
from pishkhan_chaos.load import Comment, Filing, Ledger, Outcome
from pishkhan_local.cluster import Cluster

MARKER = re.compile(r"\[(chaos:[^\]]+)\]")
POISON_QUEUE = "routing.request-submitted.dlq"
SUBMITTED, ROUTED, OPENED = "request.submitted.v1", "request.routed.v1", "consultation.opened.v1"
Key = tuple[str, str, str]  # event type, recipient, channel


@dataclass
class Snapshot:
    requests: dict[str, list[dict[str, Any]]]  # marker → intake documents
    cases: Counter[str]  # request id → cases
    notifications: dict[str, Counter[Key]]  # request id → (event type, recipient, channel) → count
    comments: Counter[str]  # marker → stored comments
    outboxes: list[str]  # "<service>.<collection>: n" where events wait
    depths: dict[str, broker.Depth]
    dead_letters: list[broker.DeadLetter]
    drafts: dict[str, str] = field(default_factory=dict)  # consultation id → status
    announcements: Counter[Key] = field(default_factory=Counter)  # (event id, recipient, channel) → count
    failing_jobs: dict[str, list[str]] = field(default_factory=dict)  # service → jobs /readyz names


@dataclass
class Verdict:
    accepted: int = 0
    in_doubt: int = 0
    in_doubt_stored: int = 0
    unavailable: int = 0
    comments_accepted: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    half_stored: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    queues: list[str] = field(default_factory=list)
    dead_letter_problems: list[str] = field(default_factory=list)
    dead_lettered: int = 0
    poison_expected: int = 0
    outboxes: list[str] = field(default_factory=list)
    server_errors: int = 0
    jobs_failed: int = 0  # jobs made to fail that /readyz named
    jobs_recovered: int = 0
    job_problems: list[str] = field(default_factory=list)

    @property
    def settled(self) -> bool:
        return not (
            self.lost
            or self.duplicated
            or self.queues
            or self.dead_letter_problems
            or self.outboxes
            or self.job_problems
        )

    @property
    def stalled(self) -> bool:
        """A consumer queue still holds messages once all is healed and the load has stopped."""
        return bool(self.queues)

    @property
    def passed(self) -> bool:
        return self.settled and not (self.half_stored or self.refused or self.server_errors)

    def problems(self) -> list[str]:
        return [
            *(f"lost: {p}" for p in self.lost),
            *(f"duplicated: {p}" for p in self.duplicated),
            *(f"503 yet stored: {p}" for p in self.half_stored),
            *(f"refused: {p}" for p in self.refused),
            *(f"queue not empty: {p}" for p in self.queues),
            *(f"dead letters: {p}" for p in self.dead_letter_problems),
            *(f"outbox not empty: {p}" for p in self.outboxes),
            *(f"jobs: {p}" for p in self.job_problems),
            *([f"{self.server_errors} answer(s) with status 500"] if self.server_errors else []),
        ]


def _db(cluster: Cluster, service: str) -> Any:
    client: MongoClient[dict[str, Any]] = MongoClient(
        cluster.stores[service].url, serverSelectionTimeoutMS=10_000
    )
    return client, client[service]


def snapshot(cluster: Cluster, vhost: str, amqp_url: str, *, queues: bool = True) -> Snapshot:
    """What the stores hold and, with `queues`, what the broker holds (slower: rabbitmqctl)."""
    depths = broker.queue_depths(vhost) if queues else {}
    holding = [name for name, depth in depths.items() if name.endswith(".dlq") and depth.total]
    return Snapshot(
        requests=_requests(cluster),
        cases=_cases(cluster),
        notifications=_notifications(cluster),
        comments=_comments(cluster),
        outboxes=_outboxes(cluster),
        depths=depths,
        dead_letters=[letter for name in holding for letter in broker.dead_letters(amqp_url, name)],
        drafts=_drafts(cluster),
        announcements=_announcements(cluster),
        failing_jobs={service: sorted(failing_jobs(cluster, service)) for service in cluster.services},
    )


def _requests(cluster: Cluster) -> dict[str, list[dict[str, Any]]]:
    client, db = _db(cluster, "intake")
    with client:
        found: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for document in db.requests.find({}, {"description": 1, "request_id": 1, "timeline": 1, "status": 1}):
            if match := MARKER.search(document.get("description") or ""):
                found[match.group(1)].append(document)
        return found


def _cases(cluster: Cluster) -> Counter[str]:
    client, db = _db(cluster, "routing")
    with client:
        return Counter(str(document["_id"]) for document in db.cases.find({}, {"_id": 1}))


def _notifications(cluster: Cluster) -> dict[str, Counter[Key]]:
    client, db = _db(cluster, "notify")
    with client:
        found: dict[str, Counter[Key]] = defaultdict(Counter)
        fields = {"request_id": 1, "event_type": 1, "recipient_key": 1, "channel": 1}
        for document in db.notifications.find({"request_id": {"$ne": None}}, fields):
            key = (
                str(document.get("event_type")),
                str(document.get("recipient_key")),
                str(document.get("channel")),
            )
            found[str(document["request_id"])][key] += 1
        return found


def _drafts(cluster: Cluster) -> dict[str, str]:
    client, db = _db(cluster, "consultation")
    with client:
        return {str(d["_id"]): str(d.get("status")) for d in db.consultations.find({}, {"status": 1})}


def _announcements(cluster: Cluster) -> Counter[Key]:
    client, db = _db(cluster, "notify")
    with client:
        fields = {"source_event_id": 1, "recipient_key": 1, "channel": 1}
        return Counter(
            (str(d.get("source_event_id")), str(d.get("recipient_key")), str(d.get("channel")))
            for d in db.notifications.find({"event_type": OPENED}, fields)
        )


def _comments(cluster: Cluster) -> Counter[str]:
    client, db = _db(cluster, "consultation")
    with client:
        return Counter(
            match.group(1)
            for document in db.comments.find({}, {"text_fa": 1})
            if (match := MARKER.search(document.get("text_fa") or ""))
        )


def _outboxes(cluster: Cluster) -> list[str]:
    waiting = []
    for service in cluster.stores:
        client, db = _db(cluster, service)
        with client:
            for name in db.list_collection_names():
                count = db[name].count_documents({"outbox.0": {"$exists": True}})
                if count:
                    waiting.append(f"{service}.{name}: {count}")
    return waiting


def judge(ledger: Ledger, shot: Snapshot, *, queues: bool = True) -> Verdict:
    verdict = Verdict(server_errors=ledger.server_errors)
    with ledger.lock:
        filings, comments = list(ledger.filings), list(ledger.comments)
    poison_stored: set[str] = set()
    for filing in filings:
        documents = shot.requests.get(filing.marker, [])
        _judge_filing(filing, documents, shot, verdict)
        if filing.kind == "poison" and documents:
            poison_stored.add(filing.marker)
    for comment in comments:
        _judge_comment(comment, shot.comments, verdict)
    _judge_consultations(ledger.opened_draft, shot, verdict)
    if ledger.open_failed:
        verdict.refused.append("the run could not open its consultation")
    if queues:
        _judge_queues(shot, poison_stored, ledger, verdict)
    verdict.outboxes = shot.outboxes
    _judge_jobs(ledger, shot, verdict)
    verdict.refused += [
        f"calendar save answered {status}" for status in ledger.calendar_saves if status != 200
    ]
    return verdict


def _judge_jobs(ledger: Ledger, shot: Snapshot, verdict: Verdict) -> None:
    for fault in ledger.job_faults:
        verdict.jobs_failed += fault.seen_failing
        still = fault.job in shot.failing_jobs.get(fault.service, [])
        verdict.jobs_recovered += fault.seen_failing and not still
        if not fault.seen_failing:
            verdict.job_problems.append(f"{fault.service} {fault.job}: made to fail, never named on /readyz")
        elif still:
            verdict.job_problems.append(f"{fault.service} {fault.job}: still failing")


def _judge_filing(filing: Filing, documents: list[dict[str, Any]], shot: Snapshot, verdict: Verdict) -> None:
    name = f"{filing.channel} {filing.kind} {filing.marker}"
    if filing.outcome is Outcome.ACCEPTED:
        verdict.accepted += 1
        if not documents:
            verdict.lost.append(f"{name}: 201 but not in intake")
    elif filing.outcome is Outcome.UNAVAILABLE:
        verdict.unavailable += 1
        if documents:
            verdict.half_stored.append(name)
    elif filing.outcome is Outcome.REFUSED:
        verdict.refused.append(f"{name}: {filing.statuses}")
    else:
        verdict.in_doubt += 1
        verdict.in_doubt_stored += bool(documents)
    if len(documents) > 1:
        verdict.duplicated.append(f"{name}: {len(documents)} requests in intake")
    if len(documents) == 1:
        _judge_flow(name, filing.kind == "poison", documents[0], shot, verdict)


def _judge_flow(name: str, poison: bool, document: dict[str, Any], shot: Snapshot, verdict: Verdict) -> None:
    request_id = str(document["request_id"])
    statuses = [step.get("status") for step in document.get("timeline", [])]
    expected = ["submitted"] if poison else ["submitted", "routed"]
    cases = shot.cases.get(request_id, 0)
    if cases != (0 if poison else 1):
        (verdict.duplicated if cases > 1 else verdict.lost).append(f"{name}: {cases} case(s) in routing")
    if statuses != expected:
        too_many = len(statuses) > len(expected) or len(set(statuses)) < len(statuses)
        (verdict.duplicated if too_many else verdict.lost).append(f"{name}: timeline {statuses}")
    _judge_notifications(
        name, [SUBMITTED] if poison else [SUBMITTED, ROUTED], shot.notifications.get(request_id), verdict
    )


def _judge_notifications(name: str, events: list[str], counts: Counter[Key] | None, verdict: Verdict) -> None:
    counts = counts or Counter()
    for event in events:
        mine = {key: n for key, n in counts.items() if key[0] == event}
        if not mine:
            verdict.lost.append(f"{name}: no notification for {event}")
        for (_, recipient, channel), n in mine.items():
            if n > 1:
                verdict.duplicated.append(
                    f"{name}: {n} notifications for {event} to {recipient} by {channel}"
                )


def _judge_comment(comment: Comment, stored: Counter[str], verdict: Verdict) -> None:
    match = MARKER.search(comment.text)
    marker = match.group(1) if match else comment.text
    count = stored.get(marker, 0)
    if comment.outcome is Outcome.ACCEPTED:
        verdict.comments_accepted += 1
        if count == 0:
            verdict.lost.append(f"comment {marker}: receipt {comment.receipt} but not stored")
    elif comment.outcome is Outcome.UNAVAILABLE and count:
        verdict.half_stored.append(f"comment {marker}")
    elif comment.outcome is Outcome.REFUSED:
        verdict.refused.append(f"comment {marker}: {comment.statuses}")
    if count > 1:
        verdict.duplicated.append(f"comment {marker}: stored {count} times")


def _judge_consultations(opened: str | None, shot: Snapshot, verdict: Verdict) -> None:
    if opened is not None and shot.drafts.get(opened) != "open":
        verdict.lost.append(f"consultation {opened}: opened, but {shot.drafts.get(opened)} in the store")
    open_now = sum(1 for status in shot.drafts.values() if status == "open")
    announced = len({event_id for event_id, _, _ in shot.announcements})
    if announced != open_now:
        side = verdict.lost if announced < open_now else verdict.duplicated
        side.append(f"{open_now} consultation(s) open, {announced} announced")
    for (event_id, recipient, channel), n in shot.announcements.items():
        if n > 1:
            verdict.duplicated.append(f"{OPENED} {event_id}: {n} notifications to {recipient} by {channel}")


def _judge_queues(shot: Snapshot, poison: set[str], ledger: Ledger, verdict: Verdict) -> None:
    for name, depth in sorted(shot.depths.items()):
        if not name.endswith(".dlq") and depth.total:
            verdict.queues.append(f"{name}: {depth.ready} ready, {depth.unacked} unacked")
    verdict.poison_expected = len(poison) + sum(len(ids) for ids in ledger.malformed.values())
    verdict.dead_lettered = len({(letter.queue, _identity(letter)) for letter in shot.dead_letters})
    malformed = [
        m
        for m in shot.dead_letters
        if ledger.malformed_prefix and m.message_id.startswith(ledger.malformed_prefix)
    ]
    _judge_malformed(malformed, ledger, verdict)
    found: Counter[str] = Counter()
    copies: Counter[tuple[str, object]] = Counter()
    for letter in shot.dead_letters:
        if letter in malformed:
            continue
        marker, reason = _marker_of(letter), str(letter.headers.get("x-pishkhan-error", ""))
        if letter.queue != POISON_QUEUE or "InjectedFault" not in reason:
            verdict.dead_letter_problems.append(f"{letter.queue}: {marker}, reason {reason!r}")
            continue
        copies[(marker, _attempt(letter))] += 1
        found[marker] += 1
    if set(found) != poison:
        missing, extra = sorted(poison - set(found)), sorted(set(found) - poison)
        verdict.dead_letter_problems.append(
            f"expected the poison requests; missing {missing}, unexpected {extra}"
        )
    verdict.dead_letter_problems += [
        f"{m}: dead-lettered {n} times by one delivery" for (m, _), n in copies.items() if n > 1
    ]


def _judge_malformed(letters: list[broker.DeadLetter], ledger: Ledger, verdict: Verdict) -> None:
    """Each malformed message the broker confirmed is dead-lettered once in every queue it reached,
    with a reason; one being sent as the broker went away, at most once; nothing else."""
    found: dict[str, Counter[str]] = defaultdict(Counter)
    copies = Counter((letter.queue, letter.message_id, _attempt(letter)) for letter in letters)
    for (queue_name, message_id, _), n in copies.items():
        found[queue_name][message_id] += n
    for letter in letters:
        if not str(letter.headers.get("x-pishkhan-error", "")):
            verdict.dead_letter_problems.append(f"{letter.queue}: {letter.message_id} without a reason")
    for queue_name in sorted(set(found) | set(ledger.malformed)):
        ids, sent = found[queue_name], ledger.malformed.get(queue_name, set())
        missing = sent - set(ids)
        stray = set(ids) - sent - ledger.malformed_maybe.get(queue_name, set())
        if missing:
            verdict.dead_letter_problems.append(
                f"{queue_name}: {len(missing)} malformed message(s) not dead-lettered"
            )
        if stray:
            verdict.dead_letter_problems.append(
                f"{queue_name}: {len(stray)} unexpected malformed dead letter(s)"
            )
    verdict.dead_letter_problems += [
        f"{queue_name}: {message_id} dead-lettered {n} times by one delivery"
        for (queue_name, message_id, _), n in copies.items()
        if n > 1
    ]


def _attempt(letter: broker.DeadLetter) -> object:
    """Which delivery dead-lettered it. A consumer publishes the dead letter, then acks; when a broker
    fault loses the ack, the message comes back with a higher delivery count and is dead-lettered
    again: one copy per delivery is at-least-once, two from one delivery would be a fault."""
    return letter.headers.get("x-pishkhan-attempts")


def _identity(letter: broker.DeadLetter) -> str:
    return letter.message_id or letter.body


def _marker_of(letter: broker.DeadLetter) -> str:
    payload = json.loads(letter.body).get("payload", {})
    match = MARKER.search(str(payload.get("description", "")))
    return match.group(1) if match else f"event about request {payload.get('request_id', '?')}"

"""Hundreds of messages no consumer can take, of every kind, never hold up the events behind them:
each ends in its queue's dead-letter queue with the reason, and a request filed meanwhile is
routed and its citizen told."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections import Counter
from typing import Any

import httpx
import pytest
from support import System, eventually, file_request, read_request

from contracts.topology import QUEUES
from pishkhan_chaos import poison
from servicekit.bus import ERROR_HEADER, QUEUE_HEADER

pytestmark = pytest.mark.e2e

PER_EVENT_TYPE = 120  # more than a consumer's prefetch (100)


def test_poison_of_every_kind_is_dead_lettered_and_blocks_nothing(system: System) -> None:
    prefix = f"poison-{uuid.uuid4().hex[:8]}"
    event_types = sorted({spec.event_type for spec in QUEUES})
    for event_type in event_types:
        asyncio.run(
            poison.publish(
                system.amqp_url, event_type, list(poison.batch(prefix, event_type, PER_EVENT_TYPE))
            )
        )

    filed = file_request(system)
    eventually(lambda: read_request(system, str(filed["tracking_code"]))["status"] == "routed", timeout=30)
    eventually(lambda: len(_delivered(system, str(filed["request_id"]))) >= 2, timeout=30)

    for spec in QUEUES:
        letters = _taken(system, spec.dead_letter_queue, prefix, PER_EVENT_TYPE)
        assert len(letters) == PER_EVENT_TYPE, spec.name
        kinds = Counter(str(m.message_id).split("-")[2] for m in letters)
        assert set(kinds) == set(poison.KINDS), spec.name
        for message in letters:
            assert message.headers[QUEUE_HEADER] == spec.name
            assert str(message.headers[ERROR_HEADER]), "every dead letter says why"


def test_the_reasons_name_what_is_wrong(system: System) -> None:
    prefix = f"why-{uuid.uuid4().hex[:8]}"
    spec = QUEUES[0]
    poisons = list(poison.batch(prefix, spec.event_type, len(poison.KINDS)))
    asyncio.run(poison.publish(system.amqp_url, spec.event_type, poisons))

    letters = _taken(system, spec.dead_letter_queue, prefix, len(poisons))
    reasons = {str(m.message_id).split("-")[2]: str(m.headers[ERROR_HEADER]) for m in letters}
    assert reasons["empty"] == "empty body"
    assert "text/plain" in reasons["wrong_content_type"]
    assert "request.unheard_of.v9" in reasons["other_event_type"]
    assert "bytes" in reasons["oversized"]
    for kind in ("not_json", "not_utf8", "not_an_envelope"):
        assert reasons[kind].startswith("invalid message"), (kind, reasons[kind])
    # the oversized body is kept whole: nothing accepted is lost, an operator can look at it
    assert len(next(m for m in letters if "oversized" in str(m.message_id)).body) > poison.OVERSIZED_BYTES
    for other in QUEUES[1:]:  # every other queue of the event type dead-lettered them too
        if other.event_type == spec.event_type:
            assert len(_taken(system, other.dead_letter_queue, prefix, len(poisons))) == len(poisons)


def _taken(system: System, queue: str, prefix: str, count: int) -> list[Any]:
    """The dead letters with ids starting with `prefix`, once `count` of them have arrived."""
    letters: list[Any] = []

    def arrived() -> bool:
        letters.extend(asyncio.run(poison.take_dead_letters(system.amqp_url, queue, prefix)))
        return len(letters) >= count

    eventually(arrived, timeout=60, interval=0.5)
    return letters


def test_the_dead_letter_tool_shows_bodies_that_are_not_text(system: System) -> None:
    prefix = f"show-{uuid.uuid4().hex[:8]}"
    spec = next(s for s in QUEUES if s.name == "notify.office-updated")
    poisons = [p for p in poison.batch(prefix, spec.event_type, len(poison.KINDS)) if p.kind == "not_utf8"]
    asyncio.run(poison.publish(system.amqp_url, spec.event_type, poisons))
    eventually(
        lambda: poisons[0].message_id in _show(system, spec.dead_letter_queue), timeout=30, interval=0.5
    )
    shown = _show(system, spec.dead_letter_queue)
    line = next(row for row in shown.splitlines() if poisons[0].message_id in row)
    assert '"body_base64"' in line and '"content_type": "application/json"' in line
    assert "\ufffd" not in line
    asyncio.run(poison.take_dead_letters(system.amqp_url, spec.dead_letter_queue, prefix))


def _show(system: System, queue: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "servicekit.dlq_cli",
            "--amqp-url",
            system.amqp_url,
            "show",
            queue,
            "--limit",
            "500",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout


def _delivered(system: System, request_id: str) -> list[dict[str, object]]:
    response = httpx.get(
        f"{system.url('notify')}/v1/notifications",
        params={"request_id": request_id},
        headers=system.staff(),
        timeout=10,
    )
    response.raise_for_status()
    return [n for n in response.json()["items"] if n["status"] == "delivered"]

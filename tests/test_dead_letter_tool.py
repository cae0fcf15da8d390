"""The operators' dead-letter tool on a real failed message: list, show, replay by id, purge."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from support import System, eventually, publish_event

from contracts import Envelope, RequestRoutedV1, RequestSubmittedV1

pytestmark = pytest.mark.e2e


def _dlq(system: System, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "servicekit.dlq_cli", "--amqp-url", system.amqp_url, *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _waiting(system: System, queue: str) -> int:
    listing = _dlq(system, "list").stdout
    return next(int(line.split()[0]) for line in listing.splitlines() if line.split()[1] == queue)


def _sms_for(system: System, request_id: str, event_id: object) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{system.url('notify')}/v1/notifications",
        params={"request_id": request_id},
        headers=system.staff(),
        timeout=10,
    )
    return [n for n in response.json()["items"] if n["source_event_id"] == event_id]


def test_a_dead_letter_is_listed_shown_replayed_once_and_purged(system: System) -> None:
    request_id, code = str(uuid.uuid4()), "100000000017"
    routed = Envelope.wrap(
        RequestRoutedV1(
            request_id=request_id,
            tracking_code=code,
            unit_id="d1-services",
            unit_name_fa="معاونت خدمات شهری منطقه یک",
            unit_name_en="District 1 urban services",
            rule_id=None,
            routed_at=datetime.now(UTC),
        ),
        producer="routing",
        correlation_id="dlq-tool",
    ).to_document()
    publish_event(system.amqp_url, routed)  # notify has never heard of this citizen: it fails

    queue = "notify.request-routed.dlq"
    eventually(lambda: _waiting(system, queue) >= 1, timeout=60)
    # other tests' dead letters may wait there too
    shown = [json.loads(line) for line in _dlq(system, "show", queue, "--limit", "1000").stdout.splitlines()]
    ours = next(row for row in shown if row["message_id"] == routed["event_id"])
    assert "RecipientNotKnownYet" in ours["reason"]
    assert ours["attempts"] == 5

    example = RequestSubmittedV1.model_json_schema()["examples"][0]
    submitted = RequestSubmittedV1.model_validate(example | {"request_id": request_id, "tracking_code": code})
    publish_event(
        system.amqp_url, Envelope.wrap(submitted, producer="intake", correlation_id="dlq-tool").to_document()
    )

    replayed = _dlq(system, "replay", queue, "--id", str(routed["event_id"]))
    assert replayed.returncode == 0, replayed.stderr
    assert replayed.stdout.startswith("replayed 1 message")
    eventually(lambda: _sms_for(system, request_id, routed["event_id"]), timeout=30)

    publish_event(system.amqp_url, routed)  # a second copy, as if replayed twice
    time.sleep(2)
    assert len(_sms_for(system, request_id, routed["event_id"])) == 1

    eventually(lambda: _waiting(system, "intake.request-routed.dlq") >= 1, timeout=60)
    refused = _dlq(system, "purge", "intake.request-routed.dlq")
    assert refused.returncode == 1  # no terminal to confirm on, no --yes
    purged = _dlq(system, "purge", "intake.request-routed.dlq", "--yes")
    assert purged.returncode == 0, purged.stderr
    assert _waiting(system, "intake.request-routed.dlq") == 0

"""Signatures on the webhooks sent to offices, so an office can tell they came from Pishkhan.

Each request carries `X-Pishkhan-Timestamp` (unix seconds) and
`X-Pishkhan-Signature: v1=<hex HMAC-SHA256 of "<timestamp>." + raw body>`. While a secret is
being rotated the signature header holds one `v1=` value per secret, separated by commas; a
request is genuine when any of them matches. How an office verifies it, on the raw body bytes
as received (before parsing the JSON):

```python
import hashlib, hmac, time

def verify(secret: bytes, body: bytes, headers) -> bool:
    ts = headers["X-Pishkhan-Timestamp"]
    if not (ts.isascii() and ts.isdigit()) or abs(time.time() - int(ts)) > 300:
        return False
    expected = hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    sigs = [p.strip()[3:] for p in headers["X-Pishkhan-Signature"].split(",") if p.strip()[:3] == "v1="]
    return any(hmac.compare_digest(expected, sig) for sig in sigs)
```
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping

TIMESTAMP_HEADER = "X-Pishkhan-Timestamp"
SIGNATURE_HEADER = "X-Pishkhan-Signature"
SCHEME = "v1"
TOLERANCE_SECONDS = 300

# Canonical digits only, so the number and the signed text cannot disagree (no "+5", no "007").
_TIMESTAMP = re.compile(r"0|[1-9][0-9]{0,14}")
_ENTRY = re.compile(r"([a-z][a-z0-9]*)=([0-9A-Za-z]+)")
_V1_VALUE = re.compile(r"[0-9a-f]{64}")


def _digest(secret: bytes, body: bytes, timestamp: int) -> str:
    if not secret:
        raise ValueError("an empty secret signs nothing")
    return hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign_rotating(secrets: Iterable[bytes], body: bytes, timestamp: int) -> dict[str, str]:
    """Headers signed with each secret in turn: the current one and the one being retired."""
    if timestamp < 0:
        raise ValueError("timestamp must be unix seconds")
    values = [f"{SCHEME}={_digest(secret, body, timestamp)}" for secret in secrets]
    if not values:
        raise ValueError("at least one secret is needed")
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: ",".join(values)}


def sign(secret: bytes, body: bytes, timestamp: int) -> dict[str, str]:
    return sign_rotating([secret], body, timestamp)


def _header(headers: Mapping[str, str], name: str) -> str | None:
    wanted = name.lower()
    found = [value for key, value in headers.items() if key.lower() == wanted]
    return found[0] if len(found) == 1 else None


def _v1_signatures(header: str) -> list[str] | None:
    """The `v1` values, or None when any entry is malformed; entries of other schemes are skipped."""
    signatures = []
    for entry in header.split(","):
        match = _ENTRY.fullmatch(entry.strip())
        if match is None:
            return None
        scheme, value = match.groups()
        if scheme == SCHEME:
            if _V1_VALUE.fullmatch(value) is None:
                return None
            signatures.append(value)
    return signatures


def verify(
    secret: bytes,
    body: bytes,
    headers: Mapping[str, str],
    now: int,
    tolerance_seconds: int = TOLERANCE_SECONDS,
) -> bool:
    raw_timestamp = _header(headers, TIMESTAMP_HEADER)
    raw_signature = _header(headers, SIGNATURE_HEADER)
    if raw_timestamp is None or raw_signature is None or not secret:
        return False
    if _TIMESTAMP.fullmatch(raw_timestamp) is None:
        return False
    timestamp = int(raw_timestamp)
    if abs(now - timestamp) > tolerance_seconds:
        return False
    signatures = _v1_signatures(raw_signature)
    if not signatures:
        return False
    expected = _digest(secret, body, timestamp)
    matches = [hmac.compare_digest(expected, signature) for signature in signatures]
    return any(matches)

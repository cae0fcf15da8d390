import hashlib
import hmac
import re
import time
from collections.abc import Callable

import pytest

from notify.domain import signing
from notify.domain.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign, sign_rotating, verify

pytestmark = pytest.mark.unit
SECRET = b"office-ARD-E-017-secret"
OLD_SECRET = b"office-ARD-E-017-old-secret"
BODY = '{"tracking_code":"140312345678","note_fa":"ارجاع شد"}'.encode()
NOW = 1_795_000_000


def test_headers_carry_the_timestamp_and_a_v1_hmac() -> None:
    headers = sign(SECRET, BODY, NOW)
    expected = hmac.new(SECRET, f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert headers == {TIMESTAMP_HEADER: str(NOW), SIGNATURE_HEADER: f"v1={expected}"}


def test_round_trip() -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, NOW), now=NOW)


def test_header_names_are_case_insensitive() -> None:
    headers = {key.lower(): value for key, value in sign(SECRET, BODY, NOW).items()}
    assert verify(SECRET, BODY, headers, now=NOW)


def test_tampered_body_fails() -> None:
    assert not verify(SECRET, BODY + b" ", sign(SECRET, BODY, NOW), now=NOW)


def test_wrong_secret_fails() -> None:
    assert not verify(b"someone-else", BODY, sign(SECRET, BODY, NOW), now=NOW)


def test_timestamp_is_part_of_what_is_signed() -> None:
    headers = sign(SECRET, BODY, NOW) | {TIMESTAMP_HEADER: str(NOW + 1)}
    assert not verify(SECRET, BODY, headers, now=NOW)


@pytest.mark.parametrize(("signed_at", "ok"), [(NOW - 300, True), (NOW - 301, False), (NOW + 300, True)])
def test_timestamps_within_the_tolerance_only(signed_at: int, ok: bool) -> None:
    assert verify(SECRET, BODY, sign(SECRET, BODY, signed_at), now=NOW) is ok


def test_future_timestamp_beyond_tolerance_fails() -> None:
    assert not verify(SECRET, BODY, sign(SECRET, BODY, NOW + 301), now=NOW)


def test_custom_tolerance() -> None:
    headers = sign(SECRET, BODY, NOW - 60)
    assert not verify(SECRET, BODY, headers, now=NOW, tolerance_seconds=30)


def test_rotation_signs_with_both_secrets_and_either_verifies() -> None:
    headers = sign_rotating([SECRET, OLD_SECRET], BODY, NOW)
    assert headers[SIGNATURE_HEADER].count("v1=") == 2
    assert verify(SECRET, BODY, headers, now=NOW)
    assert verify(OLD_SECRET, BODY, headers, now=NOW)
    assert not verify(b"neither", BODY, headers, now=NOW)


def test_unknown_schemes_are_skipped_when_a_v1_matches() -> None:
    headers = sign(SECRET, BODY, NOW)
    headers[SIGNATURE_HEADER] = "v2=abc123, " + headers[SIGNATURE_HEADER]
    assert verify(SECRET, BODY, headers, now=NOW)


def _with(name: str, value: str | None) -> dict[str, str]:
    headers = sign(SECRET, BODY, NOW)
    if value is None:
        del headers[name]
    else:
        headers[name] = value
    return headers


@pytest.mark.parametrize(
    "headers",
    [
        _with(TIMESTAMP_HEADER, None),
        _with(SIGNATURE_HEADER, None),
        _with(TIMESTAMP_HEADER, ""),
        _with(TIMESTAMP_HEADER, "-1"),
        _with(TIMESTAMP_HEADER, f"0{NOW}"),
        _with(TIMESTAMP_HEADER, f"{NOW}.0"),
        _with(TIMESTAMP_HEADER, "۱۷۹۵۰۰۰۰۰۰"),
        _with(SIGNATURE_HEADER, ""),
        _with(SIGNATURE_HEADER, "v1="),
        _with(SIGNATURE_HEADER, "v1=xyz"),
        _with(SIGNATURE_HEADER, "v2=" + "a" * 64),
        _with(SIGNATURE_HEADER, sign(SECRET, BODY, NOW)[SIGNATURE_HEADER].upper()),
        _with(SIGNATURE_HEADER, sign(SECRET, BODY, NOW)[SIGNATURE_HEADER] + ",garbage"),
        _with(SIGNATURE_HEADER, sign(SECRET, BODY, NOW)[SIGNATURE_HEADER] + ","),
    ],
)
def test_malformed_headers_fail(headers: dict[str, str]) -> None:
    assert not verify(SECRET, BODY, headers, now=NOW)


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="empty secret"):
        sign(b"", BODY, NOW)
    assert not verify(b"", BODY, sign(SECRET, BODY, NOW), now=NOW)


def _office_recipe() -> Callable[[bytes, bytes, dict[str, str]], bool]:
    docstring = signing.__doc__ or ""
    code = re.search(r"```python\n(.*?)```", docstring, re.DOTALL)
    assert code is not None
    lines = code.group(1).strip().splitlines()
    assert 6 <= len([line for line in lines if line.strip()]) <= 8
    namespace: dict[str, object] = {}
    exec(code.group(1), namespace)
    recipe = namespace["verify"]
    assert callable(recipe)
    return recipe


def test_the_recipe_for_offices_accepts_what_we_sign() -> None:
    office_verify = _office_recipe()
    now = int(time.time())
    assert office_verify(SECRET, BODY, sign(SECRET, BODY, now))
    assert office_verify(OLD_SECRET, BODY, sign_rotating([SECRET, OLD_SECRET], BODY, now))
    assert not office_verify(SECRET, BODY + b"x", sign(SECRET, BODY, now))
    assert not office_verify(SECRET, BODY, sign(SECRET, BODY, now - 600))

"""Runs last: no service wrote a national ID, a mobile number or an e-mail address to its log
during the whole cross-service suite, which files every request with a national ID and a mobile."""

from __future__ import annotations

import re

import pytest
from support import System

from pishkhan_local.cluster import SERVICES

pytestmark = pytest.mark.e2e

DIGITS = "[0-9۰-۹٠-٩]"
# A digit run inside a longer token (a UUID, a hex id) is an identifier, not personal data.
NOT_IN_TOKEN_BEFORE, NOT_IN_TOKEN_AFTER = "(?<![0-9۰-۹٠-٩A-Za-z])", "(?![0-9۰-۹٠-٩A-Za-z])"
PERSONAL = {
    "national ID": re.compile(rf"{NOT_IN_TOKEN_BEFORE}{DIGITS}{{10}}{NOT_IN_TOKEN_AFTER}"),
    "mobile": re.compile(rf"(?:\+98|0098|{NOT_IN_TOKEN_BEFORE}0)9{DIGITS}{{9}}{NOT_IN_TOKEN_AFTER}"),
    "e-mail": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
}


def test_no_personal_data_in_any_service_log(system: System) -> None:
    found = []
    for service in SERVICES:
        log = system.cluster.services[service].log_file
        for number, line in enumerate(log.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for kind, pattern in PERSONAL.items():
                if match := pattern.search(line):
                    found.append(f"{log.name}:{number}: {kind} {match.group()!r}")
    assert found == [], "\n".join(found[:20])

"""The supply-chain check: known vulnerabilities fail unless allowed with a reason."""

import pytest

from pishkhan_local.audit import ALLOW_LIST, judge, read_allow_list

pytestmark = pytest.mark.unit

REPORT = {
    "dependencies": [
        {
            "name": "jinja2",
            "version": "2.10",
            "vulns": [{"id": "PYSEC-2019-217", "aliases": ["CVE-2019-10906"], "fix_versions": ["2.10.1"]}],
        },
        {"name": "fastapi", "version": "0.1", "vulns": []},
        {
            "name": "rich",
            "skip_reason": "Dependency not found on PyPI and could not be audited: rich (15.0.0)",
        },
    ]
}


def test_a_known_vulnerability_fails_the_check() -> None:
    verdict = judge(REPORT, {})
    assert verdict.failed
    assert verdict.vulnerable == ["jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)"]
    assert verdict.audited == 2
    assert verdict.unaudited == ["rich"]


def test_an_allowed_vulnerability_passes_by_id_or_alias() -> None:
    for allowed in ({"PYSEC-2019-217": "not reachable"}, {"CVE-2019-10906": "not reachable"}):
        verdict = judge(REPORT, allowed)
        assert not verdict.failed
        assert verdict.allowed == ["jinja2 2.10: PYSEC-2019-217 (fixed in 2.10.1)"]


def test_the_allow_list_needs_a_reason_for_every_entry() -> None:
    assert read_allow_list("# comment\nGHSA-xxxx  templates are admin-only  # until 2027-01\n") == {
        "GHSA-xxxx": "templates are admin-only"
    }
    with pytest.raises(ValueError, match="needs a reason"):
        read_allow_list("GHSA-xxxx\n")


def test_the_committed_allow_list_is_well_formed() -> None:
    read_allow_list(ALLOW_LIST.read_text(encoding="utf-8"))

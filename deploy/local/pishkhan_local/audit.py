"""Checks every pinned dependency against the public vulnerability data (pip-audit).

Known vulnerabilities fail the check unless the allow-list names them with a reason.
When the vulnerability service can't be reached, nothing can be judged: the check says
how many dependencies went unaudited, and fails only with `AUDIT_STRICT=1`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
CONSTRAINTS = ROOT / "constraints.txt"
ALLOW_LIST = ROOT / "deploy" / "security" / "audit-allow.txt"


@dataclass
class Verdict:
    audited: int = 0
    unaudited: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return bool(self.vulnerable)


def read_allow_list(text: str) -> dict[str, str]:
    """`VULN-ID  reason` per line; `#` starts a comment. A bare ID without a reason is refused."""
    allowed: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        vuln_id, _, reason = line.partition(" ")
        if not reason.strip():
            raise ValueError(f"{ALLOW_LIST.name}:{number}: {vuln_id} needs a reason")
        allowed[vuln_id] = reason.strip()
    return allowed


def judge(report: dict[str, Any], allowed: dict[str, str]) -> Verdict:
    verdict = Verdict()
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            verdict.unaudited.append(dep["name"])
            continue
        verdict.audited += 1
        for vuln in dep.get("vulns", []):
            ids = {vuln["id"], *vuln.get("aliases", [])}
            label = f"{dep['name']} {dep['version']}: {vuln['id']} (fixed in {', '.join(vuln.get('fix_versions', [])) or 'no release'})"
            (verdict.allowed if ids & allowed.keys() else verdict.vulnerable).append(label)
    return verdict


def run_pip_audit() -> dict[str, Any]:
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "pip_audit"),
            *("-r", str(CONSTRAINTS), "--no-deps", "--disable-pip"),
            *("--progress-spinner", "off", "--format", "json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError:
        print(completed.stderr.strip()[-2000:], file=sys.stderr)
        return {"dependencies": []}
    return report


def main() -> int:
    allowed = read_allow_list(ALLOW_LIST.read_text(encoding="utf-8"))
    verdict = judge(run_pip_audit(), allowed)
    for line in verdict.allowed:
        print(f"allowed   {line}")
    for line in verdict.vulnerable:
        print(f"VULNERABLE {line}")
    total = verdict.audited + len(verdict.unaudited)
    print(
        f"audit: {verdict.audited} of {total} pinned dependencies audited, {len(verdict.vulnerable)} vulnerable"
    )
    if verdict.unaudited:
        print(
            f"audit: {len(verdict.unaudited)} could not be audited (vulnerability data unreachable "
            f"from this network): {', '.join(verdict.unaudited[:8])}{' …' if len(verdict.unaudited) > 8 else ''}"
        )
        if os.environ.get("AUDIT_STRICT") == "1":
            return 1
    return 1 if verdict.failed else 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Where a process spends its time, from py-spy's collapsed stacks (`--format raw`)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

FRAME = re.compile(r"^(?P<function>.*?) \((?P<file>[^():]+)(?::\d+)?\)$")
PACKAGE_ROOTS = ("site-packages/", "services/", "lib/python3.11/", "deploy/")
# py-spy samples every thread: these leaves are a thread waiting (the event loop in epoll, motor's
# worker threads for work or for the store's answer), not running Python
WAITING = frozenset({"select", "wait", "_worker", "recv_into", "_run", "sleep", "acquire"})
OWN_PACKAGES = frozenset({"intake", "routing", "notify", "consultation", "servicekit", "contracts"})


def parse(lines: Iterable[str]) -> list[tuple[list[str], int]]:
    """Each line is `frame;frame;...;frame count`, outermost frame first."""
    stacks = []
    for line in lines:
        line = line.strip()
        if not line or " " not in line:
            continue
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            stacks.append((stack.split(";"), int(count)))
    return stacks


def package_of(frame: str) -> str:
    """`servicekit`, `pymongo`, `asyncio`... the top-level package of a frame's file."""
    match = FRAME.match(frame)
    path = match.group("file") if match else frame
    for root in PACKAGE_ROOTS:
        if root in path:
            rest = path.split(root, 1)[1]
            parts = [part for part in rest.split("/") if part]
            if root == "services/" and len(parts) > 1:
                return parts[1]
            return parts[0].removesuffix(".py") if parts else path
    # py-spy names files from their import root: `routing/escalation.py`, `asyncio/events.py`
    return path.split("/", 1)[0].removesuffix(".py")


def short(frame: str) -> str:
    match = FRAME.match(frame)
    if not match:
        return frame
    return f"{match.group('function')} ({package_of(frame)}/{match.group('file').rsplit('/', 1)[-1]})"


def function_of(frame: str) -> str:
    match = FRAME.match(frame)
    name = match.group("function") if match else frame
    return name.rsplit(".", 1)[-1]


def waiting(frames: list[str]) -> bool:
    return function_of(frames[-1]) in WAITING


def own_frame(frames: list[str]) -> str | None:
    """The innermost frame of the project's own code: what caused this sample."""
    for frame in reversed(frames):
        if package_of(frame) in OWN_PACKAGES:
            return short(frame)
    return None


def summary(stacks: list[tuple[list[str], int]], top: int = 12) -> dict[str, object]:
    """Shares (0..1) of the samples that were running, not waiting: self time by package and by
    function, inclusive time by function, and by the innermost frame of the project's own code."""
    total = sum(count for _, count in stacks) or 1
    running = [(frames, count) for frames, count in stacks if not waiting(frames)]
    active = sum(count for _, count in running) or 1
    by_package: Counter[str] = Counter()
    by_self: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    by_own: Counter[str] = Counter()
    for frames, count in running:
        by_package[package_of(frames[-1])] += count
        by_self[short(frames[-1])] += count
        by_own[own_frame(frames) or "(outside the project's code)"] += count
        for frame in {short(frame) for frame in frames}:
            inclusive[frame] += count

    def shares(counter: Counter[str]) -> list[tuple[str, float]]:
        return [(name, round(count / active, 3)) for name, count in counter.most_common(top)]

    return {
        "samples": total,
        "running_share": round(active / total, 3),
        "self_by_package": shares(by_package),
        "self_by_function": shares(by_self),
        "inclusive_by_function": shares(inclusive),
        "by_own_code": shares(by_own),
    }


def summarize_file(path: Path, top: int = 12) -> dict[str, object]:
    return summary(parse(path.read_text(errors="replace").splitlines()), top)

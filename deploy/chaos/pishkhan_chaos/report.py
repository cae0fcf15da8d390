"""The table a campaign prints: one row per run, then what went wrong in the runs that failed."""

from __future__ import annotations

from collections.abc import Sequence

from pishkhan_chaos.campaign import Result

COLUMNS = (
    "seed",
    "accepted",
    "in doubt",
    "comments",
    "lost",
    "duplicated",
    "poison dl/pub",
    "stalled",
    "jobs failed/recovered",
    "faults",
    "recover s",
    "result",
)


def row(result: Result) -> tuple[str, ...]:
    v = result.verdict
    recover = f"{result.recover_seconds:.1f}" if result.recover_seconds is not None else "never"
    return (
        str(result.seed),
        str(v.accepted),
        f"{v.in_doubt} ({v.in_doubt_stored} stored)",
        str(v.comments_accepted),
        str(len(v.lost)),
        str(len(v.duplicated)),
        f"{v.dead_lettered}/{v.poison_expected}",
        "yes" if v.stalled else "no",
        f"{v.jobs_failed}/{v.jobs_recovered}",
        str(len(result.faults)),
        recover,
        "ok" if result.passed else "FAILED",
    )


def table(results: Sequence[Result]) -> str:
    rows = [COLUMNS, *(row(result) for result in results)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.rjust(width) for cell, width in zip(r, widths, strict=True)) for r in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def details(results: Sequence[Result]) -> str:
    lines = []
    for result in results:
        lines.append(f"seed {result.seed}: faults {result.fault_counts()}")
        lines += [f"  {exit_}, started again" for exit_ in result.exits]
        if result.passed:
            continue
        if result.error:
            lines.append(f"  the run broke: {result.error}")
        lines += [f"  {problem}" for problem in result.verdict.problems()[:40]]
        lines.append(f"  logs and data kept in {result.work_dir}")
    return "\n".join(lines)

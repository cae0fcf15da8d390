"""`python -m pishkhan_bench [--quick]`: measure the whole system; see deploy/bench/README.md."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from pishkhan_bench import report
from pishkhan_bench.run import Bench, Plan
from pishkhan_local.cluster import ROOT


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pishkhan_bench", description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="small counts, under two minutes: does it still work?"
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="sustained rate for 3. (default: 80%% of capacity seen in 2., at most 500/s)",
    )
    parser.add_argument("--store", choices=["memory", "h2"], default="memory", help="the stores' backend")
    parser.add_argument("--py-spy", default=None, help="path of py-spy: profile each service during 3.")
    parser.add_argument("--out-dir", type=Path, default=ROOT / "bench" / "results")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(sys.argv[1:] if argv is None else argv)
    py_spy = shutil.which(args.py_spy) if args.py_spy else None
    if args.py_spy and not py_spy:
        print(f"py-spy not found at {args.py_spy}", file=sys.stderr)
        return 2
    began = time.monotonic()
    bench = Bench(Plan.make(args.quick, args.rate), args.store, py_spy)
    print(f"bench: starting the system (work directory {bench.work})", flush=True)
    try:
        bench.start()
        results = bench.run()
    finally:
        bench.stop()
    results["wall_s"] = round(time.monotonic() - began, 1)
    path = report.result_path(args.out_dir, args.quick, date.today())
    report.write_json(results, path)
    print(report.render(results), flush=True)
    print(f"{results['wall_s']:.0f} s; figures written to {path}")
    broken = results["burst"]["lost"] or results["burst"]["duplicates"] or results["burst"]["duplicate_steps"]
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())

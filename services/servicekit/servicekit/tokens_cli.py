"""Mint a staff token for local use: `pishkhan-mint-token --sub ali --roles admin`.

The secret comes from `--secret` or `PISHKHAN_JWT_SECRET`; production tokens come
from the municipality's identity provider instead.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta

from servicekit.auth import Role, mint_staff_token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sub", required=True, help="the staff member's id")
    parser.add_argument("--roles", default="clerk", help="comma-separated: " + ", ".join(Role))
    parser.add_argument("--units", default="", help="comma-separated unit ids")
    parser.add_argument("--hours", type=float, default=12.0)
    parser.add_argument("--secret", default=os.environ.get("PISHKHAN_JWT_SECRET"))
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("give --secret or set PISHKHAN_JWT_SECRET")
    try:
        roles = [Role(name.strip()) for name in args.roles.split(",") if name.strip()]
    except ValueError as error:
        parser.error(str(error))
    units = [unit.strip() for unit in args.units.split(",") if unit.strip()]
    print(mint_staff_token(args.secret, args.sub, roles, units, ttl=timedelta(hours=args.hours)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""``theorykit cache clear|info``: the on-disk result cache of ``verify`` and ``sweep``."""
from __future__ import annotations

import argparse
from pathlib import Path

__all__ = ["register", "run_cache"]

_EPILOG = """\
The cache holds verified claims and sweep measurements keyed by claim, check,
parameters, seed, backend and a hash of the code computing them, so a code change
never serves a stale result. `verify --no-cache` / `sweep --no-cache` bypass it.

examples:
  theorykit cache info
  theorykit cache clear
  theorykit cache clear --cache-dir /scratch/theorykit-cache
"""


def register(subparsers) -> None:
    p = subparsers.add_parser("cache", help="show or clear the result cache", epilog=_EPILOG,
                              formatter_class=argparse.RawDescriptionHelpFormatter,
                              description="Manage the on-disk result cache.")
    p.add_argument("action", choices=("clear", "info"), help="clear: remove every entry; info: where and how many")
    p.add_argument("--cache-dir", type=Path, default=None, metavar="DIR",
                   help="cache directory (default $THEORYKIT_CACHE_DIR or ~/.cache/theorykit/results)")
    p.set_defaults(func=run_cache)


def run_cache(args) -> int:
    from ..claims.cache import ResultCache

    with ResultCache(args.cache_dir) as cache:
        if args.action == "clear":
            n = cache.clear()
            print(f"removed {n} entr{'y' if n == 1 else 'ies'} from {cache.directory}")
        else:
            print(f"{cache.directory}: {len(cache)} entr{'y' if len(cache) == 1 else 'ies'}")
    return 0

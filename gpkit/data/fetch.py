"""``make data``: ``python -m gpkit.data.fetch [--root data] [name ...]`` fetches or converts every dataset and
text corpus this machine can reach (:mod:`gpkit.data.sources`) and prints one status line each.

The layout is :mod:`gpkit.data.layout`'s; reading is :mod:`gpkit.data.images` and :mod:`gpkit.data.text`.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gpkit.data.layout import DATASETS
from gpkit.data.sources import corpus_status, fetch
from gpkit.data.text import CORPORA

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """``python -m gpkit.data.fetch [--root data] [name ...]``: fetch and print a status table.

    Exit status 1 if a dataset is corrupt; missing datasets (those needing a manual download) are
    reported but not an error.
    """
    parser = argparse.ArgumentParser(prog="python -m gpkit.data.fetch", description=__doc__.split("\n\n")[0])
    parser.add_argument("datasets", nargs="*", metavar="name",
                        help=f"datasets to fetch (default: all of {', '.join(DATASETS + CORPORA)})")
    parser.add_argument("--root", default="data", help="data folder (default: data)")
    args = parser.parse_args(argv)
    names = args.datasets or list(DATASETS + CORPORA)
    for name in names:
        if name not in DATASETS + CORPORA:
            parser.error(f"unknown dataset {name!r}; choose from {', '.join(DATASETS + CORPORA)}")
    width = max(len(n) for n in names)
    print(f"[gpkit] datasets under {Path(args.root).resolve()}", flush=True)
    print(f"{'dataset':<{width}}  {'seconds':>7}  status", flush=True)
    corrupt = False
    for name in names:
        t0 = time.perf_counter()
        status = corpus_status(name, args.root) if name in CORPORA else fetch(args.root, [name])[name]
        corrupt |= status.startswith("corrupt")
        head, _, detail = status.partition(": ") if status.startswith(("missing", "corrupt")) else (status, "", "")
        print(f"{name:<{width}}  {time.perf_counter() - t0:7.1f}  {head}", flush=True)
        if detail:
            print(f"{'':<{width}}  {'':>7}  -> {detail}", flush=True)
    return 1 if corrupt else 0


if __name__ == "__main__":
    raise SystemExit(main())

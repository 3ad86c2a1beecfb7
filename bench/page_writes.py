"""Benchmark of replacing pages of a built site: a swap with a spare file against a
temporary file per page (``dateline.site.output``).

An incremental build replaces pages that exist: each one through a new temporary file
renamed over the page costs the filesystem a new inode, and the old page's inode and
blocks freed. Swapping the page with a spare file that already holds blocks costs
neither. This script makes a folder of pages the size of a site's, then replaces them
in rounds, the two ways in turn, each round on pages not touched before, and prints
the time per page (wall and system CPU).

Example: .venv/bin/python bench/page_writes.py --pages 30000 --rounds 3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dateline.site import output
from dateline.site.output import SiteWriter
from dateline.site.state import BuildState


def make_pages(root: Path, count: int, rng: random.Random) -> list[str]:
    """``count`` pages of 2-24 KB in day folders, written the way a first build writes."""
    paths = []
    for i in range(count):
        day = i // 40
        paths.append(f"/news/{2000 + day // 365}/{day % 12 + 1:02d}/{day % 28 + 1}/e{i}.html")
    writer = SiteWriter(root, None, {})  # a fresh folder: in place, as a first build
    for path in paths:
        writer.put(path, os.urandom(rng.randrange(1000, 12000)).hex().encode())
    return paths


def replace_pages(
    root: Path, paths: Sequence[str], rng: random.Random, swap: bool
) -> tuple[float, float]:
    """Replace ``paths`` with new text of about the same size; seconds of wall and system
    CPU per page."""
    state = BuildState(root)
    writer = SiteWriter(root, state)
    if not swap:
        writer._stop_swapping()  # what a filesystem without swaps or leases gets
    texts = [os.urandom(rng.randrange(1000, 12000)).hex().encode() for _ in paths]
    os.sync()
    before, started = os.times(), time.perf_counter()
    for path, text in zip(paths, texts, strict=True):
        writer.put(path, text)
    writer.close_spare()
    wall, after = time.perf_counter() - started, os.times()
    writer.records.clear()  # the digests are not the point here
    state.close(commit=False)
    return wall / len(paths), (after.system - before.system) / len(paths)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=30_000, help="pages made (30,000)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each way (3)")
    parser.add_argument("--work", type=Path, help="folder for the pages (default: temporary)")
    args = parser.parse_args(argv)
    if output.renameat2 is None:
        print("no renameat2 here (not Linux): nothing to compare")
        return 1
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(dir=args.work) as folder:
        root = Path(folder)
        paths = make_pages(root, args.pages, rng)
        rng.shuffle(paths)
        share = len(paths) // (2 * args.rounds)
        results: dict[str, list[tuple[float, float]]] = {"temporary file": [], "swap": []}
        for k in range(args.rounds):
            for j, (name, swap) in enumerate((("temporary file", False), ("swap", True))):
                start = (2 * k + j) * share
                results[name].append(replace_pages(root, paths[start : start + share], rng, swap))
                wall, system = results[name][-1]
                print(
                    f"round {k + 1}, {name}: {wall * 1e6:,.0f} us/page "
                    f"({system * 1e6:,.0f} us system)"
                )
        print(f"\n{share:,} pages a round, {args.pages:,} made")
        for name, runs in results.items():
            walls = [w * 1e6 for w, _ in runs]
            print(
                f"{name}: median {statistics.median(walls):,.0f} us/page, "
                f"range {min(walls):,.0f}-{max(walls):,.0f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())

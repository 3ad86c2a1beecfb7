"""One ``dateline build`` for bench/build.py, in a process of its own.

Kept apart from bench/build.py, which imports the archive generator, numpy and Hugo's
helpers: a child started from it paid for those imports too (about 0.3 s), so its wall
time was no longer what ``dateline build`` costs a user. This one imports the command's
module and builds as the command does (``build_with_progress``: its progress bar only
once there is work left to show), and writes the build's report, CPU times and load
average as JSON. (Until 2026-12-04 it imported rich.progress and showed its own bar
from the start: 0.1-0.15 s more than the command for a build of one edit.)

Usage (bench/build.py runs it): ``python bench/build_child.py DB OUT RESULT.json
[--full] [--jobs N]``
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import resource
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
if str(BENCH.parent) not in sys.path:
    sys.path.insert(0, str(BENCH.parent))  # the repository, for a run without install

from dateline.cli.main import build_with_progress  # noqa: E402
from dateline.store import open_store  # noqa: E402

BASE_URL = "http://127.0.0.1:8000"
"""The command's default --base-url."""


def cpu_seconds() -> dict[str, float]:
    """CPU time of this process and the workers it has reaped (user, system).

    On a shared machine wall time depends on what else runs; CPU time much less, so the
    report gives both (with the load average before and after the build).
    """
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_user_s": own.ru_utime + workers.ru_utime,
        "cpu_sys_s": own.ru_stime + workers.ru_stime,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db")
    parser.add_argument("out", type=Path)
    parser.add_argument("result", type=Path)
    parser.add_argument("--full", action="store_true", help="build_site(full=True)")
    parser.add_argument("--jobs", type=int, help="processes of a full build")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    store = open_store(args.db)
    opened = time.perf_counter() - started
    try:
        report = build_with_progress(
            store, args.out, base_url=BASE_URL, full=args.full, jobs=args.jobs
        )
    finally:
        store.close()
    figures = dataclasses.asdict(report)
    figures.pop("seconds")
    figures.update(
        build_site_s=report.seconds,
        open_store_s=opened,
        peak_rss_self=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        jobs=args.jobs or os.cpu_count() or 1,
        **cpu_seconds(),
        load_before=load_before,
        load_after=os.getloadavg()[0],
    )
    args.result.write_text(json.dumps(figures, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        gc.freeze()  # as the dateline command does on its way out (dateline/cli/main.py)
    sys.exit(code)

"""Waiting for a quiet machine before a measured run (bench/serve.py, bench/build.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

QUIET_SHARE = 0.9
"""Idle share of the CPUs awaited before a measured run (:func:`wait_quiet`)."""


def wait_quiet(share: float = QUIET_SHARE, longest: float = 120.0) -> float:
    """Wait until the CPUs were ``share`` idle over 2 s (or ``longest`` seconds passed),
    and return the idle share last seen.

    A precaution: a server may keep working after it answers (the search index it
    just built merges its segments in the background), and the kernel writes a build's
    gigabytes to disk after the build: a run started then would measure that too. Runs
    still vary on a shared machine (docs/benchmarks.md).
    """

    def times() -> tuple[int, int]:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)  # idle + iowait, all

    deadline = time.monotonic() + longest
    while True:
        idle0, all0 = times()
        time.sleep(2)
        idle1, all1 = times()
        idle = (idle1 - idle0) / max(1, all1 - all0)
        if idle >= share or time.monotonic() > deadline:
            return idle


def cpu_counters() -> tuple[int, int]:
    """The CPUs' time stolen by the hypervisor and their whole time, in ticks since boot
    (``/proc/stat``): see :func:`steal_share`."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:9]]
    return fields[7], sum(fields)


def steal_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    """The share of the CPUs' time between two :func:`cpu_counters` that the hypervisor
    gave to other machines. This machine is a virtual one on a shared host: measured
    here, a run that leaves the CPUs partly idle between requests (one connection, a
    single-process server) lost 7-25% of their time so, one that keeps both busy 0-2%,
    and an idle machine 1-3%. It comes in slices of milliseconds, and a request that
    loses one takes that much longer: a run's p99 latency follows it."""
    stolen = after[0] - before[0]
    return stolen / max(1, after[1] - before[1])


def settle() -> float:
    """Write what the page cache holds to disk (``sync``), then :func:`wait_quiet`.

    After a full site build (3 GiB in 669,000 files) the kernel flushes for a while,
    on the same two CPUs: builds timed meanwhile paid for it (a build with nothing to
    do took 0.6 to 1.1 s). Returns the idle share seen.
    """
    os.sync()
    return wait_quiet()

"""Waiting for a quiet machine before a measured run (bench/serve.py, bench/build.py)."""

from __future__ import annotations

import os
import shutil
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


def file_creation_us(folder: Path, count: int = 2000) -> float:
    """Microseconds to create, write (4 KiB) and close one file, over ``count`` new
    files in a new folder under ``folder``: how fast the disk takes files right now.

    A full site build creates 669,000 files, and their system time swings with the
    disk's state: 24 s of system CPU on a settled disk, 155 s minutes after 12 GB of
    other files were deleted (see :data:`INODE_REUSE_WAIT`). 20-26 us a file is the
    settled figure on the benchmark machine; measured before each full build, it tells
    a slow disk from slow code.

    The files are set aside (:func:`set_aside`), deleted with the runs' output after
    the measurements, not here: a probe's own deletions slow the files created after
    them, the next probe's (probes 2 s apart, each deleting its files: 26, 237, 445,
    647, 724 us a file) and a build's first files alike.
    """
    probe = folder / f".file-probe-{os.getpid()}-{time.time_ns()}"
    probe.mkdir(parents=True)
    data = b"x" * 4096
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    try:
        start = time.perf_counter()
        for n in range(count):
            handle = os.open(probe / f"page-{n}.html", flags, 0o644)
            os.write(handle, data)
            os.close(handle)
        return (time.perf_counter() - start) / count * 1e6
    finally:
        set_aside(probe)


INODE_REUSE_WAIT = 370.0
"""Seconds for which ext4 without a journal may not reuse a deleted file's inode:
``RECENTCY_MIN`` (60 s), plus ``RECENTCY_DIRTY`` (300 s) while the inode's block is
not on disk (fs/ext4/ialloc.c), and files created beside it make the block dirty
again; 10 s to spare. It was 300 s: one run (s18d) probed 282 us a file 287 s after
its deletions, against 20-26 us settled."""
_STAMP = ".deleted-at"
_set_aside: list[Path] = []


def set_aside(folder: Path) -> None:
    """Move a previous run's output ``folder`` out of the way, to be deleted when the
    measurements are done (:func:`delete_set_aside`), not before them.

    Why not delete it here: this machine's root file system is ext4 without a
    journal. There, a new file does not reuse the inode of a file deleted in the last
    60-360 s: to create one, the kernel walks the group's free inodes and skips each
    recently deleted one (``recently_deleted()`` in fs/ext4/ialloc.c). After deleting
    a 669,000-file site, creating a file cost 150-470 us of system CPU instead of 10-30
    us (``perf`` put 65% of the time in that walk), and the same full build took 229 s
    (131 s system CPU) right after deleting the previous site against 155-163 s (21-22 s
    system) on a file system left alone: the benchmark measured its own clean-up, and
    Hugo, whose output is replaced the same way, paid for it too.
    """
    if folder.exists():
        aside = folder.with_name(f"{folder.name}.set-aside-{time.time_ns()}")
        folder.rename(aside)
        _set_aside.append(aside)


def delete_set_aside(work: Path) -> int:
    """Delete what :func:`set_aside` moved (and what an interrupted run left beside it),
    and note the time in ``work`` for :func:`wait_after_deletions`. Returns the count."""
    leftovers = [*work.glob("*.set-aside-*"), *work.glob("*/*.set-aside-*")]  # hugo/public
    found = {p for p in [*_set_aside, *leftovers] if p.is_dir()}
    for folder in sorted(found):
        shutil.rmtree(folder, ignore_errors=True)
    _set_aside.clear()
    if found:
        (work / _STAMP).write_text(f"{time.time()}\n", encoding="utf-8")
    return len(found)


def wait_after_deletions(work: Path) -> float:
    """Wait until :data:`INODE_REUSE_WAIT` has passed since the last
    :func:`delete_set_aside` in ``work`` (on ext4 without a journal; see
    :func:`set_aside`); returns the seconds waited."""
    try:
        deleted = float((work / _STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0.0
    wait = deleted + INODE_REUSE_WAIT - time.time()
    if wait <= 0 or not _ext4_without_journal(work):
        return 0.0
    time.sleep(wait)
    return wait


SETTLED_FILE_US = 60.0
"""A file's creation (:func:`file_creation_us`) on a disk no deletion slows: 20-26 us on
the benchmark machine settled, 150-470 us after a site's deletion; with room to spare."""


def settled_disk(folder: Path, longest: float = INODE_REUSE_WAIT) -> tuple[float, float]:
    """Probe how fast the disk under ``folder`` takes files (:func:`file_creation_us`)
    until it is back to :data:`SETTLED_FILE_US`, for at most ``longest`` seconds; returns
    the last probe and the seconds waited.

    :func:`wait_after_deletions` knows only this benchmark's own deletions. Files deleted
    by anything else (another benchmark, scratch sites, a user) slow a full build just
    as much: one run (s25b) measured its lone full build at 109 s with 131 s of system
    CPU, five minutes after 16 GB of other files were deleted, against 47-50 s for its
    paired builds; it probed 205 us a file first, and went on.
    """
    started = time.monotonic()
    probe = file_creation_us(folder)
    while probe > SETTLED_FILE_US and time.monotonic() - started < longest:
        time.sleep(15)
        probe = file_creation_us(folder)
    return probe, time.monotonic() - started


def _ext4_without_journal(path: Path) -> bool:
    """Whether ``path`` is on an ext4 file system mounted without a journal (Linux)."""
    try:
        number = os.stat(path).st_dev
        uevent = Path(f"/sys/dev/block/{os.major(number)}:{os.minor(number)}/uevent")
        fields = dict(line.split("=", 1) for line in uevent.read_text().splitlines() if "=" in line)
    except OSError:
        return False
    device = fields.get("DEVNAME", "")
    journal = Path("/proc/fs/jbd2").glob(f"{device}-*")
    return bool(device) and Path(f"/proc/fs/ext4/{device}").is_dir() and not any(journal)

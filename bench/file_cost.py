"""What one written file costs the machine: CPU of every process and kernel thread.

A full site build writes 669,173 files (3.2 GB) for the 100,000-event archive of
``bench/build.py``; Hugo's build of the same events writes 209,354 (357 MB). Part of
what a file costs is not charged to the process writing it: the kernel's flusher
threads write the pages back and allocate their blocks later, on the same two CPUs.
This script creates ``--files`` new files of each ``--sizes`` (bytes) in a new folder
under ``--folder``, ``sync``s them, and reports, per file, the CPU time the whole
machine was busy (``/proc/stat``: user, nice, system, irq and softirq of all CPUs),
both for the writes alone and with the write-back, and the wall time.

Run it on a quiet machine (anything else running is counted too), on the disk the
builds write to. The folders are deleted at the end: on ext4 without a journal the next
minutes' file creations are slower for it (see ``bench/quiet.py``), so do not run a
build benchmark right after.

Usage: ``python bench/file_cost.py --folder bench/out/file-cost [--files 30000]
[--sizes 1000,4000,8000,16000]``
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

USER_HZ = os.sysconf("SC_CLK_TCK")


def busy_seconds() -> float:
    """CPU seconds all CPUs have been busy since boot (idle and I/O wait left out)."""
    with open("/proc/stat", encoding="ascii") as stat:
        fields = [int(x) for x in stat.readline().split()[1:8]]
    user, nice, system, _idle, _iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / USER_HZ


def measure(folder: Path, files: int, size: int) -> dict[str, float]:
    """Create ``files`` files of ``size`` bytes in the new ``folder``, then sync."""
    folder.mkdir(parents=True)
    data = b"x" * size
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    os.sync()
    time.sleep(2)  # what the sync started is done
    start_busy, start = busy_seconds(), time.perf_counter()
    for n in range(files):
        handle = os.open(folder / f"page-{n:06d}.html", flags, 0o644)
        os.write(handle, data)
        os.close(handle)
    written_busy = busy_seconds()
    os.sync()
    end_busy, end = busy_seconds(), time.perf_counter()
    return {
        "size": size,
        "write_busy_us": (written_busy - start_busy) / files * 1e6,
        "with_sync_busy_us": (end_busy - start_busy) / files * 1e6,
        "wall_us": (end - start) / files * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--folder", type=Path, required=True, help="where to write (made, then deleted)"
    )
    parser.add_argument("--files", type=int, default=30_000, help="files per size (default 30,000)")
    parser.add_argument(
        "--sizes", default="1000,4000,8000,16000", help="file sizes in bytes, comma-separated"
    )
    args = parser.parse_args()
    if args.folder.exists():
        parser.error(f"{args.folder} exists: give a folder to make")
    try:
        print("| file size | machine busy, writing | with write-back (sync) | wall, with sync |")
        print("|---:|---:|---:|---:|")
        for size in (int(s) for s in args.sizes.split(",")):
            row = measure(args.folder / f"size-{size}", args.files, size)
            print(
                f"| {size:,} B | {row['write_busy_us']:.1f} us | "
                f"{row['with_sync_busy_us']:.1f} us | {row['wall_us']:.1f} us |"
            )
    finally:
        shutil.rmtree(args.folder, ignore_errors=True)


if __name__ == "__main__":
    main()

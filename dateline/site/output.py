"""Writing pages into the output folder: atomically, and only when their text changed.

A page is replaced by writing a temporary file and renaming it over the old one, so a
crash or a reader never sees half a page that the build state says is done. Into a
fresh output folder (a full build with no page recorded) pages are written in place:
no state claims any of them, so after a crash the next build is a full one and
rewrites them all, and the rename (a directory update per file) is saved.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from dateline.site.state import BuildState


def digest(data: bytes) -> bytes:
    """What the build state keeps of a page to tell whether it changed (16 bytes).

    SHA-256, cut to 16 bytes: with the CPU's SHA instructions (which OpenSSL uses) it
    hashes twice as fast as BLAKE2b here, and a site build hashes every byte it makes.
    """
    return hashlib.sha256(data).digest()[:16]


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def _write(path: str, data: bytes) -> None:
    """``data`` into the file at ``path`` (created or truncated), unbuffered.

    ``os.open``/``os.write`` rather than ``open()``: the site is written in one call
    per file, and a buffered file object per file is measurable at this count.
    """
    handle = os.open(path, _CREATE, 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view) :]
    finally:
        os.close(handle)


class SiteWriter:
    """Puts pages under ``out``; a page whose digest matches the recorded one is skipped.

    ``known`` (all recorded digests, for a full build) saves one lookup per page;
    without it each page's digest is looked up in the build state. Without a state
    (in a worker process of a full build) the digests of what was written are kept in
    ``records`` for the parent to record.
    """

    def __init__(
        self, out: Path, state: BuildState | None, known: dict[str, bytes] | None = None
    ) -> None:
        self.out = out
        self.state = state
        self.known = known
        # No page recorded (a first full build): pages are written in place, see above.
        self.fresh = known is not None and not known
        self._root = str(out)
        self.produced: set[str] = set()
        self.added: set[str] = set()  # pages that did not exist before
        self.gone: set[str] = set()  # pages removed
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        self.records: list[tuple[str, bytes]] = []
        self._dirs: set[str] = set()

    def put(self, path: str, content: str | bytes) -> bool:
        """Write the page at URL path ``path``; True if it was (re)written."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        new = digest(data)
        if self.known is not None:
            old = self.known.get(path)
        else:
            assert self.state is not None
            old = self.state.digest(path)
        self.produced.add(path)
        # Plain strings, not pathlib: this runs for every file of the site.
        target = self._root + path if path.startswith("/") else f"{self._root}/{path}"
        if old == new and os.path.exists(target):
            self.unchanged += 1
            return False
        folder, _, name = target.rpartition("/")
        if folder not in self._dirs:
            os.makedirs(folder, exist_ok=True)
            self._dirs.add(folder)
        if self.fresh:
            _write(target, data)
        else:
            temporary = f"{folder}/.{name}.tmp"
            _write(temporary, data)
            os.replace(temporary, target)
        self.written += 1
        if old is None:
            self.added.add(path)
        self.records.append((path, new))
        if len(self.records) >= 5000 and self.state is not None:
            self.flush()
        return True

    def put_all(self, files: Iterable[tuple[str, str | bytes]]) -> None:
        for path, content in files:
            self.put(path, content)

    def absorb(self, other: SiteWriter) -> None:
        """Count and record what another writer (a worker's) wrote."""
        self.written += other.written
        self.unchanged += other.unchanged
        self.produced |= other.produced
        self.added |= other.added
        self.records += other.records
        self.flush()

    def __getstate__(self) -> dict[str, object]:
        # Sent back from a worker process: what it wrote, not the caches.
        state = dict(self.__dict__)
        state.update(state=None, known=None, _dirs=set())
        return state

    def remove(self, paths: Iterable[str]) -> None:
        """Delete pages that no longer exist (and forget them)."""
        gone = []
        for path in paths:
            (self.out / path.lstrip("/")).unlink(missing_ok=True)
            gone.append(path)
            self.gone.add(path)
            self.removed += 1
        self.flush()
        assert self.state is not None
        self.state.forget_pages(gone)

    def flush(self) -> None:
        """Record the digests of the pages written so far in the build state."""
        if self.state is not None:
            self.state.record_pages(self.records)
            self.records = []

"""Writing pages into the output folder: atomically, and only when their text changed.

A page is replaced by writing the new text into another file and renaming that over
the page, so a crash or a reader never sees half a page that the build state says is
done. Into a fresh output folder (a full build with no page recorded) pages are written
in place: no state claims any of them, so after a crash the next build is a full one and
rewrites them all, and the rename (a directory update per file) is saved.

On Linux the other file is a *spare* that is swapped with the page (``renameat2`` with
``RENAME_EXCHANGE``, atomic like a rename): the page's old file becomes the spare, and
its blocks take the next page's text. A new temporary file per page instead makes the
filesystem create an inode and free the old one with its blocks for every page: on
this machine's ext4 (mounted with ``discard``, no journal) 326-497 us a page against
144-243 us swapped (``bench/page_writes.py``, pages of 2-24 KB); the renames were 1.5
of the 6.6 s of an edit that rewrote 8,650 pages. Elsewhere, or where the filesystem
cannot swap, a temporary file per page. Each process has its own spares (one per kind
of file: ``.html`` pages go into old ``.html`` pages' files), in the build state's
folder, deleted when the build is done (or by the next build, after a crash).
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from xxhash import xxh3_128_digest

from dateline.site.state import STATE_DIR, BuildState

try:  # Linux only (the renameat2 package's import fails elsewhere)
    import fcntl

    from renameat2 import Flags, renameat2
except (ImportError, RuntimeError):  # pragma: no cover - not Linux
    renameat2 = None

_AT_FDCWD = -100
"""Linux's "paths relative to the working directory" for ``renameat2``."""
_CANNOT_SWAP = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV, errno.EPERM}
"""What ``renameat2`` says when the filesystem (or the sandbox) has no exchange."""


def _open_spare(spare: str) -> int | None:
    """The spare, open for writing over: its own blocks when no one else has it open.

    The spare is the page it was last swapped with: a reader (a web server sending that
    page) may still have it open, and must go on reading the old page, not the next
    one. Linux grants a write lease only on a file no one else has open: the lease is
    taken and given back at once (held, a reader's open would signal this process).
    When it is refused, the spare is unlinked (the reader keeps its file) and a new one
    made. None: this filesystem grants no leases.
    """
    handle = os.open(spare, _OVERWRITE, 0o666)  # made if there is none (yet)
    try:
        fcntl.fcntl(handle, fcntl.F_SETLEASE, fcntl.F_WRLCK)
        fcntl.fcntl(handle, fcntl.F_SETLEASE, fcntl.F_UNLCK)
    except OSError as error:
        os.close(handle)
        if error.errno != errno.EAGAIN:
            return None
        os.unlink(spare)
        return os.open(spare, _CREATE, 0o666)
    return handle


def remove_spares(out: Path) -> None:
    """Delete spare files a crashed build left in ``out`` (one build at a time runs there)."""
    for spare in (out / STATE_DIR).glob("spare-*"):
        spare.unlink(missing_ok=True)


def _swap(first: str, second: str) -> None:
    """Exchange the files at two paths, atomically (an OSError if it cannot)."""
    if renameat2 is None:  # pragma: no cover - not Linux
        raise OSError(errno.ENOSYS, "renameat2 is Linux-only")
    renameat2(_AT_FDCWD, first, _AT_FDCWD, second, Flags.RENAME_EXCHANGE)


def digest(data: bytes) -> bytes:
    """What the build state keeps of a page to tell whether it changed (16 bytes).

    XXH3-128: a site build hashes every byte it makes (3.2 GB for 100,000 events), and
    nothing here needs a cryptographic hash, only one under which two versions of a
    page never collide by chance. 0.17 us a 4 KB page against 2.7 us for SHA-256 (with
    the CPU's SHA instructions) and 4.6 us for BLAKE2b: 2 s of a full build's CPU.
    """
    return xxh3_128_digest(data)


_CREATE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


_READ = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0)
_OVERWRITE = os.O_WRONLY | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)


def _write(path: str, data: bytes) -> None:
    """``data`` into the file at ``path`` (created or truncated), unbuffered.

    ``os.open``/``os.write`` rather than ``open()``: the site is written in one call
    per file, and a buffered file object per file is measurable at this count.
    """
    _write_to(os.open(path, _CREATE, 0o666), data)


def _write_to(handle: int, data: bytes, *, cut: bool = False) -> None:
    """``data`` into the open file ``handle``, then closed; with ``cut``, what the file
    held beyond ``data`` is cut off (it was written over, not truncated first, so that
    its blocks are reused rather than freed and allocated again)."""
    try:
        written = os.write(handle, data)  # all of it, but for a signal or a full disk
        if written < len(data):
            view = memoryview(data)[written:]
            while view:
                view = view[os.write(handle, view) :]
        if cut:
            os.ftruncate(handle, len(data))
    finally:
        os.close(handle)


class SiteWriter:
    """Puts pages under ``out``; a page whose digest matches the recorded one is skipped.

    ``known`` (all recorded digests, for a full build) saves one lookup per page;
    without it each page's digest is looked up in the build state, or by ``digests``.
    Without a state (in a worker process of a build) the digests of what was written
    are kept in ``records`` for the parent to record.
    """

    def __init__(
        self,
        out: Path,
        state: BuildState | None,
        known: dict[str, bytes] | None = None,
        *,
        digests: Callable[[str], bytes | None] | None = None,
    ) -> None:
        self.out = out
        self.state = state
        self.known = known
        # Where a page's recorded digest is found: ``known``, else ``digests`` (a worker
        # of an incremental build reads them itself), else the state.
        self._digest_of: Callable[[str], bytes | None]
        if known is not None:
            self._digest_of = known.get
        elif digests is not None:
            self._digest_of = digests
        else:
            assert state is not None, "a writer needs the recorded digests"
            self._digest_of = state.digest
        # No page recorded (a first full build): pages are written in place, see above.
        self.fresh = known is not None and not known
        # What only some builds need: the paths produced (a full build over an earlier
        # one: the rest are stale), the paths added (an incremental build's sitemaps).
        # A full build sends its workers' sets to the parent: 669,000 paths twice over
        # for nothing, when it is the first one.
        self._note_produced = not self.fresh
        self._note_added = known is None
        self._root = str(out)
        self.produced: set[str] = set()
        self.added: set[str] = set()  # pages that did not exist before
        self.gone: set[str] = set()  # pages removed
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        self.records: list[tuple[str, bytes]] = []
        self._dirs: set[str] = set()
        self._read: dict[str, bytes] = {}  # digests of pages just read (read), for put
        # Per process: a forked worker's writer is made in the worker.
        # One spare per kind of file (by extension), so that a page's text goes into
        # the old file of a page of its kind, of about its size: cutting a bigger spare
        # down frees blocks and a smaller one takes new ones. With one spare for all
        # four formats, writing a page took 21-51 us (ftruncate 82 us under cProfile
        # on a busy disk), with one per format 14-16 us (a headline on 2,146 lists).
        self._spare: str | None = None  # the spares' common start; None: no swapping
        self._spares: set[str] = set()
        if renameat2 is not None:
            self._spare = f"{self._root}/{STATE_DIR}/spare-{os.getpid()}"

    def read(self, path: str) -> bytes | None:
        """The page at URL path ``path`` as the last build wrote it: None when there is
        none, or when the file's bytes are not those recorded (changed by someone else,
        or a build stopped before recording them)."""
        recorded = self._digest_of(path)
        if recorded is None:
            return None
        target = self._root + path if path.startswith("/") else f"{self._root}/{path}"
        try:
            handle = os.open(target, _READ)
        except OSError:
            return None
        try:
            size = os.fstat(handle).st_size
            chunks = []
            while chunk := os.read(handle, size + 1):
                chunks.append(chunk)
        finally:
            os.close(handle)
        data = b"".join(chunks)
        if digest(data) != recorded:
            return None
        self._read[path] = recorded
        return data

    def put(self, path: str, content: str | bytes) -> bool:
        """Write the page at URL path ``path``; True if it was (re)written."""
        data = content.encode("utf-8") if isinstance(content, str) else content
        new = digest(data)
        old = self._read.pop(path, None) or self._digest_of(path)
        if self._note_produced:
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
            self._replace(target, folder, name, data)
        self.written += 1
        if old is None and self._note_added:
            self.added.add(path)
        self.records.append((path, new))
        if len(self.records) >= 5000 and self.state is not None:
            self.flush()
        return True

    def _replace(self, target: str, folder: str, name: str, data: bytes) -> None:
        """Put ``data`` at ``target`` atomically: by the spare, else a temporary file."""
        if self._spare is not None:
            spare = self._spare + name[name.rfind(".") :] if "." in name else self._spare
            spare_folder = spare.rpartition("/")[0]
            if spare_folder not in self._dirs:
                os.makedirs(spare_folder, exist_ok=True)
                self._dirs.add(spare_folder)
            self._spares.add(spare)
            handle = _open_spare(spare)
            if handle is None:  # no leases here: temporary files from now on
                self._stop_swapping()
            else:
                _write_to(handle, data, cut=True)
                try:
                    _swap(spare, target)
                    return  # the spare is now the page's old file
                except OSError as error:
                    if error.errno == errno.ENOENT:  # a new page: the spare becomes it
                        os.replace(spare, target)
                        return
                    if error.errno not in _CANNOT_SWAP:
                        raise
                    self._stop_swapping()
        temporary = f"{folder}/.{name}.tmp"
        _write_to(os.open(temporary, _CREATE, 0o666), data)
        os.replace(temporary, target)

    def _stop_swapping(self) -> None:
        """This filesystem cannot swap or lease: temporary files from now on."""
        self.close_spare()
        self._spare = None

    def close_spare(self) -> None:
        """Delete the spare files (the build is done with this writer)."""
        for spare in self._spares:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(spare)
        self._spares.clear()

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
        state.update(state=None, known=None, _digest_of=None, _dirs=set(), _read={})
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

"""The list entries a full build made once per event, shared by its worker processes.

Each task of a full build's events writes the entries it made
(:func:`dateline.render.listed_parts.entry_parts`) into a file of its own here; a task
making list pages first reads the files it has not read yet, and lists the events it
finds in them with their made entries (:func:`dateline.render.listed.listing_from`).
A list task that runs before the task of some of its events is done makes those
entries itself, as every build did before: the pages are the same either way.

The files are ``marshal`` data: written and read by the same build of the same
Python, in the build's own state folder, and deleted when the build is done.
"""

from __future__ import annotations

import marshal
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from dateline.render.listed import ListedEntry, Parts

SUFFIX = ".entries"


class EntryBook:
    """The made entries this process has read, by event id (see the module's text)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.entries: dict[int, ListedEntry] = {}
        self._read: set[str] = set()

    def start(self) -> None:
        """An empty folder (a crashed build may have left files)."""
        self.remove()
        self.folder.mkdir(parents=True)

    def write(self, name: str, parts: Mapping[int, Parts]) -> None:
        """The entries of one task, in a file that appears whole (renamed into place)."""
        temporary = self.folder / f".{name}.tmp"
        temporary.write_bytes(marshal.dumps(dict(parts)))
        os.replace(temporary, self.folder / f"{name}{SUFFIX}")

    def refresh(self) -> None:
        """Read the files written since the last call."""
        with os.scandir(self.folder) as found:
            names = [f.name for f in found if f.name.endswith(SUFFIX) and f.name not in self._read]
        for name in names:
            parts: dict[int, Parts] = marshal.loads((self.folder / name).read_bytes())
            self.entries.update((i, ListedEntry(i, p)) for i, p in parts.items())
            self._read.add(name)

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

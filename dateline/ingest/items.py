"""What every archive reader hands the importer: the items of one day.

The readers (portal YAML and HTML, WikiTimes, Dateline's own JSON Lines and CSV) each
turn a file into a list of :class:`DayItems`; :mod:`dateline.ingest.importer` stores
them, matching each item to the event it may already be. Keeping the readers to this
one shape means the matching rules live in one place, whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from dateline.errors import InputError
from dateline.model import EventContent


class NotAnArchiveFileError(InputError):
    """The file is not of the format asked for (a folder import skips it quietly)."""


@dataclass
class DayItems:
    """One day's items as read from a file, and the items skipped with the reason.

    ``source`` is where the day came from when the file says (a portal URL).
    """

    date: date
    source: str | None = None
    events: list[EventContent] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def add(self, content: EventContent) -> None:
        """Add an item; one that repeats a headline of the day (the portal lists some
        under two headings) is the same item: its sources and contexts join the first's,
        whose heading is kept."""
        for index, known in enumerate(self.events):
            if known.headline == content.headline:
                self.events[index] = replace(
                    known,
                    sources=tuple(dict.fromkeys(known.sources + content.sources)),
                    contexts=tuple(dict.fromkeys(known.contexts + content.contexts)),
                )
                return
        self.events.append(content)

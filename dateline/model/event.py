"""Events and their versions, as plain immutable data (no I/O here).

An :class:`Event` is a stable id and its versions, oldest first; the current
version is the last. Every :class:`Version` is a full snapshot of the event's fields
(:class:`EventContent`) plus who made it, when and why. History only grows: editing
an event appends a version.

A version is *partial* when Dateline knows it only from a link on another page (a
``Related:`` entry or a ``Changes:`` entry): its date, headline and slug are known, and
for related entries some context tags, but not its summary or sources. Importing the
version's own page completes it; that is the one change a stored version may undergo.

Articles and claims (later) refer to events by id and to versions by number; nothing
here needs to change for them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import NamedTuple

from dateline.errors import InputError

MAX_HEADLINE_LENGTH = 1000
MAX_SUMMARY_LENGTH = 20_000
MAX_CONTEXTS = 50
MAX_SOURCES = 100
RESERVED_PUBLISHER = "Cover Image"
"""The event page format lists the cover image as a source with this name."""


@dataclass(frozen=True, slots=True)
class Source:
    """Where the event was reported: a publisher's name and, when known, the URL."""

    publisher: str
    url: str | None = None


@dataclass(frozen=True, slots=True)
class EventContent:
    """The fields of an event at one version."""

    date: date
    headline: str
    summary: str = ""
    story: str | None = None
    category: str | None = None
    contexts: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    cover_image: str | None = None

    def validated(self) -> EventContent:
        """This content with outer spaces trimmed; InputError naming the field if invalid."""
        content = replace(
            self,
            headline=_one_line(self.headline, "headline", MAX_HEADLINE_LENGTH),
            summary=_no_control_characters(
                self.summary.replace("\r\n", "\n").replace("\r", "\n").strip(), "summary"
            ),
            story=_optional_line(self.story, "story"),
            category=_optional_line(self.category, "category"),
            contexts=_contexts(self.contexts),
            sources=tuple(_source(s, i) for i, s in enumerate(self.sources, 1)),
            cover_image=_optional_url(self.cover_image, "cover_image"),
        )
        if not content.headline:
            raise InputError("must not be empty", field="headline")
        if len(content.summary) > MAX_SUMMARY_LENGTH:
            raise InputError(f"longer than {MAX_SUMMARY_LENGTH} characters", field="summary")
        if len(content.sources) > MAX_SOURCES:
            raise InputError(f"more than {MAX_SOURCES} sources", field="sources")
        return content


@dataclass(frozen=True, slots=True)
class Version:
    """One version of an event: the snapshot, its slug and who made it when and why."""

    number: int
    slug: str
    content: EventContent
    created_at: datetime | None = None
    editor: str | None = None
    note: str | None = None
    partial: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    """An event: a stable id and its versions, oldest first (the last is current).

    ``retiring`` holds the numbers of the versions that retired the event (an editor
    withdrew it; history is never rewritten, so retiring adds a version that repeats
    the content). The event is retired while its current version is one of them.
    """

    id: int
    versions: tuple[Version, ...]
    retiring: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if not self.versions:
            raise ValueError(f"event {self.id} has no versions")

    @property
    def retired(self) -> bool:
        """Retired now: its current version retired it (it stays readable, marked so)."""
        return self.current.number in self.retiring

    @property
    def current(self) -> Version:
        return self.versions[-1]

    @property
    def content(self) -> EventContent:
        return self.current.content

    @property
    def slug(self) -> str:
        return self.current.slug

    @property
    def is_stub(self) -> bool:
        """Known only from links on other pages: its own page was never imported."""
        return self.current.partial

    def version(self, number: int) -> Version:
        """Version ``number`` (1-based); LookupError if there is none."""
        if 1 <= number <= len(self.versions):
            return self.versions[number - 1]
        raise LookupError(f"event {self.id} has no version {number}")

    def shadowed(self, version: Version) -> bool:
        """True when a later version reuses this version's date and slug.

        Such a version's page lives at ``<slug>.v<N>`` (see :mod:`dateline.model.paths`).
        """
        return any(
            v.slug == version.slug and v.content.date == version.content.date
            for v in self.versions[version.number :]
        )


@dataclass(frozen=True, slots=True)
class Context:
    """A context tag (a place, a group, a topic) and how many events carry it now."""

    name: str
    slug: str
    event_count: int = 0


@dataclass(frozen=True, slots=True)
class EventEntry:
    """An event as lists show it (day, context, story pages, feeds): its current state.

    Lighter than :class:`Event` (no history), so a site build can hold every event's
    entry in memory at once. ``contexts`` carry their slugs, as stored.
    """

    id: int
    date: date
    slug: str
    headline: str
    summary: str = ""
    category: str | None = None
    story: str | None = None
    contexts: tuple[Context, ...] = ()
    updated_at: datetime | None = None
    stub: bool = False
    retired: bool = False


class RelatedEvent(NamedTuple):
    """An event related to another one, with the tags they share (in the first one's order).

    A named tuple, not a frozen dataclass as the rest of the model: a full site build
    makes a million (ten a list), 0.25 us each this way, 0.62 us as a dataclass, whose
    ``__init__`` sets each field through ``object.__setattr__``.
    """

    event_id: int
    date: date
    slug: str
    headline: str
    shared: tuple[str, ...] = ()


_CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
"""C0 controls but tab and newline, DEL and the C1 controls."""


def _no_control_characters(text: str, name: str) -> str:
    # They have no meaning in news text and cannot be written in XML at all.
    found = _CONTROL_CHARACTER.search(text)
    if found:
        raise InputError(f"contains the control character U+{ord(found[0]):04X}", field=name)
    return text


def _one_line(value: str, name: str, limit: int) -> str:
    text = value.strip()
    if "\n" in text or "\r" in text:
        raise InputError("must be a single line", field=name)
    _no_control_characters(text, name)
    if len(text) > limit:
        raise InputError(f"longer than {limit} characters", field=name)
    return text


def _optional_line(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    return _one_line(value, name, MAX_HEADLINE_LENGTH) or None


def _optional_url(value: str | None, name: str) -> str | None:
    if value is None or not value.strip():
        return None
    url = _one_line(value, name, 4000)
    if not url.startswith(("http://", "https://")) or " " in url:
        raise InputError(f"{url!r} is not a web address (expected http:// or https://)", field=name)
    return url


def _contexts(values: tuple[str, ...]) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        name = _one_line(value, "contexts", 200)
        if not name:
            raise InputError("a context tag is empty", field="contexts")
        if name not in seen:
            seen.append(name)
    if len(seen) > MAX_CONTEXTS:
        raise InputError(f"more than {MAX_CONTEXTS} context tags", field="contexts")
    return tuple(seen)


def _source(source: Source, position: int) -> Source:
    publisher = _one_line(source.publisher, f"sources[{position}].publisher", 300)
    if not publisher:
        raise InputError("the publisher's name is empty", field=f"sources[{position}]")
    if publisher.casefold() == RESERVED_PUBLISHER.casefold():
        raise InputError(
            f"{publisher!r} names the cover image in event pages; give the cover image "
            "as cover_image, or the source another name",
            field=f"sources[{position}].publisher",
        )
    return Source(publisher, _optional_url(source.url, f"sources[{position}].url"))


def validate_editor(editor: str | None) -> str | None:
    """An editor's name: one line without ``:`` (it separates editor and note in pages)."""
    if editor is None or not editor.strip():
        return None
    name = _one_line(editor, "editor", 100)
    if ":" in name:
        raise InputError(f"{name!r} contains ':' (not allowed in an editor's name)", field="editor")
    return name


def validate_note(note: str | None) -> str | None:
    """A version note: one line (it is shown in the ``Changes:`` list)."""
    if note is None or not note.strip():
        return None
    return _one_line(note, "note", 1000)

"""Reading event pages in the seed format (the Markdown of ``../shared/seeds/000``, 001, 003).

A page, top to bottom (every part but the headline is optional)::

    Formats: [HTML](<path>.html)  [JSON](<path>.json)  [XML](<path>.xml)
    ### [2011-11-8](/news/2011/11/8/index.md)          the day
    _Version 1 of 3: see the [current version](...)._  on an earlier version's page
    #### Armed conflicts and attacks                  category
    ##### Homs                                         story heading
    # The headline
    The summary, one or more paragraphs.
    ### Contexts:        - Homs                        the event's own context tags
    ### Sources:         1. [BBC](url)  1. [Cover Image](url)
    ### Changes:         1. [headline](path) _2017-08-25 03:34:27 (First version)_ by ann: note
    ### Related:         1. [headline](path) _Context: Homs, bombardment_

A page of a built site (``dateline build``) may say two more things, read but not
imported, as an import of the site's JSON pages leaves them too
(:data:`dateline.ingest.records.PAGE_KEYS`): a retired event's notice under the day
heading (retiring is the archive's decision, not part of what an event says) and an
``### Articles:`` list (links to the source articles' own pages, whose text is not on
this one).

``Source:`` is read like ``Sources:``. The seeds carry no ``Contexts:`` section: their
tags are then gathered from the ``Related:`` entries, which show the tags each related
event shares with this one, in this event's order. A day index page
(``# [2012-02-9](/news/2012/02/9/index.md)`` and a list) is recognised so that an
import can skip it, as are a built site's other pages (home, year, month, tag, story,
article) by their ``Formats:`` line. Errors name the line and say what was expected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dateline.errors import InputError
from dateline.model import EventContent, Source, parse_page_path, slug_for_headline
from dateline.model.event import RESERVED_PUBLISHER

PARTIAL_MARKER = (
    "_Known only from a link on another page: the summary and sources of this version "
    "have not been imported._"
)
COVER_IMAGE = RESERVED_PUBLISHER
RETIRED_NOTICE = "_Retired by version {number}: this event was withdrawn; its pages stay readable._"
"""What a site's page of a retired event says under its day heading."""
LABEL_FIRST, LABEL_UPDATE, LABEL_CURRENT = "First version", "Update", "Current version"
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
SECTION_NAMES = {
    "Contexts": "contexts",
    "Context": "contexts",
    "Source": "sources",
    "Sources": "sources",
    "Changes": "changes",
    "Related": "related",
    "Articles": "articles",
}

_LINK = r"\[(?P<text>(?:\\.|[^\]\\])*)\]\((?P<href>\S+?)\)"
_FORMATS_RE = re.compile(r"^Formats:(?P<links>(?:\s+\[(?:HTML|JSON|XML|Markdown)\]\(\S+?\))+)\s*$")
_FORMAT_LINK_RE = re.compile(r"\[(HTML|JSON|XML|Markdown)\]\((\S+?)\)")
_DAY_RE = re.compile(rf"^### {_LINK}\s*$")
_DAY_INDEX_TITLE_RE = re.compile(rf"^# {_LINK}\s*$")
_VERSION_NOTICE_RE = re.compile(rf"^_Version (?P<n>\d+) of (?P<total>\d+): see the {_LINK}\._\s*$")
_SECTION_RE = re.compile(r"^### (?P<name>[A-Za-z]+):\s*$")
_NUMBERED_RE = re.compile(r"^\d+\.\s(?P<rest>.*)$")
_SOURCE_LINK_RE = re.compile(rf"^{_LINK}\s*$")
_CHANGE_RE = re.compile(
    rf"^{_LINK} _(?:(?P<ts>\d{{4}}-\d{{2}}-\d{{2}} \d{{2}}:\d{{2}}:\d{{2}}) )?"
    r"\((?P<label>[A-Za-z ]+)\)_(?: by (?P<editor>[^:]+?))?(?:: (?P<note>.*?))?\s*$"
)
_RELATED_RE = re.compile(rf"^{_LINK}(?: _Context: (?P<tags>.*)_)?\s*$")
_OTHER_PAGE_RE = re.compile(
    r"/(?:index|news/\d{4}/index|news/\d{4}/\d{2}/index|context/[^/]+(?:/\d{4})?"
    r"|story/[^/]+|articles/\d+)"
)
"""A built site's pages other than events and days (home, year, month, tag, story,
article): their Markdown path without ``.md``."""
_RETIRED_RE = re.compile(
    "^" + re.escape(RETIRED_NOTICE).replace(re.escape("{number}"), r"(?P<n>\d+)") + r"\s*$"
)
_ARTICLE_RE = re.compile(rf"^{_LINK} _.*_\s*$")
_ARTICLE_PATH_RE = re.compile(r"^/articles/(?P<id>\d+)\.md$")


@dataclass(frozen=True, slots=True)
class PageLink:
    """An entry of a ``Changes:`` or ``Related:`` list: a link to another event page."""

    date: date
    slug: str
    headline: str
    version: int | None = None
    contexts: tuple[str, ...] = ()
    created_at: datetime | None = None
    label: str | None = None
    editor: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class EventPage:
    """What one event page says."""

    slug: str
    content: EventContent
    partial: bool = False
    slug_stated: bool = False
    version: int | None = None
    contexts_stated: bool = False
    changes: tuple[PageLink, ...] = ()
    related: tuple[PageLink, ...] = ()
    retired_by: int | None = None
    """A site page's notice: the version that retired the event (not imported)."""
    articles: tuple[int, ...] = ()
    """A site page's ``Articles:`` list: the ids of the linked articles (not imported)."""


@dataclass(frozen=True, slots=True)
class DayIndexPage:
    """A day index: derived from the event pages, so importing skips it."""

    date: date
    entries: tuple[PageLink, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class OtherSitePage:
    """A built site's home, year, month, tag, story or article page (``path``, without
    extension): made from the event pages or the articles, so importing skips it."""

    path: str


def parse_page(text: str) -> EventPage | DayIndexPage | OtherSitePage:
    """Read one page; InputError (with the line number) for anything unreadable."""
    # Only newlines end lines: str.splitlines() would also split at U+0085 or U+2028,
    # which may appear inside a headline or summary.
    lines = normalise_newlines(text).split("\n")
    if lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    return _Parser(lines).parse()


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unescape_link_text(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def split_tags(text: str, known: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Split ``Homs, Syrian Army`` into tags, matching ``known`` names first.

    A tag name may itself contain ", " (``Paris, Texas``): the event's own tags, when
    the page states them, are matched whole before falling back to splitting.
    """
    tags: list[str] = []
    rest = text.strip()
    while rest:
        match = next((k for k in known if rest == k or rest.startswith(k + ", ")), None)
        if match is None:
            match = rest.split(", ", 1)[0]
        tags.append(match.strip())
        rest = rest[len(match) :].removeprefix(", ").strip()
    return tuple(t for t in tags if t)


class _Parser:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.i = 0
        self.field_lines: dict[str, int] = {}  # where each field was read, for errors

    # -- helpers --------------------------------------------------------------------

    def error(self, message: str, line: int | None = None, field: str | None = None) -> InputError:
        return InputError(message, line=line if line is not None else self.i + 1, field=field)

    def peek(self) -> str | None:
        return self.lines[self.i] if self.i < len(self.lines) else None

    def skip_blank(self) -> None:
        while self.i < len(self.lines) and not self.lines[self.i].strip():
            self.i += 1

    def link_path(self, href: str, line: int, what: str) -> tuple[date, str, int | None]:
        try:
            path = parse_page_path(href)
        except InputError as error:
            raise self.error(f"{what}: {error.detail}", line) from None
        return path.date, path.slug, path.version

    # -- the page -------------------------------------------------------------------

    def parse(self) -> EventPage | DayIndexPage | OtherSitePage:
        self.skip_blank()
        own_path: tuple[date, str, int | None] | None = None
        line = self.peek()
        if line is not None and line.startswith("Formats:"):
            links = _FORMAT_LINK_RE.findall(line)
            other = links[0][1].rsplit(".", 1)[0] if links else ""
            if _OTHER_PAGE_RE.fullmatch(other):
                return OtherSitePage(other)
            own_path = self.formats(line)
            self.i += 1
            self.skip_blank()
        line = self.peek()
        if line is not None and (index := _DAY_INDEX_TITLE_RE.match(line)):
            return self.day_index(index)
        day = self.day_heading()
        self.skip_blank()
        retired_by = self.optional_notice(_RETIRED_RE)  # a site's page of a retired event
        version_notice = self.optional_notice(_VERSION_NOTICE_RE)  # an earlier version's
        category = self.optional_heading("#### ")
        story = self.optional_heading("##### ")
        headline_line = self.i + 1
        line = self.peek()
        if line is None or not line.startswith("# "):
            found = "the end of the page" if line is None else repr(line[:60])
            raise self.error(
                f"expected the headline ('# ' and the headline), found {found}", field="headline"
            )
        headline = line[2:].strip()
        if not headline:
            raise self.error("is empty (expected '# ' followed by the headline)", field="headline")
        self.i += 1
        summary_lines: list[str] = []
        while (line := self.peek()) is not None and not line.startswith("### "):
            if line.startswith("#"):
                # Rendered summaries escape a leading "#", so this is a broken heading.
                raise self.error(
                    "expected a section heading (### Contexts:, ### Sources:, ### Changes: or "
                    f"### Related:), found {line[:60]!r}"
                )
            # The renderer escapes a leading "#" or "\\" with a backslash.
            summary_lines.append(line[1:] if line.startswith("\\") else line)
            self.i += 1
        summary = "\n".join(summary_lines).strip()
        partial = summary == PARTIAL_MARKER
        sections = self.sections()

        stated = sections.get("contexts")
        related: tuple[PageLink, ...] = tuple(sections.get("related", ()))
        contexts = tuple(stated) if stated is not None else _tags_from_related(related)
        known = contexts
        related = tuple(_retag(link, known) for link in related)
        sources, cover = sections.get("sources", ((), None))
        content = EventContent(
            date=day,
            headline=headline,
            summary="" if partial else summary,
            story=story,
            category=category,
            contexts=contexts,
            sources=sources,
            cover_image=cover,
        )
        try:
            content = content.validated()
        except InputError as error:
            self.field_lines["headline"] = headline_line
            field = (error.field or "").split(".")[0]
            line_no = self.field_lines.get(field, self.field_lines.get(field.split("[")[0]))
            raise InputError(error.detail, line=line_no, field=error.field) from None
        if own_path is not None:
            own_date, slug, own_version = own_path
            if own_date != day:
                raise self.error(
                    f"the Formats links point to {own_date.isoformat()} but the day heading "
                    f"says {day.isoformat()}",
                    1,
                )
            slug_stated = True
        else:
            slug, own_version, slug_stated = slug_for_headline(headline), None, False
        return EventPage(
            slug=slug,
            content=content,
            partial=partial,
            slug_stated=slug_stated,
            version=own_version or version_notice,
            contexts_stated=stated is not None,
            changes=tuple(sections.get("changes", ())),
            related=related,
            retired_by=retired_by,
            articles=tuple(sections.get("articles", ())),
        )

    def formats(self, line: str) -> tuple[date, str, int | None]:
        if not _FORMATS_RE.match(line):
            raise self.error("expected 'Formats: [HTML](...)  [JSON](...)  [XML](...)'")
        paths = set()
        for _name, href in _FORMAT_LINK_RE.findall(line):
            paths.add(href.rsplit(".", 1)[0])
        if len(paths) != 1:
            raise self.error("the Formats links point to different pages")
        return self.link_path(paths.pop() + ".md", self.i + 1, "Formats")

    def day_heading(self) -> date:
        line = self.peek()
        match = _DAY_RE.match(line) if line is not None else None
        if match is None:
            found = "the end of the page" if line is None else repr(line[:60])
            raise self.error(
                f"expected the day heading '### [YYYY-MM-D](/news/YYYY/MM/D/index.md)', "
                f"found {found}",
                field="date",
            )
        day = self.day_of(match["text"], match["href"])
        self.i += 1
        return day

    def day_of(self, label: str, href: str) -> date:
        try:
            year, month, day_number = (int(p) for p in label.strip().split("-"))
            day = date(year, month, day_number)
        except ValueError:
            raise self.error(
                f"{label!r} is not a date (expected YYYY-MM-D, e.g. 2012-02-9)", field="date"
            ) from None
        target = re.match(r"^/news/(\d{4})/(\d{2})/(\d{1,2})/index\.md$", href)
        if not target or (int(target[1]), int(target[2]), int(target[3])) != (
            day.year,
            day.month,
            day.day,
        ):
            raise self.error(
                f"the day heading links to {href!r}, expected "
                f"/news/{day.year:04d}/{day.month:02d}/{day.day}/index.md",
                field="date",
            )
        return day

    def optional_notice(self, pattern: re.Pattern[str]) -> int | None:
        """The version number a notice line matching ``pattern`` names (None: no such line)."""
        line = self.peek()
        match = pattern.match(line) if line is not None else None
        if match is None:
            return None
        self.i += 1
        self.skip_blank()
        return int(match["n"])

    def optional_heading(self, prefix: str) -> str | None:
        line = self.peek()
        if line is not None and line.startswith(prefix):
            self.i += 1
            return line[len(prefix) :].strip() or None
        return None

    def sections(self) -> dict[str, Any]:
        """Each section's items, read by its ``read_<kind>`` method (so typed loosely)."""
        found: dict[str, Any] = {}
        while True:
            self.skip_blank()
            line = self.peek()
            if line is None:
                return found
            match = _SECTION_RE.match(line)
            if not match or match["name"] not in SECTION_NAMES:
                raise self.error(
                    f"expected a section heading (### Contexts:, ### Sources:, ### Changes: or "
                    f"### Related:), found {line[:60]!r}"
                )
            kind = SECTION_NAMES[match["name"]]
            if kind in found:
                raise self.error(f"a second '### {match['name']}:' section")
            self.i += 1
            items = self.items(bullet="- " if kind == "contexts" else None)
            found[kind] = getattr(self, f"read_{kind}")(items)

    def items(self, bullet: str | None) -> list[tuple[int, str]]:
        items: list[tuple[int, str]] = []
        while True:
            self.skip_blank()
            line = self.peek()
            if line is None or line.startswith("### "):
                return items
            if bullet is not None:
                if not line.startswith(bullet):
                    raise self.error(f"expected a list item '{bullet}...', found {line[:60]!r}")
                items.append((self.i + 1, line[len(bullet) :].strip()))
            else:
                match = _NUMBERED_RE.match(line)
                if not match:
                    raise self.error(f"expected a numbered list item '1. ...', found {line[:60]!r}")
                items.append((self.i + 1, match["rest"]))
            self.i += 1

    # -- sections ---------------------------------------------------------------------

    def read_contexts(self, items: list[tuple[int, str]]) -> list[str]:
        if items:
            self.field_lines["contexts"] = items[0][0]
        return [unescape_link_text(text) for _, text in items]

    def read_sources(self, items: list[tuple[int, str]]) -> tuple[tuple[Source, ...], str | None]:
        sources: list[Source] = []
        cover = None
        for line, text in items:
            match = _SOURCE_LINK_RE.match(text)
            if match is None:
                # A broken link, unless its "](" is escaped text of a name without a URL.
                if "](" in re.sub(r"\\.", "", text):
                    raise self.error(
                        "expected '[Publisher](URL)' or a publisher's name", line, field="sources"
                    )
                sources.append(Source(unescape_link_text(text.strip())))
                self.field_lines[f"sources[{len(sources)}]"] = line
                continue
            name = unescape_link_text(match["text"]).strip()
            if name == COVER_IMAGE:
                if cover is not None:
                    raise self.error("a second Cover Image", line, field="cover_image")
                cover = match["href"]
                self.field_lines["cover_image"] = line
            else:
                sources.append(Source(name, match["href"]))
                self.field_lines[f"sources[{len(sources)}]"] = line
        return tuple(sources), cover

    def read_changes(self, items: list[tuple[int, str]]) -> list[PageLink]:
        changes = []
        for line, text in items:
            match = _CHANGE_RE.match(text)
            if match is None:
                raise self.error(
                    "expected '[headline](/news/...md) _YYYY-MM-DD HH:MM:SS (Update)_'",
                    line,
                    field="changes",
                )
            if match["label"] not in (LABEL_FIRST, LABEL_UPDATE, LABEL_CURRENT):
                raise self.error(
                    f"unknown version label {match['label']!r} (expected "
                    f"{LABEL_FIRST}, {LABEL_UPDATE} or {LABEL_CURRENT})",
                    line,
                )
            day, slug, version = self.link_path(match["href"], line, "Changes")
            created = None
            if match["ts"]:
                try:
                    created = datetime.strptime(match["ts"], TIMESTAMP_FORMAT)
                except ValueError:
                    raise self.error(f"{match['ts']!r} is not a valid time", line) from None
            changes.append(
                PageLink(
                    date=day,
                    slug=slug,
                    version=version,
                    headline=unescape_link_text(match["text"]).strip(),
                    created_at=created,
                    label=match["label"],
                    editor=match["editor"],
                    note=match["note"],
                )
            )
        return changes

    def read_related(self, items: list[tuple[int, str]]) -> list[PageLink]:
        related = []
        for line, text in items:
            match = _RELATED_RE.match(text)
            if match is None:
                raise self.error(
                    "expected '[headline](/news/...md) _Context: tag, tag_'", line, field="related"
                )
            day, slug, version = self.link_path(match["href"], line, "Related")
            headline = unescape_link_text(match["text"]).strip()
            if not headline:
                raise self.error("a related event without a headline", line, field="related")
            # Tags are split for real once the page's own tags are known (_retag).
            related.append(
                PageLink(
                    date=day,
                    slug=slug,
                    version=version,
                    headline=headline,
                    contexts=(match["tags"] or "",),
                )
            )
        return related

    def read_articles(self, items: list[tuple[int, str]]) -> list[int]:
        found = []
        for line, text in items:
            match = _ARTICLE_RE.match(text)
            path = _ARTICLE_PATH_RE.match(match["href"]) if match else None
            if path is None:
                raise self.error(
                    "expected '[title](/articles/N.md) _publisher, date_'", line, field="articles"
                )
            found.append(int(path["id"]))
        return found

    def day_index(self, match: re.Match[str]) -> DayIndexPage:
        day = self.day_of(match["text"], match["href"])
        self.i += 1
        entries = self.read_related(self.items(bullet=None))
        return DayIndexPage(day, tuple(_retag(e, ()) for e in entries))


def _retag(link: PageLink, known: tuple[str, ...]) -> PageLink:
    raw = link.contexts[0] if link.contexts else ""
    return PageLink(
        link.date,
        link.slug,
        link.headline,
        link.version,
        split_tags(raw, known),
        link.created_at,
        link.label,
        link.editor,
        link.note,
    )


def _tags_from_related(related: tuple[PageLink, ...]) -> tuple[str, ...]:
    """The page's own tags, gathered from what its related events share with it.

    Each entry lists shared tags in the page event's order, so merging the lists keeps
    that order: a tag not seen before goes right after the tag preceding it in its entry.
    """
    order: list[str] = []
    for link in related:
        previous: str | None = None
        for tag in split_tags(link.contexts[0] if link.contexts else ""):
            if tag not in order:
                order.insert(order.index(previous) + 1 if previous else len(order), tag)
            previous = tag
    return tuple(order)

"""Atom feeds (RFC 4287) from a feed view (``views.feed_view``), with feedgen.

A feed is a published file like any page, so the same view must give the same bytes:
feedgen stamps the current time on every feed and entry it creates and writes its own
version into ``<generator>``, and by default *prepends* each entry it adds. Every one of
those is set explicitly here, so nothing depends on the clock or the feedgen release.
feedgen also loses the attributes of entry links; ``_Entry`` puts them back.

Links are absolute (a feed is read out of context, by a reader that may not resolve
relative references), made by appending the archive's root paths to ``base_url``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from dateline.errors import InputError

# When a feed has no entries it has no "last changed" time; any fixed instant keeps the
# output deterministic, and the epoch is obviously not a real date.
EMPTY_FEED_UPDATED = datetime(1970, 1, 1, tzinfo=UTC)
GENERATOR = "Dateline"
# The date in an entry's tag URI (RFC 4151): any day the archive's host name belonged to
# its owner. It must never change, or every reader sees every entry as new again.
TAG_DATE = "2002"


def render_atom(feed: dict[str, Any], *, base_url: str) -> bytes:
    """The feed view as an Atom document (UTF-8, with an XML declaration).

    ``base_url`` is where the archive is published, without a trailing slash
    (``https://example.org/archive``); the view's paths are appended to it. Raises
    ``InputError`` when ``base_url`` is not an absolute http(s) URL or a date in the
    view cannot be read.
    """
    base = _checked_base_url(base_url)
    kept = _KEPT.get()
    if kept is not None and feed["title"]:
        document = _feed_head(feed, base)
        if feed["entries"]:
            parts = [_kept_entry(entry, base, kept) for entry in feed["entries"]]
            document = b"".join((document[: -len(_FEED_END)], *parts, _FEED_END))
        return document
    return _made_whole(feed, base)


def _made_whole(feed: dict[str, Any], base: str) -> bytes:
    """:func:`render_atom` by feedgen alone."""
    generator = FeedGenerator()
    generator.id(_absolute(base, feed["path"]))
    generator.title(feed["title"])
    generator.updated(_instant(feed["updated"]) if feed["updated"] else EMPTY_FEED_UPDATED)
    generator.link(href=_absolute(base, feed["path"]), rel="self", type="application/atom+xml")
    generator.link(
        href=_absolute(base, feed["alternate"] + ".html"), rel="alternate", type="text/html"
    )
    # Set, not defaulted: the default names feedgen's version, so a library upgrade would
    # change every published feed. Dateline's own version is left out for the same reason.
    generator.generator(GENERATOR)
    for entry in feed["entries"]:
        generator.add_entry(_entry(entry, base), order="append")
    document: bytes = generator.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return document


_HEAD: list[etree._Element] = []
"""A feed without entries as feedgen writes it (:func:`_made_whole`), read back once."""
_FEEDGEN_TEXT = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True)
"""For reading back what feedgen wrote, without the indentation it wrote (the head's
serialization indents again): only what this module had feedgen write is read."""


def _feed_head(feed: dict[str, Any], base: str) -> bytes:
    """The feed of ``feed`` without its entries, byte for byte as feedgen writes it: a
    copy of the feed feedgen wrote once, its values set again.

    What a full build's feeds are put together from, with their entries kept
    (:func:`feed_entries_kept`): feedgen made each tag's feed's head (a generator with
    its links, then its document) in 30 us or so, a tenth of a full build's feeds; the
    same bytes this way (tests/render/test_atom.py holds them equal). A feed feedgen
    would refuse (no title) never gets here.
    """
    if not _HEAD:
        model: dict[str, Any] = {"title": "-", "path": "/-", "alternate": "/-", "updated": None}
        model["entries"] = []
        _HEAD.append(etree.fromstring(_made_whole(model, base), _FEEDGEN_TEXT))
    root: etree._Element = _HEAD[0].__copy__()  # type: ignore[attr-defined]
    id_, title, updated, self_link, alternate, _generator = root
    id_.text = _absolute(base, feed["path"])
    title.text = feed["title"]
    updated.text = (
        _instant(feed["updated"]) if feed["updated"] else EMPTY_FEED_UPDATED
    ).isoformat()
    self_link.set("href", id_.text)
    alternate.set("href", _absolute(base, feed["alternate"] + ".html"))
    text: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)
    return text


KEPT_ENTRIES = 60_000
"""At most this many entries are kept (:func:`feed_entries_kept`), about 60 MB; then
none again. Each worker of a full build of the 100,000-event benchmark archive makes
48,000 different entries or so, and each is asked for 1.3 times on average."""
_KEPT: ContextVar[dict[tuple[Any, ...], bytes] | None] = ContextVar(
    "dateline_feed_entries", default=None
)
_FEED_END = b"</feed>\n"
ATOM = "http://www.w3.org/2005/Atom"


@contextmanager
def feed_entries_kept(kept: dict[tuple[Any, ...], bytes]) -> Iterator[None]:
    """Feeds made in the block take their entries from ``kept``, as lxml wrote them,
    after the feed's own elements, which feedgen makes (:func:`_kept_entry`); the
    entries not in it are made and kept (up to :data:`KEPT_ENTRIES`).

    A full build writes a feed per tag: the 35,462 tags of the 100,000-event benchmark
    archive have 128,713 entries in their feeds. A worker's share (every other tag by
    size: 17,731 feeds, 64,360 entries, 48,244 different ones) took 3.17-3.24 s made by
    feedgen whole, 2.11-2.21 s this way (the same bytes), 0.80 s with every entry kept
    already. Entries are kept by their content (the whole entry view and the feed's
    address), so a kept one is never stale.
    """
    token = _KEPT.set(kept)
    try:
        yield
    finally:
        _KEPT.reset(token)


def _kept_entry(view: dict[str, Any], base: str, kept: dict[tuple[Any, ...], bytes]) -> bytes:
    """The entry of ``view`` as :func:`render_atom` writes it into a feed: its lines,
    indented as a child of the feed; made the first time it is asked for (kept by all
    that it is made of: its whole view, and the feed's address)."""
    key = (
        base,
        view["id"],
        view["headline"],
        view["summary"],
        view["date"],
        view["updated"],
        view["path"],
        *((c["name"], c["slug"]) for c in view["contexts"]),
        None,  # the sources after the tags, which hold no None
        *((s["publisher"], s["url"]) for s in view["sources"]),
    )
    made = kept.get(key)
    if made is None:
        if len(kept) >= KEPT_ENTRIES:
            kept.clear()
        root = xml_elem("feed", xmlns=ATOM)  # as feedgen makes a feed's root
        root.append(_entry_element(view, base))
        text: bytes = etree.tostring(root, encoding="UTF-8", pretty_print=True)
        made = kept[key] = text[text.index(b"\n") + 1 : -len(_FEED_END)]
    return made


def _entry_element(view: dict[str, Any], base: str) -> etree._Element:
    """The ``<entry>`` element feedgen makes of ``view`` (``_entry(view,
    base).atom_entry()``), made with lxml directly.

    Not by feedgen, for speed alone: its setters check what they are given and its
    entries carry every field Atom and RSS know, 45 us an entry made alone, 16-18 us
    this way (attributes set one by one: lxml reads keyword attributes slowly); a full
    build's worker makes about 48,000. The elements are feedgen's, in its order, with
    the attributes its links should have (see :class:`_Entry`):
    tests/render/test_atom.py checks the bytes against feedgen's on generated entries.
    A view feedgen would refuse (no headline) is given to feedgen, to refuse it.
    """
    if not view["headline"]:
        refused: etree._Element = _entry(view, base).atom_entry()  # raises
        return refused
    published = _day_text(view["date"])
    entry = etree.Element("entry")
    _SubElement(entry, "id").text = entry_id(view["id"], base)
    _SubElement(entry, "title").text = view["headline"]
    updated = _instant(view["updated"]).isoformat() if view["updated"] else published
    _SubElement(entry, "updated").text = updated
    link = _SubElement(entry, "link")
    link.set("href", _absolute(base, view["path"] + ".html"))
    link.set("rel", "alternate")
    link.set("type", "text/html")
    for source in view["sources"]:
        if source["url"]:
            link = _SubElement(entry, "link")
            link.set("href", source["url"])
            link.set("rel", "related")
            if source["publisher"]:
                link.set("title", str(source["publisher"]))
    if view["summary"]:
        summary = _SubElement(entry, "summary")
        summary.text = view["summary"]
        summary.set("type", "text")
    for context in view["contexts"]:
        category = _SubElement(entry, "category")
        category.set("term", context["slug"])
        if context["name"]:
            category.set("label", context["name"])
    _SubElement(entry, "published").text = published
    return entry


@lru_cache(maxsize=4096)
def _day_text(value: str) -> str:
    """:func:`_day` as Atom writes it (a full build's entries are on a few thousand days)."""
    return _day(value).isoformat()


_SubElement = etree.SubElement


def entry_id(event_id: int, base_url: str) -> str:
    """The Atom id of an event: ``tag:<host>,2002:event:<id>`` (a tag URI, RFC 4151).

    Atom ids must never change, or a reader shows an entry again as new. An event's
    headline, slug and so its URL change with edits, but its number does not, so the id
    is made from the number rather than from the event's URL. A tag URI says "this
    name, minted by the owner of <host>" without pretending to be a page one could
    fetch. The port is not part of it (a tag names an authority, not a server); an
    archive under a path gets the path too (``tag:example.org,2002:archive/event:12``),
    so two archives on one host do not share ids.
    """
    return f"{_tag_prefix(base_url)}event:{event_id}"


@lru_cache(maxsize=16)
def _tag_prefix(base_url: str) -> str:
    """``tag:<host>,2002:<path>/`` of ``base_url`` (the same for every entry of a build)."""
    base = urlsplit(_checked_base_url(base_url))
    path = base.path.strip("/")
    scope = f"{path}/" if path else ""
    return f"tag:{base.hostname},{TAG_DATE}:{scope}"


class _Entry(FeedEntry):  # type: ignore[misc]
    """A feedgen entry whose links keep their attributes.

    feedgen 1.0.0 writes only ``href`` for an entry's links: its loop rebinds the name of
    the link's data to the new element (lkiesow/python-feedgen#135). Every link would
    then default to ``rel="alternate"``, and the sources would claim to be the event's
    own page. The attributes are set again here; harmless once feedgen is fixed.
    """

    def atom_entry(self, extensions: bool = True) -> Any:
        element = super().atom_entry(extensions)
        for node, data in zip(element.findall("link"), self.link(), strict=True):
            for name in ("rel", "type", "hreflang", "title", "length"):
                if data.get(name):
                    node.set(name, str(data[name]))
        return element


def _entry(view: dict[str, Any], base: str) -> FeedEntry:
    entry = _Entry()
    entry.id(entry_id(view["id"], base))
    entry.title(view["headline"])
    # Links and categories each given in one call, as lists: feedgen checks what it
    # is given per call (a tenth of a tag's feed, one call per tag and source).
    links = [
        {"href": _absolute(base, view["path"] + ".html"), "rel": "alternate", "type": "text/html"}
    ]
    published = _day(view["date"])
    entry.published(published)
    # A placeholder never edited has no change time; its date is the best there is.
    entry.updated(_instant(view["updated"]) if view["updated"] else published)
    if view["summary"]:
        entry.summary(view["summary"], type="text")
    if view["contexts"]:
        entry.category([{"term": c["slug"], "label": c["name"]} for c in view["contexts"]])
    links += [
        {"href": source["url"], "rel": "related", "title": source["publisher"]}
        for source in view["sources"]
        if source["url"]
    ]
    entry.link(links)
    return entry


@lru_cache(maxsize=16)
def _checked_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"expected an absolute http(s) URL such as https://example.org, got {base_url!r}",
            field="base_url",
        )
    return base_url.rstrip("/")


def _absolute(base: str, path: str) -> str:
    """``base`` + a root path: ``https://example.org/archive`` + ``/feed.atom``."""
    return f"{base}/{path.lstrip('/')}"


def _instant(value: str) -> datetime:
    """A stored time ('YYYY-MM-DD HH:MM:SS[.ffffff]', naive UTC) as an aware datetime."""
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"expected a time as 'YYYY-MM-DD HH:MM:SS', got {value!r}") from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _day(value: str) -> datetime:
    """An event's date ('YYYY-MM-DD') as midnight UTC, the instant Atom dates need."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InputError(f"expected a date as 'YYYY-MM-DD', got {value!r}") from None
    return datetime(day.year, day.month, day.day, tzinfo=UTC)

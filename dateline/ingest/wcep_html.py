"""Reading the rendered Current Events Portal HTML: day or month pages (``wcep-html/2023-01.html``).

Unlike the scraped YAML days (:mod:`dateline.ingest.wcep_yaml`), the rendered page
keeps the links, so an item gets its context tags and its sources' URLs too.

The page's structure, as found in the January 2023 month page (a day page has one box):

- One *day box* per day: ``div.current-events-main`` (``id="2023_January_1"``). Its
  heading holds the ISO date in a hidden ``span.bday`` (``2023-01-01``) and an
  edit/history/watch navbar whose links name the day's own portal page
  (``title=Portal:Current_events/2023_January_1``): that gives :attr:`DayItems.source`.
  The date is read from ``span.bday``, or from the box's ``id`` when there is none.
- The items are in the box's ``div.current-events-content``: a bold paragraph
  (``<p><b>Armed conflicts and attacks</b></p>``) names the *category* of the lists
  that follow it, until the next one.
- In those lists, a bullet with sub-bullets and no source link of its own is a *story
  heading*: usually one wiki link (``Syrian civil war``), sometimes text around it
  (``Aftermath of the ...``) or two links (``Islamic terrorism in Europe, Terrorism in
  Germany``). Headings nest up to three deep (``COVID-19 pandemic > COVID-19 pandemic
  in China > Travel during the COVID-19 pandemic``); many items sit right under the
  category, with no story. Every other bullet is an *item*: its text, then its
  sources as external links whose text is the publisher in parentheses,
  ``<a class="external text" href="https://...">(AFP via <i>Deccan Herald</i>)</a>``.
  (A bullet with source links and sub-bullets would be an item whose sub-bullets are
  read in turn under the same story; January 2023 has none.)

What an item becomes (an :class:`EventContent`, through ``.validated()``):

- ``headline``: the bullet's own text, without its sub-bullets, its source links and
  what the page does not print (``.noprint``: the ``[ja]`` links to other-language
  articles after a red link; hidden spans, styles, footnote marks), whitespace
  normalised.
- ``story``: the *innermost* story heading's text, not the whole path. The model has
  one story line per event, and a story page gathers the events whose story has the
  same slug (:func:`dateline.model.slugs.story_slug`). The same innermost story is
  reached by different paths on different days (in January 2023 "Battle of Soledar"
  sits under three: ``2022 Russian invasion of Ukraine``, the same plus ``Eastern
  Ukraine campaign``, and ``Russo-Ukrainian War > 2022 Russian invasion of Ukraine``),
  so a joined path would split one story over several pages; the outermost heading
  would pour everything into a few huge pages (``Russo-Ukrainian War``). The outer
  headings are not kept anywhere (EventContent has no field for them).
- ``category``: the category paragraph's text, as the page spells it. A bold paragraph
  that is not one of :data:`~dateline.ingest.wcep_yaml.CATEGORIES` is read as the top
  story heading instead, as the YAML reader does with such headings.
- ``contexts``: the titles of the Wikipedia articles the bullet's *own* text links
  (the link's ``title``, else its decoded ``/wiki/`` target), in order, once each. Red
  links (``class="new"``: no article), links to other wikis and links outside the
  article namespace (``File:``, ``Category:``, ``Portal:``...) are skipped. The story
  headings' links are not added: they are the story, and adding them would give every
  item of a big story the same handful of tags.
- ``sources``: every external link of the bullet's own text, as ``Source(publisher,
  url)``, the publisher being the link text without its parentheses (the host name
  when a link shows no text but a number, ``[1]``). One link in January 2023 is broken
  in the wikitext: the URL swallowed the ``(`` (``.../neutralized/(`` with the text
  ``The Times of Israel)``); a URL ending in ``(`` whose text does not start with one
  is read without it.

January 2023 gives 31 days, 334 items and 363 source links: the figures its README
states. Nothing repeats a headline within a day, so :meth:`DayItems.add` merges none.

Refusals: a page without day boxes raises :class:`NotAPortalHtmlError` (a folder
import skips it); a day box whose date is impossible is skipped with a message in
the ``skipped`` of the day read before it (of the first day, if none was), and the
other days are read; a page without a single readable date raises InputError. A file
too big, not UTF-8 (the portal's pages always are) or cut short (no ``</html>`` at
its end: its last day would be silently incomplete, a half-sentence stored as a
headline) raises :class:`InputError` naming the file. An item the model refuses is
skipped with the reason.

This module only reads; storing is :mod:`dateline.ingest.importer`'s job.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

import lxml.html
from lxml import etree

from dateline.errors import InputError
from dateline.ingest.items import DayItems, NotAnArchiveFileError
from dateline.ingest.wcep_yaml import CATEGORIES, UNCATEGORIZED
from dateline.model import EventContent, Source

MAX_FILE_BYTES = 20_000_000
"""A month page is about half a megabyte; anything this big is not one."""
SNIFF_BYTES = 8192
"""How much of a file :func:`looks_like_portal_html` needs: the ``<title>`` is in it."""
END_BYTES = 4096
"""A complete page has ``</html>`` within this many bytes of its end."""

# Wikipedia namespaces whose pages are not articles: links to them are not contexts.
NON_ARTICLE_NAMESPACES = frozenset(
    name.casefold()
    for name in (
        "Book",
        "Category",
        "Draft",
        "File",
        "Help",
        "Image",
        "Media",
        "MediaWiki",
        "Module",
        "Portal",
        "Special",
        "Talk",
        "Template",
        "TimedText",
        "User",
        "WP",
        "Wikipedia",
    )
)
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

_DAY_BOXES = "//div[contains(concat(' ', normalize-space(@class), ' '), ' current-events-main ')]"
_CONTENT = ".//div[contains(concat(' ', normalize-space(@class), ' '), ' current-events-content ')]"
_ISO_DATE = ".//*[contains(concat(' ', normalize-space(@class), ' '), ' bday ')]"
_NAVBAR_LINKS = (
    ".//*[contains(concat(' ', normalize-space(@class), ' '), ' current-events-navbar ')]//a[@href]"
)
_EXTERNAL = ".//a[@href][contains(concat(' ', normalize-space(@class), ' '), ' external ')]"
# What the page does not show as text: sub-lists are bullets of their own.
_NOT_OWN_TEXT = (
    "./ul | ./ol | .//style | .//script"
    " | .//*[contains(concat(' ', normalize-space(@class), ' '), ' noprint ')]"
    " | .//sup[contains(concat(' ', normalize-space(@class), ' '), ' reference ')]"
    " | .//*[contains(translate(@style, ' ', ''), 'display:none')]"
)
_HEADINGS = frozenset({"p", "div", "dl", "dt", "h2", "h3", "h4", "h5", "h6"})
_LISTS = frozenset({"ul", "ol"})
_BOX_ID = re.compile(r"(\d{4})_([A-Za-z]+)_(\d{1,2})$")
_AUTONUMBER = re.compile(r"\[\d+\]")
_TITLE = re.compile(rb"<title>\s*Portal:Current[ _]events", re.IGNORECASE)


class NotAPortalHtmlError(NotAnArchiveFileError):
    """The file is no rendered Current Events Portal page: a folder import skips it."""


def looks_like_portal_html(head: bytes) -> bool:
    """True when the first bytes of a file (:data:`SNIFF_BYTES` are enough) look like a
    rendered portal page: HTML titled ``Portal:Current events/...`` or holding a day box.

    Only a sniff for telling formats apart: :func:`portal_html` decides.
    """
    lowered = head[:SNIFF_BYTES].lower()
    if b"<html" not in lowered and b"<!doctype html" not in lowered:
        return False
    return bool(_TITLE.search(lowered)) or b"current-events-main" in lowered


def read_portal_html(path: Path) -> list[DayItems]:
    """The days of a portal page file, in page order; InputError naming the file when
    it cannot be read, :class:`NotAPortalHtmlError` when it is no portal page."""
    where = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"is {size:,} bytes, too big for a portal page", where=where)
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or error})", where=where) from None
    return portal_html(data, where)


def portal_html(data: bytes | str, where: str) -> list[DayItems]:
    """The days of a portal page's content (``where`` names it in messages)."""
    raw = _utf8(data, where)
    try:
        page = lxml.html.document_fromstring(raw, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, etree.XMLSyntaxError):  # empty, or nothing HTML in it
        page = None
    boxes = [] if page is None else _find(page, _DAY_BOXES)
    if not boxes:
        raise NotAPortalHtmlError(
            "is not a Current Events Portal page (no day boxes: expected "
            'div class="current-events-main")',
            where=where,
        )
    if b"</html" not in raw[-END_BYTES:].lower():
        raise InputError(
            f"ends after {len(raw):,} bytes without </html>: the page is cut short "
            "(its last day would be incomplete)",
            where=where,
        )
    days: list[DayItems] = []
    problems: list[str] = []  # day boxes skipped before the first day read
    for position, box in enumerate(boxes, 1):
        label = box.get("id") or f"#{position}"
        day, problem = _box_date(box)
        if day is None:
            message = f"{where}: day box {label!r} skipped: {problem}"
            (days[-1].skipped if days else problems).append(message)
            continue
        items = DayItems(day, _day_url(box))
        content = _find(box, _CONTENT)
        if not content:
            items.skipped.append(f"{where}: {day}: the day box has no current-events-content")
        else:
            _read_content(content[0], items, where)
        days.append(items)
    if not days:
        raise InputError("no day box has a readable date: " + "; ".join(problems), where=where)
    days[0].skipped[:0] = problems
    return days


def _find(node: lxml.html.HtmlElement, path: str) -> list[lxml.html.HtmlElement]:
    """The elements an XPath selects (lxml types ``xpath()`` results as anything)."""
    return [found for found in node.xpath(path) if isinstance(found, lxml.html.HtmlElement)]


def _utf8(data: bytes | str, where: str) -> bytes:
    """The content as UTF-8 bytes, checked: lxml would guess past a bad byte silently."""
    try:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        if len(raw) > MAX_FILE_BYTES:
            raise InputError(f"is {len(raw):,} bytes, too big for a portal page", where=where)
        raw.decode("utf-8")
    except UnicodeError as error:
        offset = getattr(error, "start", None)
        raise InputError(
            f"is not UTF-8 text (bad data at offset {offset}; the portal's pages are UTF-8)",
            where=where,
        ) from None
    return raw


def _box_date(box: lxml.html.HtmlElement) -> tuple[date | None, str]:
    """The day box's date, or None and why not."""
    iso = _find(box, _ISO_DATE)
    if iso:
        text = " ".join(iso[0].text_content().split())
        try:
            return date.fromisoformat(text), ""
        except ValueError:
            return None, f"{text!r} is not a date (expected YYYY-MM-DD in its span.bday)"
    box_id = box.get("id") or ""
    match = _BOX_ID.search(box_id)
    if match is None or match[2].capitalize() not in MONTHS:
        return None, "no date (expected a span.bday or an id like 2023_January_1)"
    try:
        return date(int(match[1]), MONTHS.index(match[2].capitalize()) + 1, int(match[3])), ""
    except ValueError:
        return None, f"id {box_id!r} is not a date"


def _day_url(box: lxml.html.HtmlElement) -> str | None:
    """The day's portal page, named by its navbar's edit/history links."""
    for link in _find(box, _NAVBAR_LINKS):
        parts = urlsplit(link.get("href"))
        titles = parse_qs(parts.query).get("title", [])
        if parts.scheme in ("http", "https") and titles and titles[0].startswith("Portal:"):
            page = quote(titles[0].replace(" ", "_"), safe=":/_(),")
            return f"{parts.scheme}://{parts.netloc}/wiki/{page}"
    return None


def _read_content(content: lxml.html.HtmlElement, items: DayItems, where: str) -> None:
    """Read a day's category paragraphs and the bullet lists under them."""
    category: str | None = None
    top: list[str] = []
    for child in content:
        if not isinstance(child.tag, str):  # comments, processing instructions
            continue
        if child.tag in _LISTS:
            _read_list(child, category, top, items, where)
        elif child.tag in _HEADINGS:
            name = " ".join(child.text_content().split())
            if not name:
                continue
            if name.lower() in CATEGORIES:
                category, top = name, []
            elif name.lower() == UNCATEGORIZED:
                category, top = None, []
            else:
                category, top = None, [name]


def _read_list(
    bullets: lxml.html.HtmlElement,
    category: str | None,
    path: list[str],
    items: DayItems,
    where: str,
) -> None:
    for bullet in bullets:
        if bullet.tag != "li":
            continue
        own = _own(bullet)
        sublists = [child for child in bullet if child.tag in _LISTS]
        sources = [link for link in _find(own, _EXTERNAL) if _web_address(link) is not None]
        if sublists and not sources:  # a story heading
            name = " ".join(own.text_content().split())
            for sublist in sublists:
                _read_list(sublist, category, [*path, name] if name else path, items, where)
            continue
        _read_item(own, sources, category, path, items, where)
        for sublist in sublists:
            _read_list(sublist, category, path, items, where)


def _read_item(
    own: lxml.html.HtmlElement,
    links: list[lxml.html.HtmlElement],
    category: str | None,
    path: list[str],
    items: DayItems,
    where: str,
) -> None:
    heading = path[-1] if path else category or "the day"
    sources = tuple(_source(link) for link in links)
    for link in links:
        link.drop_tree()  # keeps the text after it
    content = EventContent(
        items.date,
        " ".join(own.text_content().split()),
        story=path[-1] if path else None,
        category=category,
        contexts=_contexts(own),
        sources=sources,
    )
    try:
        items.add(content.validated())
    except InputError as error:
        items.skipped.append(f"{where}: {items.date}: a bullet under {heading!r}: {error}")


def _own(bullet: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """A copy of the bullet holding only its own, shown content."""
    own: lxml.html.HtmlElement = copy.deepcopy(bullet)
    own.tail = None
    for element in _find(own, _NOT_OWN_TEXT):
        if element.getparent() is not None:  # not inside one already dropped
            element.drop_tree()
    return own


def _web_address(link: lxml.html.HtmlElement) -> str | None:
    """The link's http(s) URL (repaired, see the module docstring), or None."""
    url = " ".join((link.get("href") or "").split())
    if url.startswith("//"):
        url = "https:" + url
    if not url.startswith(("http://", "https://")) or " " in url:
        return None
    if url.endswith("(") and not link.text_content().strip().startswith("("):
        url = url[:-1]
    return url


def _source(link: lxml.html.HtmlElement) -> Source:
    url = _web_address(link)
    text = " ".join(link.text_content().split())
    publisher = text.removeprefix("(").removesuffix(")").strip()
    if url is not None and (not publisher or _AUTONUMBER.fullmatch(publisher)):
        publisher = (urlsplit(url).hostname or publisher).removeprefix("www.")
    return Source(publisher, url)


def _contexts(own: lxml.html.HtmlElement) -> tuple[str, ...]:
    """The article titles the bullet's text links, in order, once each."""
    titles: list[str] = []
    for link in _find(own, ".//a[@href]"):
        href = link.get("href")
        classes = (link.get("class") or "").split()
        if not href.startswith("/wiki/") or "new" in classes or "extiw" in classes:
            continue
        title = link.get("title") or unquote(href[len("/wiki/") :].split("#")[0]).replace("_", " ")
        title = " ".join(title.split())
        namespace, colon, _ = title.partition(":")
        space = namespace.casefold()
        if not title or (colon and (space in NON_ARTICLE_NAMESPACES or space.endswith(" talk"))):
            continue
        if title not in titles:
            titles.append(title)
    return tuple(titles)

"""The static site's pages, made live: a URL path in, the bytes ``dateline build`` writes there out.

Every page comes from the same view functions (:mod:`dateline.render.views`, and
:mod:`dateline.render.article_views` for ``/articles/<id>``) and renderers as the
build's, read from the store at request time, so an edit shows at once and a served
page equals the built file byte for byte (``tests/web/test_pages.py`` checks every
file of a build). Only the requested format is rendered: the build's
:mod:`dateline.site.pages` renders all four at once, which a server would pay four
times over.

What the build learns by walking the whole archive (which days, months and years
have pages; every address a sitemap lists) is asked of the database here, with the
queries of :mod:`dateline.store.api_queries`. An address the build would not write
is a :class:`~dateline.errors.NotFoundError`, also when the store would find an event
there under another address (``<slug>.v1`` of a version whose page is ``<slug>``):
one page, one address.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from dateline.errors import NotFoundError
from dateline.model import (
    SITE_FEED_PATH,
    Event,
    EventArticle,
    EventEntry,
    RelatedEvent,
    Version,
    context_feed_path,
    context_path,
    day_path,
    event_path,
    home_path,
    month_path,
    story_path,
    story_slug,
    year_path,
)
from dateline.render.article_views import article_view, render_article_html
from dateline.render.atom import render_atom
from dateline.render.html_format import render_html, stylesheet
from dateline.render.json_format import render_json
from dateline.render.markdown import render_day_index, render_event_page, version_path
from dateline.render.markdown_article import render_article_markdown
from dateline.render.markdown_lists import render_list_markdown
from dateline.render.views import (
    CONTEXTS_ON_HOME_PAGE,
    DAYS_ON_HOME_PAGE,
    LATEST_ON_CONTEXT_PAGE,
    context_view,
    context_years,
    day_view,
    event_view,
    feed_view,
    home_view,
    month_view,
    story_view,
    year_view,
)
from dateline.render.xml_format import render_xml
from dateline.site.build import CONTEXT_FEED_SIZE, FEED_SIZE, RELATED_LIMIT
from dateline.site.sitemap import (
    INDEX_PATH,
    SITE_SITEMAP_PATH,
    _urlset,  # the build's own sitemap writer (private there: ask to make it public)
    sitemap_index,
)
from dateline.store import Store
from dateline.store.api_queries import (
    change_mark,
    context_year_counts,
    has_versions_dated,
    version_addresses,
    version_story_names,
    version_years,
)
from dateline.store.quick import Reader
from dateline.web.cursor import MAX_ID

MEDIA_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
    "xml": "application/xml",
    "atom": "application/atom+xml",
    "css": "text/css; charset=utf-8",
}
"""Content type by extension: the same as a static host serving the built site."""

NOT_FOUND_VIEW = {"type": "not-found", "path": "/404", "title": "Not found"}


@dataclass(frozen=True, slots=True)
class Page:
    """A page ready to send."""

    body: bytes
    media_type: str


def _encoded(text: str | bytes) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else text


def render_view(view: dict[str, Any], ext: str, markdown: Callable[[], str]) -> Page:
    """A page view in one format (``markdown`` makes the Markdown, which not every view can)."""
    if ext == "md":
        body: str | bytes = markdown()
    elif ext == "html":
        body = render_html(view)
    elif ext == "json":
        body = render_json(view)
    else:
        body = render_xml(view)
    return Page(_encoded(body), MEDIA_TYPES[ext])


def not_found_page() -> Page:
    """``/404.html``, which a server shows at any missing address (its links are absolute)."""
    return Page(_encoded(render_html(NOT_FOUND_VIEW)), MEDIA_TYPES["html"])


def edit_path(event_id: int) -> str:
    """The address of an event's edit form (live only: :mod:`dateline.web.forms`)."""
    return f"/edit/{event_id}"


def edit_link(event_id: int) -> bytes:
    """The one thing a served HTML event page has that the built one has not: a link to
    the event's edit form, just before ``</main>``.

    Why the live page alone: a static host has no server to write with, so the link
    would lead to a missing page there (and fail the built site's link check). A served
    event page is exactly :func:`with_edit_link` of the built file, which
    ``tests/web/test_pages.py`` checks byte for byte; every other page is the file.
    """
    return (
        f'<nav class="edit" aria-label="Editing"><a href="{edit_path(event_id)}" '
        'rel="nofollow">Edit this event</a></nav>\n'
    ).encode()


def with_edit_link(page: bytes, event_id: int) -> bytes:
    """An event's HTML page with :func:`edit_link` before its ``</main>``."""
    head, end, tail = page.rpartition(b"</main>")
    return head + edit_link(event_id) + end + tail if end else page


def event_page_view(
    store: Store, event: Event, version: Version, reader: Reader | None = None
) -> tuple[dict[str, Any], list[RelatedEvent], list[EventArticle]]:
    """The view of ``version``'s page, and the related list and source articles it shows
    (current version only).

    ``reader``: a quick reader (:mod:`dateline.store.quick`) to read the tags' slugs with.
    """
    is_current = version.number == event.current.number
    contexts = version.content.contexts
    named = reader.tags_named(contexts) if reader is not None else []
    if reader is not None and is_current:
        # The current version's tags are the event's own (event_contexts holds them in
        # this order), known to the process after the first page naming them: the
        # related list takes them from the reader instead of reading them again.
        reader.remember_tags(event.id, named)
    related = store.related(event.id, RELATED_LIMIT, reader) if is_current else []
    articles: list[EventArticle] = []
    if is_current:
        articles = (
            store.event_articles([event.id]).get(event.id, [])
            if reader is None
            else reader.event_articles(event.id)
        )
    if reader is None:
        slugs = store.context_slugs(contexts)
    else:
        slugs = {name: slug for _, name, slug in named}
    return event_view(event, version, related, slugs, articles), related, articles


def article_page(store: Store, article_id: int, ext: str) -> Page:
    """An article's page in one format; NotFoundError if there is no such article."""
    if not 1 <= article_id <= MAX_ID:
        raise NotFoundError(f"no article with id {article_id}")
    view = article_view(store.article_detail(article_id))
    if ext == "html":
        return Page(_encoded(render_article_html(view)), MEDIA_TYPES["html"])
    return render_view(view, ext, lambda: render_article_markdown(view))


_EXT = r"\.(?P<ext>md|html|json|xml)"
_DAY = r"/news/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>[1-9]\d?)"
_SLUG = r"(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)"
# An event slug is matched loosely (imported slugs are kept verbatim), but never with
# a control character: PostgreSQL refuses NUL in a query parameter.
_EVENT_SLUG = r"(?P<slug>[^/\x00-\x1f\x7f]+?)"
ROUTES: tuple[tuple[str, str], ...] = (
    (r"/index" + _EXT, "home"),
    (r"/news/(?P<y>\d{4})/index" + _EXT, "year"),
    (r"/news/(?P<y>\d{4})/(?P<m>\d{2})/index" + _EXT, "month"),
    (_DAY + "/index" + _EXT, "day"),
    (_DAY + "/" + _EVENT_SLUG + r"(?:\.v(?P<version>[1-9]\d{0,8}))?" + _EXT, "event"),
    (r"/context/" + _SLUG + _EXT, "context"),
    (r"/context/" + _SLUG + r"/(?P<y>\d{4})" + _EXT, "context_year"),
    (r"/context/" + _SLUG + r"\.atom", "context_feed"),
    (r"/story/" + _SLUG + _EXT, "story"),
    (r"/articles/(?P<id>[1-9]\d{0,9})" + _EXT, "article"),
    (re.escape(SITE_FEED_PATH), "site_feed"),
    (re.escape(INDEX_PATH), "sitemap_index"),
    (re.escape(SITE_SITEMAP_PATH), "site_sitemap"),
    (r"/sitemaps/(?P<y>\d{4})\.xml", "year_sitemap"),
    (r"/style\.css", "stylesheet"),
    (r"/404\.html", "not_found"),
)
"""Every address the build writes, as a pattern, and the method of :class:`SitePages`."""
_COMPILED = tuple((re.compile(pattern), name) for pattern, name in ROUTES)
_ANY_ROUTE = re.compile(
    "|".join(f"(?:{re.sub(r'[(][?]P<[a-z]+>', '(?:', pattern)})" for pattern, _ in ROUTES)
)
"""Every route at once (their groups unnamed: Python allows a name once): the server
asks of every request whether it is a page's address, one match instead of up to 16."""


def _day(match: re.Match[str]) -> date:
    try:
        return date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise NotFoundError(f"{match.string} names a day that does not exist") from None


def _year(match: re.Match[str]) -> int:
    year = int(match["y"])
    if year < 1:
        raise NotFoundError(f"{match.string} names year 0")
    return year


def _month(match: re.Match[str]) -> tuple[date, date]:
    year, month = _year(match), int(match["m"])
    if not 1 <= month <= 12:
        raise NotFoundError(f"{match.string} names month {month}")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _list_page(view: dict[str, Any], ext: str) -> Page:
    return render_view(view, ext, lambda: render_list_markdown(view))


class SitePages:
    """The site's pages, read from ``store`` at each request."""

    def __init__(self, store: Store, *, edit_links: bool = True) -> None:
        self.store = store
        self.edit_links = edit_links  # event pages link to their edit form
        self._story_slugs: tuple[str, frozenset[str]] | None = None

    @staticmethod
    def serves(path: str) -> bool:
        """Whether ``path`` is the address of a page (found or not): only pages have them."""
        if path.endswith("/"):
            path += "index.html"
        return _ANY_ROUTE.fullmatch(path) is not None

    def page(self, path: str, base_url: str, reader: Reader | None = None) -> Page:
        """The page at URL path ``path`` (``/news/2012/02/9/x.html``); NotFoundError if none.

        ``base_url`` (no trailing ``/``) makes the absolute addresses of feeds and sitemaps.
        ``reader``: a quick reader already open (the server's, which read the change
        mark with it), for the pages read on one (event pages).
        """
        if path.endswith("/"):  # a folder: its index page, as a static host serves it
            path += "index.html"
        for pattern, name in _COMPILED:
            match = pattern.fullmatch(path)
            if match:
                handler: Callable[[re.Match[str], str, Reader | None], Page] = getattr(
                    self, "_" + name
                )
                return handler(match, base_url, reader)
        raise NotFoundError(f"no page at {path}")

    # -- lists ---------------------------------------------------------------------

    def _home(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        store = self.store
        day_counts = store.day_counts()
        latest_days = sorted(day_counts, reverse=True)[:DAYS_ON_HOME_PAGE]
        by_day: dict[date, list[EventEntry]] = defaultdict(list)
        if latest_days:
            for entry in store.entries_between(latest_days[-1], latest_days[0]):
                by_day[entry.date].append(entry)
        view = home_view(
            {d: by_day[d] for d in latest_days},
            day_counts,
            store.contexts(limit=CONTEXTS_ON_HOME_PAGE),
        )
        return _list_page(view, match["ext"])

    def _year(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        year = _year(match)
        if not has_versions_dated(self.store, date(year, 1, 1), date(year, 12, 31)):
            raise NotFoundError(f"no events in {year}")
        return _list_page(year_view(year, self.store.day_counts()), match["ext"])

    def _month(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        first, last = _month(match)
        if not has_versions_dated(self.store, first, last):
            raise NotFoundError(f"no events in {first:%Y-%m}")
        view = month_view(first.year, first.month, self.store.entries_between(first, last))
        return _list_page(view, match["ext"])

    def _day(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        day = _day(match)
        if not self.store.taken_slugs(day):
            raise NotFoundError(f"no events on {day.isoformat()}")
        entries = self.store.entries_between(day, day)
        return render_view(
            day_view(day, entries), match["ext"], lambda: render_day_index(day, entries)
        )

    def _context(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        slug = match["slug"]
        context = self.store.context(slug)
        counts = self.store.context_day_counts(slug)
        head = self.store.entries_with_context(slug, latest=LATEST_ON_CONTEXT_PAGE)
        return _list_page(context_view(context, head, day_counts=counts), match["ext"])

    def _context_year(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        slug, year = match["slug"], _year(match)
        context = self.store.context(slug)
        counts = self.store.context_day_counts(slug)
        if year not in context_years(counts):
            raise NotFoundError(f"context tag {slug!r} has no page of year {year}")
        listed = self.store.entries_with_context(slug, year=year)
        return _list_page(context_view(context, listed, year=year, day_counts=counts), match["ext"])

    def _story(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        slug = match["slug"]
        entries = self.store.entries_in_story(slug)
        if not entries and slug not in self._version_story_slugs():
            raise NotFoundError(f"no story with the slug {slug!r}")
        return _list_page(story_view(slug, entries), match["ext"])

    def _version_story_slugs(self) -> frozenset[str]:
        """Slugs of every story any version names, kept until the archive next changes.

        A story only earlier versions name still has its page; finding that out reads
        every version, which a request for a made-up story must not do each time.
        """
        mark = change_mark(self.store)
        if self._story_slugs is None or self._story_slugs[0] != mark:
            slugs = frozenset(s for n in version_story_names(self.store) if (s := story_slug(n)))
            self._story_slugs = (mark, slugs)
        return self._story_slugs[1]

    # -- events --------------------------------------------------------------------

    def _event(self, match: re.Match[str], _base: str, reader: Reader | None) -> Page:
        day, ext = _day(match), match["ext"]
        number = int(match["version"]) if match["version"] else None
        # The most asked-for page: read on the driver (dateline.store.quick), not
        # through Store.find and friends, which cost ten times as much per read.
        if reader is None:
            with self.store.quick.connection() as own:
                return self._event(match, _base, own)
        found = reader.find_event(day, match["slug"], number)
        if found is None:
            raise NotFoundError(f"no event at {match.string}")
        event, number = found
        version = event.version(number)
        if version_path(event, version, ext) != match.string:
            raise NotFoundError(f"no page at {match.string}")
        view, related, articles = event_page_view(self.store, event, version, reader)
        page = render_view(
            view, ext, lambda: render_event_page(event, version, related, articles, site=True)
        )
        if ext == "html" and self.edit_links:
            return Page(with_edit_link(page.body, event.id), page.media_type)
        return page

    def _article(self, match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        return article_page(self.store, int(match["id"]), match["ext"])

    # -- feeds, sitemaps, fixed files ----------------------------------------------

    def _site_feed(self, _match: re.Match[str], base_url: str, _reader: Reader | None) -> Page:
        entries = self.store.latest_entries(FEED_SIZE)
        view = feed_view("Dateline: latest events", SITE_FEED_PATH, home_path("")[:-1], entries)
        return Page(render_atom(view, base_url=base_url), MEDIA_TYPES["atom"])

    def _context_feed(self, match: re.Match[str], base_url: str, _reader: Reader | None) -> Page:
        slug = match["slug"]
        context = self.store.context(slug)
        path = context_feed_path(slug)
        entries = self.store.latest_entries(CONTEXT_FEED_SIZE, slug)
        view = feed_view(f"Dateline: {context.name}", path, path.removesuffix(".atom"), entries)
        return Page(render_atom(view, base_url=base_url), MEDIA_TYPES["atom"])

    def _sitemap_index(self, _match: re.Match[str], base_url: str, _reader: Reader | None) -> Page:
        return Page(sitemap_index(base_url, version_years(self.store)), MEDIA_TYPES["xml"])

    def _year_sitemap(self, match: re.Match[str], base_url: str, _reader: Reader | None) -> Page:
        year = _year(match)
        addresses = version_addresses(self.store, date(year, 1, 1), date(year, 12, 31))
        if not addresses:
            raise NotFoundError(f"no events in {year}")
        paths = {year_path(year, "html")}
        latest: dict[tuple[int, date, str], int] = {}
        for address in addresses:  # ordered by event and number: the last one wins
            day = address.date
            paths.add(month_path(day.year, day.month, "html"))
            paths.add(day_path(day, "html"))
            latest[address.event_id, day, address.slug] = address.number
        for address in addresses:
            # A version shadowed by a later one with the same date and slug is at .vN.
            newest = latest[address.event_id, address.date, address.slug]
            number = address.number if address.number != newest else None
            paths.add(event_path(address.date, address.slug, "html", version=number))
        return Page(_urlset(base_url, sorted(paths)), MEDIA_TYPES["xml"])

    def _site_sitemap(self, _match: re.Match[str], base_url: str, _reader: Reader | None) -> Page:
        contexts = [context_path(c.slug, "html") for c in self.store.contexts(include_unused=True)]
        for slug, years in context_year_counts(self.store).items():
            by_year = {date(year, 1, 1): n for year, n in years.items()}
            contexts += [context_path(slug, "html", year=y) for y in context_years(by_year)]
        stories = {story_path(s, "html") for s in self._version_story_slugs()}
        paths: Sequence[str] = [home_path("html"), *sorted(contexts), *sorted(stories)]
        return Page(_urlset(base_url, paths), MEDIA_TYPES["xml"])

    def _stylesheet(self, _match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        return Page(_encoded(stylesheet()), MEDIA_TYPES["css"])

    def _not_found(self, _match: re.Match[str], _base: str, _reader: Reader | None) -> Page:
        return not_found_page()

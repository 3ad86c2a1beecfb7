"""The archive's URL scheme, shared by every reader and writer of pages.

``/news/YYYY/MM/D/<slug>.<ext>`` is an event page and ``/news/YYYY/MM/D/index.<ext>`` a
day index: the month is zero-padded, the day is not (``/news/2012/02/9/``), as in the
archive the seed pages come from. An earlier version whose slug a later version of the
same event reuses (an edit that kept the headline) lives at ``<slug>.v<N>.<ext>``, so
that every version has a page and the plain slug always shows the newest one.

The other pages of a published archive:

- ``/news/YYYY/MM/index.<ext>`` a month, ``/news/YYYY/index.<ext>`` a year;
- ``/context/<slug>.<ext>`` a context tag: its latest events, a chart, and its years;
  ``/context/<slug>/YYYY.<ext>`` that tag's events of one year (the pagination: an
  event keeps its page as the tag grows, unlike with numbered pages);
- ``/story/<slug>.<ext>`` a story heading's events; ``/index.<ext>`` the home page;
- ``/articles/<id>.<ext>`` a source article (its id in the store): text, metadata,
  the events it reports and its copies;
- feeds: ``/feed.atom`` and ``/context/<slug>.atom``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from dateline.errors import InputError

FORMATS = ("md", "html", "json", "xml")

_EVENT_PATH_RE = re.compile(
    r"^/?news/(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{1,2})/"
    r"(?P<slug>[^/]+?)(?:\.v(?P<version>[1-9]\d*))?\.(?P<ext>md|html|json|xml)$"
)


def day_label(day: date) -> str:
    """The archive's way of writing a date in headings: ``2012-02-9``."""
    return f"{day.year:04d}-{day.month:02d}-{day.day}"


@lru_cache(maxsize=1 << 16)
def day_dir(day: date) -> str:
    """``/news/2012/02/9``; made once per day (pages link to the same few thousand days
    thousands of times). Bounded (179 years of days), so a long-running server keeps
    no more than that, whatever days it is asked about."""
    return f"/news/{day.year:04d}/{day.month:02d}/{day.day}"


def day_path(day: date, ext: str = "md") -> str:
    return f"{day_dir(day)}/index.{ext}"


def event_path(day: date, slug: str, ext: str = "md", *, version: int | None = None) -> str:
    """Path of an event page; ``version`` only for an earlier version sharing a later slug."""
    suffix = f".v{version}" if version is not None else ""
    return f"{day_dir(day)}/{slug}{suffix}.{ext}"


def month_path(year: int, month: int, ext: str = "md") -> str:
    return f"/news/{year:04d}/{month:02d}/index.{ext}"


def year_path(year: int, ext: str = "md") -> str:
    return f"/news/{year:04d}/index.{ext}"


def context_path(slug: str, ext: str = "md", *, year: int | None = None) -> str:
    """A context tag's page; with ``year``, its page of that year's events."""
    return f"/context/{slug}/{year:04d}.{ext}" if year is not None else f"/context/{slug}.{ext}"


def story_path(slug: str, ext: str = "md") -> str:
    return f"/story/{slug}.{ext}"


def home_path(ext: str = "md") -> str:
    return f"/index.{ext}"


def article_path(article_id: int, ext: str = "md") -> str:
    """A source article's page: its clean text, metadata, events and copies."""
    return f"/articles/{article_id}.{ext}"


SITE_FEED_PATH = "/feed.atom"


def context_feed_path(slug: str) -> str:
    return f"/context/{slug}.atom"


@dataclass(frozen=True, slots=True)
class PagePath:
    """An event page address taken apart."""

    date: date
    slug: str
    ext: str
    version: int | None = None

    @property
    def is_day_index(self) -> bool:
        return self.slug == "index"


def parse_page_path(path: str) -> PagePath:
    """Read ``/news/2012/02/9/<slug>.md`` (or a full URL ending so) into its parts.

    Raises InputError saying what was expected when ``path`` is not such an address or
    names a day that does not exist.
    """
    text = path.strip()
    if "://" in text:  # a full URL: keep its path
        text = "/" + text.split("://", 1)[1].split("/", 1)[-1]
    text = text.split("?", 1)[0].split("#", 1)[0]
    match = _EVENT_PATH_RE.match(text)
    if not match:
        raise InputError(
            f"{path!r} is not a page address (expected /news/YYYY/MM/D/<slug>.md)",
            field="path",
        )
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        raise InputError(f"{path!r} names a day that does not exist", field="path") from None
    version = int(match["version"]) if match["version"] else None
    return PagePath(day, match["slug"], match["ext"], version)

"""One plain dict per page: every format (Markdown, HTML, JSON, XML) is written from it.

Keeping the page's information in one place is what makes the formats carry the same
information (the approach of datasette's renderer). Keys are in a fixed order, so the
JSON is stable. Paths are given without an extension: add ``.md``, ``.html``,
``.json`` or ``.xml`` for a format.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from dateline.model import (
    Context,
    Event,
    EventArticle,
    EventEntry,
    RelatedEvent,
    Version,
    context_feed_path,
    context_path,
    context_slug,
    day_label,
    day_path,
    home_path,
    month_path,
    story_path,
    story_slug,
    year_path,
)
from dateline.model.paths import day_dir
from dateline.render.article_views import event_article_entry
from dateline.render.chart import MONTH_NAMES
from dateline.render.listed import ListedEntry, listed_entries
from dateline.render.markdown import version_label, version_path


def _no_ext(path: str) -> str:
    return path.rsplit(".", 1)[0]


@cache
def _iso(day: date) -> str:
    """``day.isoformat()``, made once per day: lists repeat the same few thousand days."""
    return day.isoformat()


def _event_page(day: date, slug: str) -> str:
    """``event_path(day, slug)`` without its extension (the folder made once per day)."""
    return f"{day_dir(day)}/{slug}"


def _time(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None


LATEST_ON_CONTEXT_PAGE = 50
"""A context tag's page lists its latest events; its year pages list the rest."""
DAYS_ON_HOME_PAGE = 7
CONTEXTS_ON_HOME_PAGE = 40


def event_view(
    event: Event,
    version: Version | None = None,
    related: Sequence[RelatedEvent] = (),
    context_slugs: Mapping[str, str] | None = None,
    articles: Sequence[EventArticle] = (),
) -> dict[str, Any]:
    """The page of ``version`` (default: current) of ``event``; related events and source
    articles only when current (they describe the event as it is now).

    ``context_slugs`` gives the stored slug of each tag (the store makes them unique:
    ``homs``, ``homs-2``); without it, slugs are derived from the names. ``retired``
    says whether the event is retired now, on the page of every version: a reader
    landing on an old version learns it too.
    """
    slugs = context_slugs or {}
    version = version or event.current
    content = version.content
    is_current = version.number == event.current.number
    return {
        "type": "event",
        "id": event.id,
        "path": _no_ext(version_path(event, version)),
        "current_path": _no_ext(version_path(event, event.current)),
        "date": content.date.isoformat(),
        "day": {"label": day_label(content.date), "path": _no_ext(day_path(content.date))},
        "headline": content.headline,
        "summary": content.summary,
        "partial": version.partial,
        "retired": event.retired,
        "story": _story(content.story),
        "category": content.category,
        "contexts": [
            {"name": name, "slug": slugs.get(name) or context_slug(name)}
            for name in content.contexts
        ],
        "sources": [{"publisher": s.publisher, "url": s.url} for s in content.sources],
        "cover_image": content.cover_image,
        "articles": [event_article_entry(a) for a in (articles if is_current else ())],
        "version": {
            "number": version.number,
            "count": len(event.versions),
            "current": is_current,
            "created_at": _time(version.created_at),
            "editor": version.editor,
            "note": version.note,
        },
        "versions": [
            {
                "number": v.number,
                "label": version_label(event, v),
                "headline": v.content.headline,
                "path": _no_ext(version_path(event, v)),
                "created_at": _time(v.created_at),
                "editor": v.editor,
                "note": v.note,
                "partial": v.partial,
            }
            for v in event.versions
        ],
        "related": related_view(related if is_current else ()),
    }


def related_view(related: Sequence[RelatedEvent]) -> list[dict[str, Any]]:
    """An event page's related list (the last key of its view: see
    :mod:`dateline.render.related_splice`)."""
    return [
        {
            "id": r.event_id,
            "date": _iso(r.date),
            "headline": r.headline,
            "path": _event_page(r.date, r.slug),
            "shared": list(r.shared),
        }
        for r in related
    ]


def _story(name: str | None) -> dict[str, str] | None:
    if name is None:
        return None
    return {"name": name, "path": _no_ext(story_path(story_slug(name) or "story"))}


def entry_view(entry: EventEntry) -> dict[str, Any]:
    """One event in a list: enough to show and link it."""
    return {
        "id": entry.id,
        "date": _iso(entry.date),
        "headline": entry.headline,
        "path": _event_page(entry.date, entry.slug),
        "category": entry.category,
        "story": _story(entry.story),
        "contexts": [{"name": c.name, "slug": c.slug} for c in entry.contexts],
        "retired": entry.retired,
    }


def _entry_views(entries: Iterable[EventEntry]) -> list[dict[str, Any] | ListedEntry]:
    """:func:`entry_view` of each, or the entry a full build made of it in every format
    (:mod:`dateline.render.listed`)."""
    book = listed_entries()
    if book is None:
        return [entry_view(e) for e in entries]
    return [book.get(e.id) or entry_view(e) for e in entries]


def _newest_first(entries: Iterable[EventEntry]) -> list[EventEntry]:
    return sorted(entries, key=lambda e: (e.date, e.id), reverse=True)


def _months(dates: Iterable[date] | Mapping[date, int]) -> list[dict[str, Any]]:
    """Events per month, oldest first: the data of a page's timeline chart."""
    counts: Counter[str] = Counter()
    if isinstance(dates, Mapping):
        for day, n in dates.items():
            counts[f"{day.year:04d}-{day.month:02d}"] += n
    else:
        counts.update(f"{d.year:04d}-{d.month:02d}" for d in dates)
    return [{"month": month, "count": counts[month]} for month in sorted(counts)]


def _month_title(year: int, month: int) -> str:
    return f"{MONTH_NAMES[month - 1]} {year}"


def _day_group(day: date, entries: Sequence[EventEntry]) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "label": day_label(day),
        "path": _no_ext(day_path(day)),
        "events": _entry_views(entries),
    }


def _years(day_counts: Mapping[date, int], path_of: Any) -> list[dict[str, Any]]:
    """Years with their event counts, from the number of events of each day."""
    counts: Counter[int] = Counter()
    for day, n in day_counts.items():
        counts[day.year] += n
    return [{"year": y, "path": _no_ext(path_of(y)), "count": counts[y]} for y in sorted(counts)]


def day_view(day: date, entries: Sequence[EventEntry]) -> dict[str, Any]:
    """A day's events in the order they were added (as the day index pages list them)."""
    return {
        "type": "day",
        "path": _no_ext(day_path(day)),
        "title": day_label(day),
        **{k: v for k, v in _day_group(day, entries).items() if k != "path"},
        "month": {
            "title": _month_title(day.year, day.month),
            "path": _no_ext(month_path(day.year, day.month)),
        },
    }


def month_view(year: int, month: int, entries: Sequence[EventEntry]) -> dict[str, Any]:
    """A month's days, newest first, each with its events (oldest first within a day)."""
    by_day: dict[date, list[EventEntry]] = {}
    for entry in sorted(entries, key=lambda e: (e.date, e.id)):
        by_day.setdefault(entry.date, []).append(entry)
    return {
        "type": "month",
        "path": _no_ext(month_path(year, month)),
        "title": _month_title(year, month),
        "year": {"year": year, "path": _no_ext(year_path(year))},
        "count": len(entries),
        "days": [_day_group(day, by_day[day]) for day in sorted(by_day, reverse=True)],
    }


def year_view(year: int, day_counts: Mapping[date, int]) -> dict[str, Any]:
    """A year's months with their event counts (the chart's data), newest first."""
    counts: Counter[int] = Counter()
    for day, n in day_counts.items():
        if day.year == year:
            counts[day.month] += n
    return {
        "type": "year",
        "path": _no_ext(year_path(year)),
        "title": str(year),
        "count": sum(counts.values()),
        "months": [
            {
                "month": f"{year:04d}-{m:02d}",
                "title": _month_title(year, m),
                "path": _no_ext(month_path(year, m)),
                "count": counts[m],
            }
            for m in sorted(counts, reverse=True)
        ],
    }


def context_years(day_counts: Mapping[date, int]) -> list[int]:
    """The years that get a page of a tag's events: none when its page lists them all."""
    if sum(day_counts.values()) <= LATEST_ON_CONTEXT_PAGE:
        return []
    return sorted({day.year for day in day_counts})


def context_view(
    context: Context,
    entries: Sequence[EventEntry],
    year: int | None = None,
    day_counts: Mapping[date, int] | None = None,
    years: Sequence[int] | None = None,
) -> dict[str, Any]:
    """A context tag's page: its latest events, or (``year``) all its events of one year.

    ``entries`` holds at least the events to list (the latest ones, or the year's: the
    rest are left out); ``day_counts`` counts all the tag's events by day (by default,
    from ``entries``), which a build can get without loading every event of a big tag.
    ``years``: the tag's :func:`context_years`, when the caller has them; then a year
    page's ``day_counts`` need hold only that year's days (a build writing a big tag's
    twenty year pages counts its days once, not once a page).
    The tag's page has the chart of all its events and links to its year pages (when
    it has more events than it lists). A year page has that year's events and chart,
    and the links to the other years, but nothing from other years (no counts): so an
    edit rewrites only its own year's page.
    """
    counts = day_counts if day_counts is not None else Counter(e.date for e in entries)
    listed = _newest_first(e for e in entries if year is None or e.date.year == year)
    if year is None:
        listed = listed[:LATEST_ON_CONTEXT_PAGE]
        charted = dict(counts)
    else:
        charted = {day: n for day, n in counts.items() if day.year == year}
    return {
        "type": "context",
        "path": _no_ext(context_path(context.slug, year=year)),
        "title": context.name if year is None else f"{context.name}, {year}",
        "name": context.name,
        "slug": context.slug,
        "year": year,
        "count": sum(charted.values()),
        "head": _no_ext(context_path(context.slug)),
        "feed": context_feed_path(context.slug),
        "months": _months(charted),
        "years": [
            {"year": y, "path": _no_ext(context_path(context.slug, year=y))}
            for y in (context_years(counts) if years is None else years)
        ],
        "events": _entry_views(listed),
    }


def story_view(slug: str, entries: Sequence[EventEntry]) -> dict[str, Any]:
    """A story heading's events, newest first, with its chart data."""
    names = sorted({e.story for e in entries if e.story})
    return {
        "type": "story",
        "path": _no_ext(story_path(slug)),
        "title": " / ".join(names) or slug,
        "slug": slug,
        "names": names,
        "count": len(entries),
        "months": _months(e.date for e in entries),
        "events": _entry_views(_newest_first(entries)),
    }


def home_view(
    latest: Mapping[date, Sequence[EventEntry]],
    day_counts: Mapping[date, int],
    contexts: Sequence[Context],
) -> dict[str, Any]:
    """The home page: the latest days with events, the years, and the busiest tags."""
    months: Counter[str] = Counter()
    for day, n in day_counts.items():
        months[f"{day.year:04d}-{day.month:02d}"] += n
    return {
        "type": "home",
        "path": _no_ext(home_path()),
        "title": "Dateline",
        "count": sum(day_counts.values()),
        "days": [_day_group(day, latest[day]) for day in sorted(latest, reverse=True)],
        "months": [{"month": m, "count": months[m]} for m in sorted(months)],
        "years": _years(day_counts, year_path),
        "contexts": [
            {"name": c.name, "slug": c.slug, "count": c.event_count}
            for c in contexts[:CONTEXTS_ON_HOME_PAGE]
        ],
    }


def feed_view(
    title: str, path: str, alternate: str, entries: Sequence[EventEntry]
) -> dict[str, Any]:
    """An Atom feed's content: ``entries`` newest change first (see render/atom.py)."""
    updated = [e.updated_at for e in entries if e.updated_at]
    return {
        "type": "feed",
        "title": title,
        "path": path,
        "alternate": alternate,
        "updated": _time(max(updated)) if updated else None,
        "entries": [
            {
                "id": e.id,
                "headline": e.headline,
                "summary": e.summary,
                "date": e.date.isoformat(),
                "updated": _time(e.updated_at),
                "path": _event_page(e.date, e.slug),
                "contexts": [{"name": c.name, "slug": c.slug} for c in e.contexts],
                "sources": [],
            }
            for e in entries
        ],
    }

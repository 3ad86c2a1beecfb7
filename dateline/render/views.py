"""One plain dict per page: every format (JSON, XML, and later HTML) is written from it.

Keeping the page's information in one place is what makes the formats carry the same
information (the approach of datasette's renderer). Keys are in a fixed order, so the
JSON is stable. Paths are given without an extension: add ``.md``, ``.html``,
``.json`` or ``.xml`` for a format.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from dateline.model import (
    Event,
    RelatedEvent,
    Version,
    context_slug,
    day_label,
    day_path,
    event_path,
)
from dateline.render.markdown import version_label, version_path


def _no_ext(path: str) -> str:
    return path.rsplit(".", 1)[0]


def _time(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None


def event_view(
    event: Event, version: Version | None = None, related: Sequence[RelatedEvent] = ()
) -> dict[str, Any]:
    """The page of ``version`` (default: current) of ``event``; related only when current."""
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
        "story": content.story,
        "category": content.category,
        "contexts": [{"name": name, "slug": context_slug(name)} for name in content.contexts],
        "sources": [{"publisher": s.publisher, "url": s.url} for s in content.sources],
        "cover_image": content.cover_image,
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
        "related": [
            {
                "id": r.event_id,
                "date": r.date.isoformat(),
                "headline": r.headline,
                "path": _no_ext(event_path(r.date, r.slug)),
                "shared": list(r.shared),
            }
            for r in (related if is_current else ())
        ],
    }

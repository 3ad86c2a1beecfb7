"""Source articles as page views: an article's own page, and its entry on event pages.

Like :mod:`dateline.render.views`, one plain dict per page that every format is written
from (Markdown: :mod:`dateline.render.markdown_article`; HTML: ``article.html``; JSON,
XML), keys in a fixed order (docs/schemas/article.schema.json and article.xsd). Paths
have no extension.

An article page shows the clean text and what Dateline knows of the article: where
it was published and by whom, how its date was found, when and how it was read (and
its earlier versions), the events it is attached to with the linker's score and
reason, and the copies of its story found in the archive, the group's representative
marked (the one copy that counts as a source).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from dateline.model import (
    ArticleCopy,
    ArticleDetails,
    ArticleVersion,
    AttachedEvent,
    EventArticle,
    article_path,
    event_path,
)
from dateline.render import html_format


def _page(article_id: int) -> str:
    return article_path(article_id, "")[:-1]


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _time(value: datetime | None) -> str | None:
    return value.isoformat(sep=" ") if value else None


def _score(value: float) -> float:
    return round(float(value), 4)


def event_article_entry(item: EventArticle) -> dict[str, Any]:
    """An article as its event's page lists it: enough to show and link it, and which
    article it is a copy of (null when it stands for its story)."""
    article = item.article
    lead = article.copy_of
    return {
        "id": article.id,
        "path": _page(article.id),
        "title": article.title,
        "publisher": article.publisher,
        "domain": article.domain,
        "published": _day(article.published),
        "url": article.url,
        "copy_of": None if lead is None else {"id": lead, "path": _page(lead)},
    }


def article_view(details: ArticleDetails) -> dict[str, Any]:
    """The page of an article: its current version, history, events and copies."""
    article = details.article
    current = article.current
    content = current.content
    copies = details.copies
    return {
        "type": "article",
        "id": article.id,
        "path": _page(article.id),
        "title": content.title,
        "url": content.url,
        "publisher": content.publisher,
        "domain": content.domain,
        "authors": list(content.authors),
        "published": _day(content.published),
        "date_method": content.date_method,
        "language": content.language,
        "image_url": content.image_url,
        "lede": content.lede,
        "text": content.text,
        "content_hash": content.content_hash,
        "version": {
            "number": current.number,
            "count": len(article.versions),
            **_ingestion(current),
            "raw_size": current.raw_size,
        },
        "versions": [
            {
                "number": v.number,
                "title": v.content.title,
                **_ingestion(v),
                "content_hash": v.content.content_hash,
                "current": v.number == current.number,
            }
            for v in article.versions
        ],
        "events": [_event(attached) for attached in details.events],
        "representative": copies.is_representative,
        "copies": [_copy(copy, copies.representative_id) for copy in copies.copies],
    }


def _ingestion(version: ArticleVersion) -> dict[str, Any]:
    ingestion = version.ingestion
    return {
        "ingested_at": _time(version.ingested_at),
        "method": ingestion.method,
        "source": ingestion.source,
        "source_format": ingestion.source_format,
        "encoding": ingestion.encoding,
    }


def _event(attached: AttachedEvent) -> dict[str, Any]:
    entry, link = attached.event, attached.link
    return {
        "id": entry.id,
        "date": entry.date.isoformat(),
        "headline": entry.headline,
        "path": event_path(entry.date, entry.slug, "")[:-1],
        "retired": entry.retired,
        "score": _score(link.score),
        "reason": link.reason,
        "method": link.method,
    }


def _copy(copy: ArticleCopy, representative_id: int) -> dict[str, Any]:
    ref = copy.article
    return {
        "id": ref.id,
        "path": _page(ref.id),
        "title": ref.title,
        "publisher": ref.publisher,
        "domain": ref.domain,
        "published": _day(ref.published),
        "url": ref.url,
        "representative": ref.id == representative_id,
        "containment": None if copy.containment is None else _score(copy.containment),
    }


def text_paragraphs(view: dict[str, Any]) -> list[tuple[str, bool]]:
    """The article's text as paragraphs, each with whether it is the lede; the lede
    comes first on its own when the text does not contain it as a paragraph."""
    paragraphs = [p.strip() for p in view["text"].split("\n\n") if p.strip()]
    lede = view["lede"].strip()
    marked = [(p, bool(lede) and p == lede) for p in paragraphs]
    if lede and not any(is_lede for _, is_lede in marked):
        marked.insert(0, (lede, True))
    return marked


def render_article_html(view: dict[str, Any]) -> str:
    """An article page view as HTML, with the site's templates."""
    return html_format.render_html(view)

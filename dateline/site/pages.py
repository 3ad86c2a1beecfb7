"""The files each page gives: one per format (``.md``, ``.html``, ``.json``, ``.xml``).

Paths are the site's URL paths (``/news/2012/02/9/<slug>.html``); the content is text
or bytes, ready to write.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from dateline.model import ArticleDetails, Event, EventArticle, EventEntry, RelatedEvent, Version
from dateline.render.article_views import article_view, render_article_html
from dateline.render.html_format import render_html
from dateline.render.json_format import render_json
from dateline.render.markdown import render_day_index, render_event_page
from dateline.render.markdown_article import render_article_markdown
from dateline.render.markdown_lists import render_list_markdown
from dateline.render.views import day_view, event_view
from dateline.render.xml_format import render_xml

PageFile = tuple[str, str | bytes]


def _formats(view: dict[str, Any], markdown: str) -> list[PageFile]:
    path = view["path"]
    return [
        (f"{path}.md", markdown),
        (f"{path}.html", render_html(view)),
        (f"{path}.json", render_json(view)),
        (f"{path}.xml", render_xml(view)),
    ]


def event_files(
    event: Event,
    version: Version,
    related: Sequence[RelatedEvent],
    context_slugs: Mapping[str, str],
    articles: Sequence[EventArticle] = (),
) -> list[PageFile]:
    """The page of one version of an event (related lists and articles on the current
    one only)."""
    view = event_view(event, version, related, context_slugs, articles)
    return _formats(view, render_event_page(event, version, related, articles, site=True))


def article_files(details: ArticleDetails) -> list[PageFile]:
    """The page of a source article (``/articles/<id>``)."""
    view = article_view(details)
    path = view["path"]
    return [
        (f"{path}.md", render_article_markdown(view)),
        (f"{path}.html", render_article_html(view)),
        (f"{path}.json", render_json(view)),
        (f"{path}.xml", render_xml(view)),
    ]


def day_files(day: date, entries: Sequence[EventEntry]) -> list[PageFile]:
    return _formats(day_view(day, entries), render_day_index(day, entries))


def list_files(view: dict[str, Any]) -> list[PageFile]:
    """A month, year, context, story or home page."""
    return _formats(view, render_list_markdown(view))

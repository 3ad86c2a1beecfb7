"""Pages as HTML, from the page view, with Jinja2 (autoescaped: archive text is never markup).

Templates and the stylesheet live in ``templates/``; the stylesheet is inlined so a page
works offline and opened from disk. Each event page carries schema.org JSON-LD.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("dateline.render", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def event_json_ld(view: dict[str, Any]) -> str:
    """schema.org Event data, safe inside ``<script>``: ``<`` ``>`` ``&`` are \\u-escaped."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": view["headline"],
        "startDate": view["date"],
        "url": view["current_path"] + ".html",
    }
    if view["summary"]:
        data["description"] = view["summary"]
    if view["cover_image"]:
        data["image"] = view["cover_image"]
    if view["contexts"]:
        data["keywords"] = [c["name"] for c in view["contexts"]]
    if view["sources"]:
        data["subjectOf"] = [
            {
                "@type": "NewsArticle",
                "publisher": s["publisher"],
                **({"url": s["url"]} if s["url"] else {}),
            }
            for s in view["sources"]
        ]
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_event_html(view: dict[str, Any]) -> str:
    template = _environment().get_template("event.html")
    return template.render(page=view, json_ld=event_json_ld(view))

"""An article's page in Markdown, in the style of the event pages.

A ``Formats:`` line, the headline, a line saying who published it when, the text (its
lede in bold), then sections: ``### About:`` (address, publisher, authors, date and how
it was found, language, cover image, how and when it was read, content hash),
``### Events:``, ``### Copies:`` and ``### Versions:``. Written from the page view of
:mod:`dateline.render.article_views`, like the other formats; it is not read back.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dateline.render.article_views import text_paragraphs
from dateline.render.markdown import escape_block, escape_emphasis, escape_link_text, formats_line


def render_article_markdown(view: dict[str, Any]) -> str:
    """The article page ``view`` as Markdown."""
    lines = [formats_line(view["path"]), "", "### Article", ""]
    lines += [f"# {_one_line(view['title'] or 'Article ' + str(view['id']))} ", ""]
    byline = [_publisher(view) or "Publisher unknown", view["published"] or "undated"]
    if view["authors"]:
        byline.append("by " + ", ".join(view["authors"]))
    lines += [f"_{escape_emphasis(', '.join(byline))}_", ""]
    if not view["representative"]:
        lead = next(c for c in view["copies"] if c["representative"])
        lines += [
            f"_A copy of {_article_link(lead)}, which stands for the copies of this story._",
            "",
        ]
    for paragraph, is_lede in text_paragraphs(view):
        text = escape_block(paragraph)
        lines += [f"**{text}**" if is_lede else text, ""]
    sections = [["### About:", "", *_about(view)]]
    if view["events"]:
        sections.append(["### Events:", "", *_numbered(_event(e) for e in view["events"])])
    if view["copies"]:
        sections.append(["### Copies:", "", *_numbered(_copy(c) for c in view["copies"])])
    if len(view["versions"]) > 1:
        sections.append(["### Versions:", "", *_numbered(_version(v) for v in view["versions"])])
    for section in sections:
        lines += [*section, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _numbered(items: Iterable[str]) -> list[str]:
    return [f"{n}. {item}" for n, item in enumerate(items, 1)]


def _publisher(view: dict[str, Any]) -> str:
    name, domain = view["publisher"], view["domain"]
    if name and domain and name != domain:
        return f"{name} ({domain})"
    return name or domain or ""


def _article_link(item: dict[str, Any]) -> str:
    title = item["title"] or f"Article {item['id']}"
    return f"[{escape_link_text(title)}]({item['path']}.md)"


def _about(view: dict[str, Any]) -> list[str]:
    version = view["version"]
    facts = [
        ("Address", view["url"]),
        ("Publisher", _publisher(view) or None),
        ("Authors", ", ".join(view["authors"]) or None),
        ("Published", _published(view)),
        ("Language", view["language"]),
        ("Cover image", view["image_url"]),
        (
            "Read",
            f"{version['ingested_at']} from {version['method']} {version['source']} "
            f"({version['source_format']}, {version['encoding']}, {version['raw_size']} bytes)",
        ),
        ("Version", f"{version['number']} of {version['count']}"),
        ("Content hash", f"sha256:{view['content_hash']}"),
    ]
    return [f"- {name}: {value}" for name, value in facts if value]


def _published(view: dict[str, Any]) -> str | None:
    if not view["published"]:
        return None
    how = f" (found by {view['date_method']})" if view["date_method"] else ""
    return f"{view['published']}{how}"


def _event(item: dict[str, Any]) -> str:
    link = f"[{escape_link_text(item['headline'])} ]({item['path']}.md)"
    said = f"{item['date']}; score {item['score']:.2f} ({item['method']}): {item['reason']}"
    retired = " _(retired)_" if item["retired"] else ""
    return f"{link} _{escape_emphasis(said)}_{retired}"


def _copy(item: dict[str, Any]) -> str:
    said = [_publisher(item) or "publisher unknown", item["published"] or "undated"]
    if item["representative"]:
        said.append("the representative")
    if item["containment"] is not None:
        said.append(f"containment {item['containment']:.2f}")
    return f"{_article_link(item)} _{escape_emphasis(', '.join(said))}_"


def _version(item: dict[str, Any]) -> str:
    title = item["title"] or "untitled"
    current = " (current)" if item["current"] else ""
    return (
        f"Version {item['number']}{current}: {item['ingested_at']}, {item['method']} "
        f"{item['source']} _{escape_emphasis(title)}_"
    )

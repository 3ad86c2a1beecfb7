"""Event pages and day indexes in the seed format's canonical form.

Canonical means what seed 001 shows, made consistent: always a ``Formats:`` line,
always ``### Sources:``, lists numbered 1, 2, 3 (the cover image and the current
version are numbered like any other item), and two additions the seeds lack so that a
page says everything the archive knows: a ``### Contexts:`` section with the event's
own tags, and the editor and note after a ``Changes:`` entry. ``dateline.ingest.seedpage``
reads all of it back.

The site's pages say two more things, which an export (the seed format, for import)
leaves out: a retired event's notice under the day heading, and the current page's
``### Articles:`` section, the source articles attached to the event (both read back,
and not imported).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from dateline.ingest.seedpage import (
    COVER_IMAGE,
    LABEL_CURRENT,
    LABEL_FIRST,
    LABEL_UPDATE,
    PARTIAL_MARKER,
    RETIRED_NOTICE,
    TIMESTAMP_FORMAT,
)
from dateline.model import (
    Event,
    EventArticle,
    EventEntry,
    RelatedEvent,
    Version,
    article_path,
    day_label,
    day_path,
    event_path,
)
from dateline.model.paths import day_dir


def escape_link_text(text: str) -> str:
    """Backslash-escape what would end a Markdown link text early."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def version_path(event: Event, version: Version, ext: str = "md") -> str:
    """Where ``version`` of ``event`` is published.

    That is ``<slug>.v<N>`` when a later version reuses the slug, else the plain slug.
    """
    number = version.number if event.shadowed(version) else None
    return event_path(version.content.date, version.slug, ext, version=number)


def version_label(event: Event, version: Version) -> str:
    """``First version``, ``Update`` or ``Current version``, as the Changes list says."""
    if version.number == len(event.versions):
        return LABEL_CURRENT
    return LABEL_FIRST if version.number == 1 else LABEL_UPDATE


def formats_line(path_without_ext: str) -> str:
    links = "  ".join(
        f"[{name}]({path_without_ext}.{ext})"
        for name, ext in (("HTML", "html"), ("JSON", "json"), ("XML", "xml"))
    )
    return f"Formats: {links}  "


def render_event_page(
    event: Event,
    version: Version | None = None,
    related: Sequence[RelatedEvent] = (),
    articles: Sequence[EventArticle] = (),
    *,
    site: bool = False,
) -> str:
    """The page of ``version`` (default: the current one) of ``event``.

    ``related`` and ``articles`` are shown on the current version's page only: they
    describe the event as it is now, not as an earlier version had it. ``site`` makes
    the site's page, which also says whether the event is retired; without it, the
    page is the seed format an export writes and an import reads.
    """
    version = version or event.current
    content = version.content
    is_current = version.number == event.current.number
    own = version_path(event, version)
    lines = [formats_line(own.removesuffix(".md")), ""]
    lines += [f"### [{day_label(content.date)}]({day_path(content.date)})", ""]
    if site and event.retired:
        lines += [RETIRED_NOTICE.format(number=event.current.number), ""]
    if not is_current:
        current = version_path(event, event.current)
        lines += [
            f"_Version {version.number} of {len(event.versions)}: "
            f"see the [current version]({current})._",
            "",
        ]
    if content.category:
        lines.append(f"#### {content.category}")
    if content.story:
        lines.append(f"##### {content.story}")
    lines += [f"# {content.headline} ", ""]
    summary = PARTIAL_MARKER if version.partial else content.summary
    if summary:
        lines += [_escape_summary(summary), "", ""]
    sections: list[list[str]] = []
    if content.contexts:
        sections.append(
            ["### Contexts:", "", *(f"- {escape_link_text(c)}" for c in content.contexts)]
        )
    items = [
        f"[{escape_link_text(s.publisher)}]({s.url})" if s.url else escape_link_text(s.publisher)
        for s in content.sources
    ]
    if content.cover_image:
        items.append(f"[{COVER_IMAGE}]({content.cover_image})")
    if items:
        sections.append(["### Sources:", "", *_numbered(items)])
    if articles and is_current:
        sections.append(["### Articles:", "", *_numbered(_article_entry(a) for a in articles)])
    if len(event.versions) > 1 or _has_metadata(event.versions[0]):
        sections.append(["### Changes:", "", *_numbered(_change_entries(event))])
    if related and is_current:
        sections.append(related_section(related))
    for section in sections:
        lines += [*section, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_day_index(day: date, events: Sequence[EventEntry]) -> str:
    """The list of a day's events (their current state), in the order given."""
    own = day_path(day)
    lines = [formats_line(own.removesuffix(".md")), "", f"# [{day_label(day)}]({own})", ""]
    entries = [
        _link(event.headline, event_path(event.date, event.slug))
        + (f" _Context: {', '.join(c.name for c in event.contexts)}_" if event.contexts else "")
        for event in events
    ]
    lines += _numbered(entries)
    return "\n".join(lines).rstrip("\n") + "\n"


def _numbered(items: Iterable[str]) -> list[str]:
    return [f"{n}. {item}" for n, item in enumerate(items, 1)]


def _link(headline: str, path: str) -> str:
    # The archive's pages put a space after every headline inside the link text.
    return f"[{escape_link_text(headline)} ]({path})"


def related_section(related: Sequence[RelatedEvent]) -> list[str]:
    """The lines of an event page's ``Related:`` section, its last: each entry numbered,
    its link (as :func:`_link` makes it, to :func:`event_path`) and the shared tags.

    Written out in one loop: a full site build makes a million entries, and the four
    calls an entry took through the helpers were a quarter of an event page's Markdown.
    """
    lines = ["### Related:", ""]
    for n, r in enumerate(related, 1):
        headline = escape_link_text(r.headline)
        shared = ", ".join(r.shared)
        lines.append(f"{n}. [{headline} ]({day_dir(r.date)}/{r.slug}.md) _Context: {shared}_")
    return lines


def _article_entry(item: EventArticle) -> str:
    """``[title](/articles/<id>.md) _publisher, date_``, and which article it copies."""
    article = item.article
    title = article.title or f"Article {article.id}"
    said = [article.published.isoformat() if article.published else "undated"]
    if article.publisher or article.domain:
        said.insert(0, article.publisher or article.domain or "")
    if article.copy_of is not None:
        said.append(f"a copy of article {article.copy_of}")
    link = f"[{escape_link_text(title)}]({article_path(article.id)})"
    return f"{link} _{escape_emphasis(', '.join(said))}_"


def escape_emphasis(text: str) -> str:
    """Backslash-escape what would end an ``_emphasis_`` early or start a link."""
    return escape_link_text(text).replace("_", "\\_")


def _has_metadata(version: Version) -> bool:
    return version.created_at is not None or bool(version.editor) or bool(version.note)


def _change_entries(event: Event) -> list[str]:
    entries = []
    for version in event.versions:
        label = version_label(event, version)
        stamp = f"{version.created_at.strftime(TIMESTAMP_FORMAT)} " if version.created_at else ""
        path = version_path(event, version)
        entry = f"{_link(version.content.headline, path)} _{stamp}({label})_"
        if version.editor:
            entry += f" by {version.editor}"
        if version.note:
            entry += f": {version.note}"
        entries.append(entry)
    return entries


def _escape_summary(summary: str) -> str:
    return escape_block(summary)


def escape_block(text: str) -> str:
    """``text`` as lines of a Markdown block that no line of it ends early.

    A line starting like a heading would end the block when read back; a leading
    backslash is the escape itself, so it is escaped too.
    """
    return "\n".join(
        "\\" + line if line.startswith(("#", "\\")) else line for line in text.split("\n")
    )

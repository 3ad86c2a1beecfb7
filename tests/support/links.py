"""Find the broken internal links of a static site on disk, without a browser.

The static site must work from any host and straight from disk, so every link between
its own pages has to name a file that exists. Clicking through every link in a browser
would be slow; reading the files is instant and sees every link, including the ones no
journey clicks (``<link rel=alternate>`` formats, image ``src``, links in the footer).

What counts as internal: every ``href``/``src`` (and SVG ``xlink:href``) with no scheme
and no host, that is a relative path (``../../context/homs.html``) or a root-absolute
one (``/style.css``). Links with a scheme (``https:``, ``mailto:``, ``data:``...) or a
host (``//cdn.example``) are external and never fetched.

What counts as broken (see :class:`BrokenLink`'s ``reason``):
- the target file does not exist;
- the target is a folder (a server may answer with its ``index.html``; a disk does not);
- the path climbs out of the site with ``..``;
- the fragment (``#changes``) names no ``id`` (or ``<a name>``) in the target page.
  A fragment-only link (``#changes``) is checked against its own page; ``#`` and
  ``#top`` always work in HTML.

Typical use::

    assert not broken_links(site), format_broken(broken_links(site))
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

__all__ = [
    "BrokenLink",
    "Link",
    "broken_links",
    "current_event_page",
    "format_broken",
    "html_pages",
    "internal_links",
    "page_ids",
]

LINK_ATTRIBUTES = ("href", "src", "xlink:href")
"""Attributes whose value is a URL the browser may follow or fetch."""

ALWAYS_VALID_FRAGMENTS = frozenset({"", "top"})
"""Fragments HTML resolves without an id: ``#`` and ``#top`` scroll to the top."""


@dataclass(frozen=True)
class Link:
    """One internal link: where it was found and which file (and id) it points to."""

    page: str
    """The page it is on, relative to the site root (``news/2012/02/9/x.html``)."""
    tag: str
    attribute: str
    value: str
    """The attribute's text, as written."""
    target: str
    """The target file relative to the site root (``..`` first when it leaves the site)."""
    fragment: str
    root_absolute: bool
    """Whether ``value`` starts with ``/``: fine on a server, broken from disk."""


@dataclass(frozen=True)
class BrokenLink:
    """A link whose target does not exist, and why."""

    link: Link
    reason: str

    def __str__(self) -> str:
        link = self.link
        return f"{link.page}: <{link.tag} {link.attribute}={link.value!r}>: {self.reason}"


def html_pages(root: Path) -> list[Path]:
    """Every ``.html`` file under ``root``, sorted."""
    return sorted(path for path in root.rglob("*.html") if path.is_file())


def _parse(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(path.read_bytes())


def _is_internal(value: str) -> bool:
    parts = urlsplit(value)
    return not parts.scheme and not parts.netloc


def _resolve(page: str, path: str) -> str:
    """The site-relative file ``path`` names from ``page`` (``..`` first if it escapes)."""
    if not path:
        return page
    if path.startswith("/"):
        joined = path.lstrip("/")
    else:
        joined = posixpath.join(posixpath.dirname(page), path)
    target = posixpath.normpath(joined) if joined else "."
    return target + "/" if path.endswith("/") and target != "." else target


def internal_links(root: Path, page_path: Path) -> Iterator[Link]:
    """The internal links of the page at ``page_path`` (a file under ``root``)."""
    page = page_path.relative_to(root).as_posix()
    for element in _parse(page_path).iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        for attribute in LINK_ATTRIBUTES:
            value = element.get(attribute)
            if value is None or not _is_internal(value.strip()):
                continue
            value = value.strip()
            parts = urlsplit(value)
            yield Link(
                page=page,
                tag=element.tag,
                attribute=attribute,
                value=value,
                target=_resolve(page, unquote(parts.path)),
                fragment=unquote(parts.fragment),
                root_absolute=value.startswith("/"),
            )


def page_ids(path: Path) -> frozenset[str]:
    """Every fragment that lands somewhere in the HTML page at ``path``."""
    document = _parse(path)
    return frozenset(str(v) for v in document.xpath("//@id | //a/@name"))


def broken_links(root: Path) -> list[BrokenLink]:
    """Every broken internal link on every ``.html`` page under ``root``, page by page."""
    root = Path(root).resolve()
    ids: dict[str, frozenset[str]] = {}
    broken: list[BrokenLink] = []
    for page_path in html_pages(root):
        for link in internal_links(root, page_path):
            reason = _why_broken(root, link, ids)
            if reason:
                broken.append(BrokenLink(link, reason))
    return broken


def _why_broken(root: Path, link: Link, ids: dict[str, frozenset[str]]) -> str | None:
    """Why ``link`` is broken, or ``None`` when it works; ``ids`` caches parsed pages."""
    target = link.target
    if target == ".." or target.startswith("../"):
        return "points outside the site"
    file = root / target
    if target.endswith("/") or file.is_dir():
        return f"points to the folder {target.rstrip('/')}/ (name the file, e.g. index.html)"
    if not file.is_file():
        return f"no such file: {target}"
    if link.fragment in ALWAYS_VALID_FRAGMENTS or file.suffix != ".html":
        return None
    if target not in ids:
        ids[target] = page_ids(file)
    if link.fragment not in ids[target]:
        return f"no id {link.fragment!r} in {target}"
    return None


def format_broken(broken: list[BrokenLink], limit: int = 40) -> str:
    """``broken`` as one line each (at most ``limit``), for an assertion message."""
    lines = [f"{len(broken)} broken internal link(s):", *map(str, broken[:limit])]
    if len(broken) > limit:
        lines.append(f"... and {len(broken) - limit} more")
    return "\n  ".join(lines)


def current_event_page(root: Path, slug_part: str) -> Path:
    """The current version's page of the event whose URL contains ``slug_part``.

    Earlier versions keep their own slugs, often similar ones, so the file name alone
    is ambiguous; every version's ``<link rel=canonical>`` names the current page.
    Raises :class:`LookupError` naming what was found when there is not exactly one.
    """
    root = Path(root).resolve()
    candidates = [
        path
        for path in html_pages(root / "news")
        if slug_part in path.name and path.name != "index.html"
    ]
    current: set[Path] = set()
    for path in candidates:
        page = path.relative_to(root).as_posix()
        canonical = _parse(path).xpath("//link[@rel='canonical']/@href")
        if canonical:
            current.add(root / _resolve(page, unquote(urlsplit(str(canonical[0])).path)))
    if not current and len(candidates) == 1:
        current = set(candidates)
    if len(current) != 1:
        names = ", ".join(p.relative_to(root).as_posix() for p in candidates) or "none"
        raise LookupError(
            f"expected one current event page whose URL contains {slug_part!r} under "
            f"{root}, found: {names}"
        )
    return current.pop()

"""``/sitemap.xml``: a sitemap index of one sitemap per year, plus one for the rest.

One file per year keeps each under the protocol's 50,000 addresses for any real
archive, and lets an incremental build rewrite only the years an edit touched. The
addresses come from the build state (every HTML page written), not from the archive.
"""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree

from dateline.site.state import BuildState

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
INDEX_PATH = "/sitemap.xml"


def year_sitemap_path(year: int | str) -> str:
    return f"/sitemaps/{year}.xml"


SITE_SITEMAP_PATH = year_sitemap_path("site")


def _urlset(base_url: str, paths: Iterable[str]) -> bytes:
    root = etree.Element("urlset", nsmap={None: NS})  # type: ignore[dict-item]  # lxml-stubs: None is the default namespace
    for path in paths:
        etree.SubElement(etree.SubElement(root, "url"), "loc").text = base_url + path
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def year_sitemap(state: BuildState, base_url: str, year: int) -> bytes | None:
    """The sitemap of one year's pages (None when the year has none)."""
    paths = state.paths_between(f"/news/{year:04d}/", f"/news/{year:04d}0", ".html")
    return _urlset(base_url, paths) if paths else None


def site_sitemap(state: BuildState, base_url: str) -> bytes:
    """Home, context and story pages."""
    paths = ["/index.html"]
    for prefix in ("/context/", "/story/"):
        paths += state.paths_between(prefix, prefix[:-1] + "0", ".html")
    return _urlset(base_url, paths)


def sitemap_index(base_url: str, years: Iterable[int]) -> bytes:
    root = etree.Element("sitemapindex", nsmap={None: NS})  # type: ignore[dict-item]  # lxml-stubs: None is the default namespace
    for path in [*(year_sitemap_path(y) for y in sorted(years)), SITE_SITEMAP_PATH]:
        etree.SubElement(etree.SubElement(root, "sitemap"), "loc").text = base_url + path
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)

"""Pages as HTML, from the page views, with Jinja2 (autoescaped: archive text is never markup).

Templates live in ``templates/``, one per page kind, all extending ``base.html``.
Links between pages are *relative* (``../../../../context/homs.html``) so that a built
site works from any folder on any web server and opened straight from disk; the
404 page alone uses root paths, since a server shows it at any address. Pages load
nothing from elsewhere: the stylesheet is the site's own ``/style.css``, charts are
inline SVG, and a cover image (a publisher's picture, not ours to copy) is a link.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from functools import cache
from types import CodeType
from typing import Any

import markupsafe
import orjson
from jinja2 import (
    Environment,
    FileSystemBytecodeCache,
    PackageLoader,
    StrictUndefined,
    Template,
    select_autoescape,
)
from jinja2.bccache import Bucket
from jinja2.runtime import Context
from markupsafe import Markup, escape

from dateline.render.chart import timeline_svg
from dateline.render.listed import ListedEntry

# What markupsafe.escape wraps in Markup: its C code (pure Python where not built). Not
# public: a MarkupSafe without it gets the public function, slower but the same text.
_escape_inner: Callable[[str], str] = getattr(markupsafe, "_escape_inner", None) or (
    lambda value: str(escape(value))
)

STYLESHEET = "/style.css"
TEMPLATES = {
    "event": "event.html",
    "day": "day.html",
    "month": "month.html",
    "year": "year.html",
    "context": "context.html",
    "story": "story.html",
    "home": "home.html",
    "not-found": "404.html",
    "article": "article.html",
}


class _PageContext(Context):
    """A template context that calls the page's own link maker directly.

    Jinja passes every call in a template through ``Context.call``, which inspects the
    callable for ``pass_context`` and friends; the link maker (called some forty times
    per page) needs none of that, and skipping it is a tenth of a page's time.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # names as Jinja's
        if type(__obj) is _Url:
            return __obj(*args)
        return super().call(__obj, *args, **kwargs)


def _escape(value: Any) -> str:
    """:func:`markupsafe.escape` for what a template outputs: the same text, but a plain
    ``str`` for a ``str`` (the common case), not a :class:`~markupsafe.Markup`.

    A compiled template calls ``escape`` only on what it outputs, then joins the pieces:
    wrapping each escaped piece in Markup (a Python ``__new__``) is wasted there, and
    took a quarter of an event page's HTML (110 us a page against 80 us so, same bytes).
    Markup and other values go to markupsafe itself (their ``__html__`` is honoured).
    """
    if type(value) is str:
        return _escape_inner(value)
    return escape(value)


class _Template(Template):
    """A template whose outputs are escaped by :func:`_escape`: the name ``escape`` in
    the module Jinja compiled it to (its blocks and macros share that namespace)."""

    @classmethod
    def from_code(
        cls,
        environment: Environment,
        code: CodeType,
        globals: MutableMapping[str, Any],
        uptodate: Callable[[], bool] | None = None,
    ) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        if namespace.get("escape") is escape:  # as imported from jinja2.runtime
            namespace["escape"] = _escape
        return template


_NO_KEY = object()
"""What ``dict.get`` gives for a key a view does not have (``None`` is a value)."""


class _Environment(Environment):
    """Jinja2 with dict keys looked up first: every page view is a plain dict.

    ``page.headline`` means ``getattr(page, "headline")`` first to Jinja, which for a
    dict raises (and catches) an AttributeError before trying the key: a third of an
    event page's rendering time. Looking the key up first gives the same value for
    every key the views use (none is named like a dict method, and an attribute is
    still found when the key is missing).
    """

    context_class = _PageContext
    template_class = _Template

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loaded: dict[str, Template] = {}  # by name: see get_template

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict:
            value = obj.get(attribute, _NO_KEY)
            if value is not _NO_KEY:
                return value
        return super().getattr(obj, attribute)

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one plain dict (the template's over the environment's),
        not Jinja's ``ChainMap`` of the two: every render copies them into the page's
        context, and copying a ChainMap goes key by key through Python code (a page
        17.7 -> 11.3 us for the 404 page, whose template does little else). The
        environment's globals are all set before any template loads (:func:`_environment`),
        as Jinja asks anyway."""
        return {**self.globals, **(d or {})}

    def get_template(
        self,
        name: str | Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """The template ``name``, from a dictionary once loaded: the templates are package
        files, never reloaded (``auto_reload=False``), and each page asks for two or three
        (its own, the one it extends, the macros it imports), through Jinja's lock and
        LRU cache otherwise (2 us a page). By name alone: this environment keeps Jinja's
        ``join_path``, which gives the name whatever template asks."""
        if globals is not None or not isinstance(name, str):
            return super().get_template(name, parent, globals)
        found = self._loaded.get(name)
        if found is None:
            found = self._loaded[name] = super().get_template(name, parent)
        return found


class _QuietBytecodeCache(FileSystemBytecodeCache):
    """Compiled templates kept between runs, in Jinja's own per-user folder under the
    temporary directory (keyed by each template's source, so an edited template is
    compiled again). Compiling them took 0.08 s of every ``dateline build`` and server
    start, 0.002 s from the cache. A cache that cannot be written is skipped, not an
    error."""

    def dump_bytecode(self, bucket: Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _bytecode_cache() -> FileSystemBytecodeCache | None:
    try:
        return _QuietBytecodeCache()
    except (OSError, RuntimeError):  # no usable temporary folder: compile every run
        return None


@cache
def _environment() -> Environment:
    environment = _Environment(
        loader=PackageLoader("dateline.render", "templates"),
        bytecode_cache=_bytecode_cache(),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        # The templates are package files: checking them for changes (a stat per
        # template per page) only costs time.
        auto_reload=False,
    )
    # Globals, so that the macros see them without the page's context (see _macros.html).
    environment.globals["chart"] = chart
    environment.globals["entry_items"] = _entry_items
    environment.globals["related_items"] = _related_items
    environment.globals["year_items"] = _year_items
    environment.globals["month_rows"] = _month_rows
    return environment


EntryRow = tuple[str, str, bool, str, str | None, str | None, list[tuple[str, str]]]
"""href, headline, retired, date, story href, story name, (href, name) of each tag."""


def _entry_row(url: Callable[..., str], e: Mapping[str, Any]) -> EntryRow:
    """A list entry as the ``entry_item`` macro shows it, unpacked into plain values and
    its links made here.

    Jinja looks every ``e.key`` of a template up through ``Environment.getattr`` (a
    call each, twenty an entry), and calls the link maker through the context: a list
    page's entries were half of its HTML. The values are escaped by the template.
    """
    story = e["story"]
    return (
        url(e["path"]),
        e["headline"],
        e.get("retired", False),
        e["date"],
        url(story["path"]) if story else None,
        story["name"] if story else None,
        [(url("/context/" + c["slug"]), c["name"]) for c in e["contexts"]],
    )


def _entry_items(
    url: Callable[..., str],
    events: Iterable[Mapping[str, Any] | ListedEntry],
    show_date: bool = True,
) -> Markup:
    """The ``<li>`` of each entry of a list (the ``entries`` macro's items).

    An entry a full build made (:mod:`dateline.render.listed`) has its item, links
    from the site's root: the page's way up to the root goes before each of them.
    ``href="`` marks them: archive text cannot hold it, since escaping turns its ``"``
    into ``&#34;``.
    """
    item = _entry_item_macro()
    parts = []
    up = None
    for e in events:
        if isinstance(e, ListedEntry):
            if up is None:
                up = 'href="' + url("/", None)  # "../../" here, or "/" (a root-path page)
            part = e.html_dated if show_date else e.html_undated
            parts.append(part.replace('href="', up) if up != 'href="' else part)
        else:
            parts.append(item(*_entry_row(url, e), show_date))
    return Markup("".join(parts))


def _related_items(url: _Url, related: Iterable[Mapping[str, Any]]) -> Markup:
    """The ``<li>`` of each entry of an event page's related list, every value escaped.

    Made here rather than by a loop in the template, for the reasons of
    :func:`_entry_row`: a related list was half of an event page's HTML (ten entries,
    each five lookups through ``Environment.getattr``, a link made through the
    context and a filter).
    """
    parts = []
    root = url.root
    escaped = _escape_inner  # the values are all text (a related entry's view)
    for r in related:
        day = escaped(r["date"])
        href = escaped(f"{root}{r['path'][1:]}.html")  # url(r["path"]), written out
        parts.append(
            f'<li><a href="{href}">{escaped(r["headline"])}</a> '
            f'<span class="meta"><time datetime="{day}">{day}</time> · shares '
            f"{escaped(', '.join(r['shared']))}</span></li>"
        )
    return Markup("".join(parts))


def _year_items(
    url: Callable[..., str], years: Iterable[Mapping[str, Any]], current: Any = None
) -> Markup:
    """The ``<li>`` of each year of a list of years (the ``years`` macro's items), the
    ``current`` one marked: made here, as :func:`_related_items`, since a tag's year
    pages list all its years (25 on a tag of a few hundred events), each item three
    lookups and a link through Jinja."""
    parts = []
    for y in years:
        year = y["year"]
        mark = ' aria-current="page"' if year == current else ""
        count = f' <span class="meta">{_number(y["count"])}</span>' if "count" in y else ""
        href = _escape(url(y["path"]))
        parts.append(f'<li><a href="{href}"{mark}>{_number(year)}</a>{count}</li>')
    return Markup("".join(parts))


def _month_rows(months: Iterable[Mapping[str, Any]]) -> Markup:
    """The table rows of a chart's numbers (the ``timeline`` macro's), a month each:
    made here, as :func:`_year_items` (a tag's page over 25 years has 300)."""
    rows = [
        f"<tr><td>{_escape(m['month'])}</td><td>{_number(m['count'])}</td></tr>" for m in months
    ]
    return Markup("".join(rows))


def _number(value: Any) -> str:
    """:func:`_escape` of what is an int but in odd views (``str`` is enough for one)."""
    return str(value) if type(value) is int else _escape(value)


def entry_items(entry: Mapping[str, Any]) -> tuple[str, str]:
    """A list entry's ``<li>``, with its date and without, links from the site's root
    (the HTML parts of a :class:`~dateline.render.listed.ListedEntry`)."""
    row = _entry_row(_FROM_ROOT, entry)
    dated = str(_entry_item_macro()(*row, True))
    # Without its date the item lacks only the <time> element (and the " · " between it
    # and a story's link): cut out, rather than the macro called again (3.7 us). No
    # archive text holds "<time": escaping turns its "<" into "&lt;".
    shown = f'<time datetime="{row[3]}">{row[3]}</time>'
    return dated, dated.replace(shown + " · " if row[4] else shown, "", 1)


@cache
def _entry_item_macro() -> Callable[..., Markup]:
    """The ``entry_item`` macro of ``_macros.html``, callable from Python."""
    module = _environment().get_template("_macros.html").module
    macro: Callable[..., Markup] = module.entry_item  # type: ignore[attr-defined]  # a template's macro
    return macro


def stylesheet() -> str:
    """The site's stylesheet (``/style.css``)."""
    loader = _environment().loader
    assert loader is not None
    source, _, _ = loader.get_source(_environment(), "style.css")
    return source


def url_maker(page_path: str, *, absolute: bool = False) -> Callable[..., str]:
    """``url(path, ext)``: the link from the page at ``page_path`` to ``path.ext``.

    Relative unless ``absolute``: up to the site's root, then down (``../../x.html``),
    which is quicker to make than the shortest relative path and as good for a
    browser. ``ext=None`` keeps ``path`` as given. Paths start with ``/``.
    """
    return _Url("" if absolute else "../" * (page_path.count("/") - 1), absolute)


class _Url:
    """The link maker of one page (a class, so that templates can call it directly)."""

    __slots__ = ("absolute", "up")

    def __init__(self, up: str, absolute: bool) -> None:
        self.up = up
        self.absolute = absolute

    def __call__(self, path: str, ext: str | None = "html") -> str:
        target = f"{path}.{ext}" if ext else path
        return target if self.absolute else self.up + target[1:]

    @property
    def root(self) -> str:
        """What a root path's first ``/`` becomes in this page's links."""
        return "/" if self.absolute else self.up


_FROM_ROOT = _Url("", False)
"""Links as a page at the site's root makes them (``news/...``): see :func:`entry_items`."""


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
    # orjson (as the pages' JSON): the standard library's encoder took a tenth of an
    # event page's HTML for these few keys.
    text = orjson.dumps(data).decode()
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


PAGE_CHART_ID = "chart"
"""The prefix of the ids in a page's chart (see :func:`dateline.render.chart.timeline_svg`)."""


def chart(view: dict[str, Any], title: str) -> Markup:
    """The page's timeline chart (events per month) as inline SVG."""
    counts = {m["month"]: m["count"] for m in view.get("months", ())}
    # timeline_svg writes the SVG, escaping the archive's text itself. A page has one
    # chart (a template calls ``timeline`` once), so its ids need no hash of the chart
    # to tell them apart: a fifth of a chart's time at 49,000 charts a site build.
    return Markup(timeline_svg(counts, title=title, id_prefix=PAGE_CHART_ID))


def render_template(name: str, view: Mapping[str, Any], *, absolute: bool = False) -> str:
    """``view`` through the template ``name`` (pages that are not a page kind, such as the
    live server's forms), with the same environment and link maker as every page."""
    template = _environment().get_template(name)
    return template.render(page=view, url=url_maker(view["path"], absolute=absolute))


def render_html(view: dict[str, Any]) -> str:
    """Any page view as HTML, by its ``type``."""
    template = _environment().get_template(TEMPLATES[view["type"]])
    extra: dict[str, Any] = {}
    if view["type"] == "event":
        extra["json_ld"] = event_json_ld(view)
    return template.render(
        page=view,
        url=url_maker(view["path"], absolute=view["type"] == "not-found"),
        **extra,
    )


def render_related_section(view: dict[str, Any]) -> str:
    """The ``related`` block of an event page's HTML alone (its ``related`` list, links
    made from its ``path``): the same text the whole page has there."""
    template = _environment().get_template(TEMPLATES["event"])
    context = template.new_context({"page": view, "url": url_maker(view["path"])})
    return "".join(template.blocks["related"](context))

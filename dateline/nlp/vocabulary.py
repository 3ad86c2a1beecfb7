"""The context vocabulary: which surface forms name which context, learnt from links.

Every link Dateline has seen is evidence that its text names its target: the portal's
``<a title="Syrian Arab Army">Syrian Army</a>``, a WikiTimes entity's name and
Wikipedia address, a seed page's context tags. A :class:`Link` is one such sighting;
the store keeps them, counted per origin (``Store.record_aliases``), and
:func:`build_vocabulary` turns names and sightings into ``{surface form: context}``
for the :class:`~dateline.nlp.tagger.Tagger`:

1. every context name is a form of itself, whatever case the text writes it in;
2. a link text that differs from its target is an *alias* of it, if
   :mod:`~dateline.nlp.vocabulary_rules` lets it (long enough, not made of generic
   words only: ``Two soldiers`` and ``the country`` are not names);
3. with :data:`~dateline.nlp.vocabulary_rules.STRIP_TITLE_QUALIFIERS`, a title also
   answers to its name without the parenthesised disambiguator (``Chihuahua (state)``);
4. where forms collide, a context's own name wins over an alias (``Russia`` is Russia,
   though one link says ``Russia`` for the Russian Armed Forces); an alias claimed by
   several contexts goes to the one with :data:`~dateline.nlp.vocabulary_rules.DOMINANCE`
   of its sightings, or to none.

No alias is invented: ``Homs`` is an alias of ``Homs Governorate`` only if a source
linked that text to that article.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import lxml.html
from lxml import etree

from dateline.errors import InputError
from dateline.ingest.wcep_html import NON_ARTICLE_NAMESPACES
from dateline.ingest.wikilinks import wiki_title
from dateline.nlp import vocabulary_rules as rules
from dateline.nlp.tagger import Tagger, is_acronym, match_key

if TYPE_CHECKING:
    from dateline.store import Store


@dataclass(frozen=True, slots=True)
class Link:
    """A sighting: ``text`` linked to the context (article) ``context``, on ``day``."""

    text: str
    context: str
    day: date | None = None


@dataclass(frozen=True)
class Vocabulary:
    """Surface forms and the context each names; :meth:`tagger` finds them in text."""

    forms: Mapping[str, str]
    contexts: frozenset[str] = field(default=frozenset())

    def tagger(self) -> Tagger:
        return Tagger(self.forms)

    def aliases(self) -> dict[str, str]:
        """The forms that are not their context's own name (in any case)."""
        return {f: c for f, c in self.forms.items() if match_key(f) != match_key(c)}


def normalise(text: str) -> str:
    """Spaces normalised: how forms and names are compared and kept."""
    return " ".join(text.split())


def build_vocabulary(names: Mapping[str, int] | Iterable[str], links: Iterable[Link]) -> Vocabulary:
    """The vocabulary of context ``names`` (with how many events carry each, when known)
    and of the ``links`` seen, as the module docstring describes."""
    weights: Counter[str] = Counter()
    for name, weight in names.items() if isinstance(names, Mapping) else ((n, 1) for n in names):
        weights[normalise(name)] += max(int(weight), 1)
    sightings: Counter[tuple[str, str]] = Counter()
    for link in links:
        sightings[normalise(link.text), normalise(link.context)] += 1
    return vocabulary_from_counts(weights, sightings)


def vocabulary_from_counts(
    names: Mapping[str, int], sightings: Mapping[tuple[str, str], int]
) -> Vocabulary:
    """:func:`build_vocabulary` from counts: ``{name: weight}`` and ``{(text, context): seen}``."""
    named: dict[str, Counter[str]] = defaultdict(Counter)  # key -> {context: weight}
    claimed: dict[str, Counter[str]] = defaultdict(Counter)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)  # key -> the forms with it
    weights = Counter({n: max(w, 1) for n, w in names.items() if n})
    for (_text, context), seen in sightings.items():
        if context:
            weights[context] += seen
    for name, weight in weights.items():
        if _usable(name):
            named[match_key(name)][name] += weight
    for (text, context), seen in sightings.items():
        if not context or seen < rules.MIN_ALIAS_SIGHTINGS:
            continue
        key = match_key(text)
        if key != match_key(context) and _alias_of(text, context):
            claimed[key][context] += seen
            spellings[key][text] += seen
    if rules.STRIP_TITLE_QUALIFIERS:
        for name, weight in weights.items():
            short = _without_qualifier(name)
            if short != name and _usable(short) and not _generic(short):
                claimed[match_key(short)][name] += weight
                spellings[match_key(short)][short] += weight
    forms: dict[str, str] = {}
    for contexts in named.values():
        best = _most(contexts)
        forms[best] = best
    for key, contexts in claimed.items():
        if key in named:
            continue
        best = _most(contexts)
        if contexts[best] >= rules.DOMINANCE * sum(contexts.values()):
            forms[_most(spellings[key])] = best
    return Vocabulary(forms, frozenset(forms.values()))


def record_links(store: Store, origin: str, links: Iterable[Link]) -> int:
    """Keep the sightings of one source in the archive (``origin``: its path or name),
    replacing what that source said before; returns the distinct pairs kept.

    Texts and names longer than a form may be are left out: no rule would keep them.
    """
    return store.record_aliases(
        origin,
        (
            (link.text, link.context)
            for link in links
            if len(normalise(link.text)) <= rules.MAX_FORM_LENGTH
            and len(normalise(link.context)) <= rules.MAX_FORM_LENGTH
        ),
    )


def vocabulary_from_store(store: Store) -> Vocabulary:
    """The vocabulary of an archive: its context tags and the link sightings recorded."""
    names = {c.name: c.event_count for c in store.contexts(include_unused=True)}
    return vocabulary_from_counts(names, store.aliases())


def _most(counts: Counter[str]) -> str:
    """The name with the most weight (ties: the first in order, so builds repeat)."""
    return min(counts, key=lambda name: (-counts[name], name))


def _usable(form: str) -> bool:
    if not form or len(form) > rules.MAX_FORM_LENGTH:
        return False
    letters = sum(1 for c in form if c.isalpha())
    return letters >= rules.MIN_LETTERS or is_acronym(form)


_EDGE_PUNCTUATION = "\"'()[],.;:!?"


def _words(form: str) -> list[str]:
    return [w.strip(_EDGE_PUNCTUATION).casefold() for w in form.split()]


def _generic(form: str) -> bool:
    """Whether every word of ``form`` is generic or has no letter (``Two soldiers``)."""
    return all(w in rules.GENERIC_WORDS or not any(c.isalpha() for c in w) for w in _words(form))


def _alias_of(text: str, context: str) -> bool:
    """Whether the rules let link text ``text`` be an alias of ``context``."""
    if not _usable(text) or _generic(text):
        return False
    if any(c.isupper() for c in text):
        return True
    name = _words(_without_qualifier(context))
    words = _words(text)
    if rules.LOWER_CASE_WORD_NAMES_ONE_WORD and len(words) == 1 and len(name) > 1:
        return False
    if rules.LOWER_CASE_ALIAS_SHARES_A_WORD:
        return any(_same_stem(a, b) for a in _content_words(words) for b in _content_words(name))
    return True


def _content_words(words: list[str]) -> list[str]:
    return [w for w in words if w not in rules.GENERIC_WORDS and any(c.isalpha() for c in w)]


def _same_stem(a: str, b: str) -> bool:
    """Whether two words begin alike (``war``, ``wars``; ``kidnapped``, ``kidnap``)."""
    letters = min(rules.STEM_LETTERS, len(a), len(b))
    return a[:letters] == b[:letters]


_QUALIFIER = re.compile(r"^(?P<name>.*\S)\s+\([^()]+\)$")


def _without_qualifier(title: str) -> str:
    match = _QUALIFIER.match(title)
    return match["name"] if match else title


# -- reading sightings from sources ----------------------------------------------------

_DAY_BOXES = "//div[contains(concat(' ', normalize-space(@class), ' '), ' current-events-main ')]"
_BOX_DATE = ".//*[contains(concat(' ', normalize-space(@class), ' '), ' bday ')]"
_CONTENT_LINKS = (
    ".//div[contains(concat(' ', normalize-space(@class), ' '), ' current-events-content ')]"
    "//a[@href]"
    "[not(ancestor::*[contains(concat(' ', normalize-space(@class), ' '), ' noprint ')])]"
)


def portal_html_links(data: bytes, where: str) -> list[Link]:
    """Every article link in the day boxes of a rendered portal page, with its text.

    The same links :mod:`dateline.ingest.wcep_html` reads as contexts (red links, other
    wikis and non-article pages left out), plus those of the story headings: a heading's
    ``<a title="Somali Civil War (2009-present)">Somali Civil War</a>`` is evidence too.
    InputError naming ``where`` if it is no HTML.
    """
    try:
        page = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (etree.ParserError, etree.XMLSyntaxError):
        raise InputError("is not an HTML page", where=where) from None
    found: list[Link] = []
    for box in _elements(page, _DAY_BOXES):
        day = _box_day(box)
        for link in _elements(box, _CONTENT_LINKS):
            title = _article_title(link)
            text = normalise(link.text_content())
            if title and text:
                found.append(Link(text, title, day))
    return found


def read_portal_html_links(path: Path) -> list[Link]:
    """:func:`portal_html_links` of a file; InputError naming it if it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"cannot be read ({error.strerror or error})", where=str(path)) from None
    return portal_html_links(data, str(path))


def _elements(node: lxml.html.HtmlElement, path: str) -> list[lxml.html.HtmlElement]:
    return [found for found in node.xpath(path) if isinstance(found, lxml.html.HtmlElement)]


def _box_day(box: lxml.html.HtmlElement) -> date | None:
    for span in _elements(box, _BOX_DATE):
        try:
            return date.fromisoformat(normalise(span.text_content()))
        except ValueError:
            return None
    return None


def _article_title(link: lxml.html.HtmlElement) -> str | None:
    """The Wikipedia article a link goes to, or None (red link, other wiki, namespace)."""
    href = link.get("href") or ""
    classes = (link.get("class") or "").split()
    if not href.startswith("/wiki/") or "new" in classes or "extiw" in classes:
        return None
    title = normalise(link.get("title") or wiki_title(href) or "")
    namespace, colon, _ = title.partition(":")
    if not title or (colon and _non_article(namespace)):
        return None
    return title


def _non_article(namespace: str) -> bool:
    space = namespace.casefold()
    return space in NON_ARTICLE_NAMESPACES or space.endswith(" talk")


_EXPORT_DAMAGE = re.compile(r"[^A-Za-z0-9 ]")


def wikitimes_entity_links(events: Iterable[Any]) -> list[Link]:
    """The sightings of WikiTimes events (``wikitimes_links`` of
    :mod:`dateline.ingest.wikitimes`): each entity's name linked to the article its
    Wikipedia address names.

    The export dropped accents and punctuation from names (``Otto Prez Molina`` for
    ``Otto Pérez Molina``, ``Rowan County Kentucky``): a name that is its title so damaged
    is not taken as an alias (nobody writes it), only as a sighting of the title.
    """
    found: list[Link] = []
    for event in events:
        for name, url in event.entities:
            title = (wiki_title(url) if url else None) or normalise(name)
            namespace, colon, _ = title.partition(":")
            if not title or (colon and _non_article(namespace)):
                continue
            text = normalise(name)
            # A section link's name runs title and section together ("...ColumbiaWestern System").
            section = normalise(unquote(url.partition("#")[2]).replace("_", " ")) if url else ""
            if text in {_damaged(title), _damaged(title + section)}:
                text = title
            found.append(Link(text, title, event.date))
    return found


def _damaged(title: str) -> str:
    return normalise(_EXPORT_DAMAGE.sub("", title))

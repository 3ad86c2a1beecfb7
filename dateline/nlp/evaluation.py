"""Measuring the tagger against linked data: hide the links, tag the text, compare.

The protocol (``bench/tagger.py`` prints it, ``tests/nlp/test_tagger_quality.py`` pins it):

- A *dataset* is a list of events whose links are known: the January 2023 portal page
  (``wcep-html/2023-01.html``: an item's links are the articles its bullet links, as
  :mod:`dateline.ingest.wcep_html` reads them) and the WikiTimes export of September
  2015 (an event's links are its entities, named by their Wikipedia addresses).
- Each event's links are hidden: the tagger sees its headline text only.
- Its tags are compared with its real links, as sets. Over a dataset, *precision* is
  the share of the tags found that are among the real links, *recall* the share of the
  real links found; both are micro-averaged (summed over events, then divided).
- The vocabulary always includes the seed pages' context tags, and then:

  * **same**: the links of the whole dataset. An upper bound, with leakage on purpose:
    every link text tested is in the vocabulary, so it asks whether the matcher and
    the rules find what the text names, not whether the vocabulary generalises;
  * **days**: the links of the dataset's even days, tested on its odd days, and the
    other way round (counts summed). No event's own links are in its vocabulary, but
    the same month's are: how an archive that grows day by day is tagged;
  * **cross**: the links of the *other* dataset (eight years apart).

Precision is understated by design: the portal links a name once per bullet, and not
every name (``Russia`` may be written and not linked), so a right tag the editors did
not link counts as wrong. Recall is bounded by what the text writes: a WikiTimes entity
is often not named in the description at all (``China`` for "the Chinese city of...").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dateline.errors import InputError
from dateline.ingest.seedpage import EventPage, parse_page
from dateline.ingest.wcep_html import read_portal_html
from dateline.ingest.wikitimes import load_wikitimes, wikitimes_links
from dateline.nlp.tagger import Tagger
from dateline.nlp.vocabulary import (
    Link,
    build_vocabulary,
    read_portal_html_links,
    wikitimes_entity_links,
)

SETTINGS = ("same", "days", "cross")


@dataclass(frozen=True, slots=True)
class LinkedText:
    """An event's text, and the contexts its links name (the answer the tagger should give)."""

    day: date
    text: str
    links: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Dataset:
    """Events with their real links, and every link sighting in the source (the evidence)."""

    name: str
    items: tuple[LinkedText, ...]
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class Score:
    """Tags found, real links, and how many of the tags were real links."""

    found: int
    expected: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 0.0

    @property
    def recall(self) -> float:
        return self.correct / self.expected if self.expected else 0.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.found + other.found,
            self.expected + other.expected,
            self.correct + other.correct,
        )


def portal_html_dataset(path: Path) -> Dataset:
    """The items of a rendered portal page, with the articles each bullet links."""
    items = tuple(
        LinkedText(day.date, event.headline, event.contexts)
        for day in read_portal_html(path)
        for event in day.events
    )
    return Dataset(path.name, items, tuple(read_portal_html_links(path)))


def wikitimes_dataset(path: Path) -> Dataset:
    """The events of a WikiTimes export, with the articles of their entities."""
    items: list[LinkedText] = []
    links: list[Link] = []
    for event in wikitimes_links(load_wikitimes(path), str(path)):
        own = wikitimes_entity_links([event])
        items.append(
            LinkedText(event.date, event.headline, tuple(dict.fromkeys(k.context for k in own)))
        )
        links += own
    return Dataset(path.name, tuple(items), tuple(links))


def seed_contexts(folder: Path) -> list[str]:
    """The context tags of the event pages in ``folder`` (``*.txt``; other pages skipped)."""
    names: dict[str, None] = {}
    for path in sorted(folder.glob("*.txt")):
        try:
            page = parse_page(path.read_text(encoding="utf-8"))
        except InputError:
            continue  # an article or an overview, not an event page
        if isinstance(page, EventPage):
            names.update(dict.fromkeys(page.content.contexts))
            for link in page.related:
                names.update(dict.fromkeys(link.contexts))
    return list(names)


def score(tagger: Tagger, items: Iterable[LinkedText]) -> Score:
    """How ``tagger``'s tags of each item's text compare with the item's links."""
    total = Score(0, 0, 0)
    for item in items:
        tags = set(tagger.tag(item.text))
        links = set(item.links)
        total += Score(len(tags), len(links), len(tags & links))
    return total


def evaluate(
    dataset: Dataset, setting: str, *, seeds: Sequence[str] = (), other: Dataset | None = None
) -> Score:
    """``dataset`` scored in ``setting`` (one of :data:`SETTINGS`; ``cross`` needs ``other``)."""
    if setting == "same":
        return score(build_vocabulary(seeds, dataset.links).tagger(), dataset.items)
    if setting == "days":
        total = Score(0, 0, 0)
        for parity in (0, 1):
            known = [k for k in dataset.links if k.day is not None and k.day.day % 2 == parity]
            tested = [i for i in dataset.items if i.day.day % 2 != parity]
            total += score(build_vocabulary(seeds, known).tagger(), tested)
        return total
    if setting == "cross":
        if other is None:
            raise ValueError("the cross setting needs the other dataset")
        return score(build_vocabulary(seeds, other.links).tagger(), dataset.items)
    raise ValueError(f"unknown setting {setting!r} (expected one of {', '.join(SETTINGS)})")

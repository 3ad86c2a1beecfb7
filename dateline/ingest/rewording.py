"""Recognising a reworded portal item: the same event, its headline edited in a later scrape.

Portal editors fix punctuation, add a clause, update a toll ("kill at least 41" becomes
"at least 45"); a later scrape of the day must then add a version to the stored event,
not a second event. Character similarity alone cannot tell these from *different*
items of the same day: the corpus has pairs such as "COVID-19 pandemic in Austria" /
"... in Australia" and "Denmark's GDP contracts 3.7% ..." / "Japan's GDP contracts 4.8%
..." (similarity 94-97 of 100) while real rewordings seen in two scrapes of 2025-06-15
(``wcep-days`` against ``chronoledge``) score 95-99.7.

So two headlines are the same item when they are similar *and* they name the same
things: the names (capitalised words and words with digits-letters mixed, such as
``COVID-19``) of one are all among the other's, or nearly all are shared. A rewording
may add a name ("in Homs, Syria") but not swap its key one. Numbers, in digits or in
words, may change: tolls are updated. In a short headline (a story name used as an
item) any changed word makes another item.

Measured with ``bench/rewording.py`` (the tests pin the behaviour on real items):
over the whole ``wcep-days`` corpus, of the 968,926 pairs of different items of the
same day, 2 are taken for one item (the Democratic and the Republican primaries of
2024-03-05, which list the same states; and two wordings of one NYPD eviction that
the portal did list twice). Importing the rendered January 2023 page over the YAML
scrape of the same month matches 333 of its 334 items to the scraped events, 13 of
them by rewording (the one left is not in the scrape).
Similarity is rapidfuzz's normalised Indel ratio on case- and punctuation-folded text,
a well-kept C implementation (no reason to write our own edit distance).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz

SIMILAR_ENOUGH = 85.0
"""Minimum similarity (0-100) of the folded headlines. Measured on the corpus: rewordings
score 95 and above; different items of one day that pass the name check score below 80."""
SHARED_NAMES = 0.7
"""When each headline names something the other does not, the share of all names they
must have in common (Jaccard). Different items of a day differ in their one key name
("Taiwan" / "Thailand reports a record ... deaths from COVID-19"): a third in common."""
SHORT_HEADLINE_WORDS = 10
"""Below this many words, a headline with any word changed is another item."""
SIMILAR_WITH_SHARED_SOURCE = 60.0
"""Two items citing the same source URL need less textual likeness."""

# fmt: off
NUMBER_WORDS = frozenset([
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    "hundred", "hundreds", "thousand", "thousands", "million", "millions", "dozen", "dozens",
    "several", "some", "many", "scores",
])
# fmt: on
"""Numbers spelt out ("One person is killed" / "Four people are killed"): tolls change,
so like digits they are not names, even capitalised at the start of a headline."""

_WORD = re.compile(r"[^\W_][\w'\u2019\-.]*", re.UNICODE)
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: what rewording
    by punctuation ("Gaza ." / "Gaza.") does not change."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def names(text: str) -> frozenset[str]:
    """The names a headline mentions: capitalised words (the first word too: "Malaysia
    reports..." names a country) and words mixing letters and digits. Numbers alone are
    not names (tolls change)."""
    found = set()
    for match in _WORD.finditer(text):
        word = match.group().rstrip(".'\u2019-")
        has_digit = any(c.isdigit() for c in word)
        has_alpha = any(c.isalpha() for c in word)
        named = (has_digit and has_alpha) or (has_alpha and word[0].isupper())
        if named and word.casefold() not in NUMBER_WORDS:
            found.add(fold(word))
    return frozenset(found)


def _short_and_changed(first: str, second: str) -> bool:
    """True for short headlines (story names used as items, "COVID-19 pandemic in
    Africa" / "... in South Africa", "... on politics" / "... on sports") whose words
    differ at all: in so few words any changed word makes another item."""
    a, b = fold(first).split(), fold(second).split()
    if min(len(a), len(b)) >= SHORT_HEADLINE_WORDS:
        return False  # a longer headline may swap a verb ("evicts" / "clears")
    return sorted(a) != sorted(b)


def similarity(first: str, second: str) -> float:
    """0-100: how alike two headlines are once folded."""
    return float(fuzz.ratio(fold(first), fold(second)))


def same_item(first: str, second: str, *, shared_source: bool = False) -> float | None:
    """The similarity of two headlines if they are one item reworded, else None."""
    score = similarity(first, second)
    if shared_source and score >= SIMILAR_WITH_SHARED_SOURCE:
        return score
    if score < SIMILAR_ENOUGH:
        return None
    a, b = names(first), names(second)
    if not _same_names(a, b) or _short_and_changed(first, second):
        return None
    return score


def _same_names(a: frozenset[str], b: frozenset[str]) -> bool:
    """One headline's names are among the other's, or nearly all are shared (a rewording
    may both add and drop a detail: "... Times Square, New York City, United States" /
    "officers with the New York City Police Department ... in Times Square")."""
    if a <= b or b <= a:
        return True
    return len(a & b) / len(a | b) >= SHARED_NAMES


def pair_reworded(
    incoming: Sequence[tuple[str, frozenset[str]]],
    stored: Sequence[tuple[str, frozenset[str]]],
) -> list[tuple[int, int, float]]:
    """Pair incoming items with stored ones, one to one, most similar first.

    Each side is (headline, source URLs). Returns (incoming index, stored index, score).
    """
    candidates = []
    for i, (headline, urls) in enumerate(incoming):
        for j, (known, known_urls) in enumerate(stored):
            score = same_item(headline, known, shared_source=bool(urls & known_urls))
            if score is not None:
                candidates.append((score, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_in: set[int] = set()
    used_stored: set[int] = set()
    pairs = []
    for score, i, j in candidates:
        if i in used_in or j in used_stored:
            continue
        used_in.add(i)
        used_stored.add(j)
        pairs.append((i, j, score))
    return sorted(pairs)

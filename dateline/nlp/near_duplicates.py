"""Copies of one story: wire copy and content farms found as near-duplicates, so that a
toll repeated by ten copies of one agency story counts as one source.

Two texts are *copies* when most of the shorter one is in the longer one: the share of
its word shingles (runs of :data:`SHINGLE_WORDS` words) that the other text has, its
*containment*, is at least :data:`COPY_CONTAINMENT`. Containment rather than Jaccard
similarity, because publishers cut wire stories: The New York Times runs the first
third of an AP story that The Washington Post runs whole (Jaccard 0.31, containment
0.95 in ``news-clusters``).

Comparing every pair does not scale, so datasketch does the work: each text gets a
MinHash signature of :data:`NUM_PERMUTATIONS` values; a MinHashLSH index at Jaccard
:data:`LSH_THRESHOLD` proposes the pairs worth a look; a pair's containment is then
estimated from its signatures' Jaccard similarity *J* and the two shingle counts
(``|A ∩ B| = J (|A| + |B|) / (1 + J)``). Signatures and counts are all a store has to
keep to compare a new article with the archive later: :func:`signature_bytes` and
:func:`signature_from_bytes` write and read them, and :func:`lsh_buckets` gives the
bands of the same LSH index as numbers a database can index, so that the store finds
the articles sharing a band with a new one without holding an index in memory (the
ingest does this: ``dateline/ingest/article/copies.py``).

Copies are grouped transitively (a union of pairs), and each group has one
*representative*: the copy published first; between copies of the same day, the one
from the most authoritative publisher (:data:`AUTHORITY_DOMAINS`: the wire agencies
first); then the smallest key, so the choice repeats. ``bench/near_duplicates.py``
measures all this on real articles.

Texts with fewer than :data:`MIN_SHINGLES` shingles are not compared: in the measured
data they are extraction failures ("Chat with us in Facebook Messenger...") that would
be "copies" of each other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from urllib.parse import urlsplit

from datasketch import (  # type: ignore[import-untyped]  # ships no type information
    LeanMinHash,
    MinHash,
    MinHashLSH,
)

# -- rules, as data (measured with bench/near_duplicates.py) ------------------------

SHINGLE_WORDS = 5
"""Words per shingle: long enough that shared phrases ("the White House said") are
rare between independent stories, short enough that an edited sentence keeps most."""
NUM_PERMUTATIONS = 128
"""MinHash values per signature: the containment estimated from them is off by 0.04 on
average on the measured pairs (0.02 with 256), and finds 34 pairs at the threshold where
the exact shingle sets give 33: one borderline pair either way."""
LSH_THRESHOLD = 0.15
"""Jaccard similarity at which the LSH index proposes a pair; low, because a third of a
story cut from the whole has a Jaccard similarity near 0.3 and containment near 1 (at
0.2 the index already misses one of the 34 pairs, at 0.3 two)."""
COPY_CONTAINMENT = 0.6
"""Share of the shorter text's shingles found in the longer one for the two to be copies.
At 0.6, news-clusters has 34 pairs, all within one labelled event, and a sample of ten
read by hand are all copies. Below, different stories of one event come in: two
successive Reuters stories (0.52), stories quoting one statement (0.35 to 0.47), and at
0.3 pairs across events made of one site's boilerplate (``bench/near_duplicates.py``)."""
MIN_SHINGLES = 50
"""Texts with fewer shingles (about 54 words) are too short to call copies."""

AUTHORITY_DOMAINS: tuple[str, ...] = (
    # Wire agencies: the origin of most copies.
    "apnews.com",
    "ap.org",
    "reuters.com",
    "afp.com",
    "dpa.com",
    "efe.com",
    "ansa.it",
    "xinhuanet.com",
    "news.cn",
    "kyodonews.net",
    "pa.media",
    "upi.com",
    "aa.com.tr",
    "tass.com",
    # Public broadcasters and papers of record that write their own copy.
    "bbc.co.uk",
    "bbc.com",
    "npr.org",
    "nytimes.com",
    "washingtonpost.com",
    "theguardian.com",
)
"""Publishers by authority, most authoritative first (a subdomain counts as its domain);
any other publisher ranks after them. Used only between copies of the same date."""

_WORD = re.compile(r"\w+")


# -- data -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CopyText:
    """An article as the copy detector sees it: a key of the caller's choosing (an id, a
    URL), its text, and what ranks copies: publication date and address."""

    key: str
    text: str
    published: date | None = None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class CopyPair:
    """Two copies (keys in input order) and how alike they are, both estimated from
    their signatures: ``containment`` decides, ``jaccard`` is for the record."""

    first: str
    second: str
    jaccard: float
    containment: float


@dataclass(frozen=True, slots=True)
class CopyGroup:
    """Copies of one story: ``representative`` (also first in ``members``) stands for all."""

    representative: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Signature:
    """What is kept of a text to compare it: its MinHash and how many shingles it has."""

    minhash: LeanMinHash
    shingles: int


# -- functions ---------------------------------------------------------------------------


def word_shingles(text: str, size: int = SHINGLE_WORDS) -> frozenset[str]:
    """The runs of ``size`` consecutive words of ``text``, lower-cased (punctuation and
    spacing ignored, so a re-typeset copy has the same shingles)."""
    words = _WORD.findall(text.casefold())
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def signature(text: str) -> Signature:
    """The MinHash signature of ``text``'s shingles (seeded: the same text, the same values)."""
    shingles = word_shingles(text)
    minhash = MinHash(num_perm=NUM_PERMUTATIONS)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return Signature(LeanMinHash(minhash), len(shingles))


SIGNATURE_BYTE_ORDER = "<"
"""Serialised signatures are little-endian whatever the machine: they are stored."""


def signature_bytes(value: Signature) -> bytes:
    """The MinHash of ``value`` as bytes to store (datasketch's own serial format, which
    records its seed and hashing scheme); the shingle count is stored beside it."""
    buffer = bytearray(value.minhash.bytesize(byteorder=SIGNATURE_BYTE_ORDER))
    value.minhash.serialize(buffer, byteorder=SIGNATURE_BYTE_ORDER)
    return bytes(buffer)


def signature_from_bytes(data: bytes, shingles: int) -> Signature:
    """A signature stored by :func:`signature_bytes`, with its shingle count.

    ValueError if ``data`` is not a serialised MinHash of :data:`NUM_PERMUTATIONS` values.
    """
    try:
        minhash = LeanMinHash.deserialize(data, byteorder=SIGNATURE_BYTE_ORDER)
    except Exception as error:  # struct.error, ValueError: whatever a damaged blob raises
        raise ValueError(f"not a stored MinHash signature ({error})") from None
    if len(minhash.hashvalues) != NUM_PERMUTATIONS:
        raise ValueError(
            f"a signature of {len(minhash.hashvalues)} values (expected {NUM_PERMUTATIONS})"
        )
    return Signature(minhash, shingles)


@cache
def _lsh_bands() -> tuple[int, int]:
    """(bands, values per band) of the LSH index at :data:`LSH_THRESHOLD`: datasketch
    chooses them (minimising false positives and negatives), so ask it."""
    index = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERMUTATIONS)
    return int(index.b), int(index.r)


def lsh_buckets(value: Signature) -> list[int]:
    """The LSH buckets of a signature, as signed 64-bit numbers for a database index.

    One per band of the index :func:`near_duplicate_pairs` uses (same threshold, same
    bands): the band's position and values, hashed with BLAKE2b. Two texts share a
    bucket exactly when that index proposes them as a pair (but for a hash collision,
    which only adds a candidate: candidates are checked by their containment anyway).
    Texts with fewer than :data:`MIN_SHINGLES` shingles get none: they are not compared.
    """
    if value.shingles < MIN_SHINGLES:
        return []
    bands, rows = _lsh_bands()
    values = value.minhash.hashvalues
    buckets = set()
    for band in range(bands):
        chunk = values[band * rows : (band + 1) * rows].astype("<u8").tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        buckets.add(int.from_bytes(digest, "little", signed=True))
    return sorted(buckets)


def estimated_similarity(first: Signature, second: Signature) -> tuple[float, float]:
    """(Jaccard, containment of the smaller in the larger), estimated from signatures."""
    if not first.shingles or not second.shingles:
        return 0.0, 0.0
    jaccard = float(first.minhash.jaccard(second.minhash))
    shared = jaccard / (1.0 + jaccard) * (first.shingles + second.shingles)
    return jaccard, min(1.0, shared / min(first.shingles, second.shingles))


def near_duplicate_pairs(
    texts: Iterable[CopyText], *, containment: float = COPY_CONTAINMENT
) -> list[CopyPair]:
    """Every pair of copies among ``texts``, at least ``containment`` alike, in input order.

    ValueError if two texts share a key (a pair must name its two texts).
    """
    items = _unique(texts)
    signatures = {item.key: signature(item.text) for item in items}
    compared = [item.key for item in items if signatures[item.key].shingles >= MIN_SHINGLES]
    index = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERMUTATIONS)
    order = {key: position for position, key in enumerate(compared)}
    pairs: list[CopyPair] = []
    for key in compared:
        for other in sorted(index.query(signatures[key].minhash), key=order.__getitem__):
            jaccard, contained = estimated_similarity(signatures[other], signatures[key])
            if contained >= containment:
                pairs.append(CopyPair(other, key, round(jaccard, 4), round(contained, 4)))
        index.insert(key, signatures[key].minhash)
    return sorted(pairs, key=lambda pair: (order[pair.first], order[pair.second]))


def copy_groups(
    texts: Iterable[CopyText], pairs: Iterable[CopyPair] | None = None
) -> list[CopyGroup]:
    """The groups of two copies or more among ``texts``, each led by its representative.

    ``pairs`` are the copies found, :func:`near_duplicate_pairs` of ``texts`` if not given.
    Groups come in the order of their first member in ``texts``.
    """
    items = _unique(texts)
    found = near_duplicate_pairs(items) if pairs is None else list(pairs)
    parent = {item.key: item.key for item in items}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for pair in found:
        first, second = root(pair.first), root(pair.second)
        if first != second:
            parent[second] = first
    grouped: dict[str, list[CopyText]] = {}
    for item in items:
        grouped.setdefault(root(item.key), []).append(item)
    groups: list[CopyGroup] = []
    for members in grouped.values():
        if len(members) > 1:
            lead = representative(members)
            rest = tuple(m.key for m in members if m.key != lead.key)
            groups.append(CopyGroup(lead.key, (lead.key, *rest)))
    return groups


def representatives(texts: Iterable[CopyText]) -> dict[str, str]:
    """Every text's key -> the key of its group's representative (its own if no copy)."""
    items = _unique(texts)
    lead = {item.key: item.key for item in items}
    for group in copy_groups(items):
        for member in group.members:
            lead[member] = group.representative
    return lead


def representative(copies: Sequence[CopyText]) -> CopyText:
    """The copy that stands for the others: earliest date (undated last), then the most
    authoritative publisher, then the smallest key. ValueError if ``copies`` is empty."""
    if not copies:
        raise ValueError("no copies to choose from")
    return min(
        copies,
        key=lambda c: (c.published is None, c.published or date.max, authority_rank(c.url), c.key),
    )


def authority_rank(url: str | None) -> int:
    """The position of ``url``'s publisher in :data:`AUTHORITY_DOMAINS`, or its length."""
    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:  # a malformed address ranks like an unknown publisher
        host = ""
    for rank, domain in enumerate(AUTHORITY_DOMAINS):
        if host == domain or host.endswith("." + domain):
            return rank
    return len(AUTHORITY_DOMAINS)


def _unique(texts: Iterable[CopyText]) -> list[CopyText]:
    items = list(texts)
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise ValueError(f"two texts have the key {item.key!r} (keys must be unique)")
        seen.add(item.key)
    return items

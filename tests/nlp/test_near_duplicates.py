"""Copy detection: copies (whole, cut, re-typeset) are found, other texts are not, and each
group of copies is led by the earliest, most authoritative copy.

Unit tests use made-up texts (random words); the quality gate at the end runs on the
real articles of ``news-clusters`` (``bench/near_duplicates.py`` prints the figures).
"""

from __future__ import annotations

import random
import string
from datetime import date

import pytest

from bench.linking import LabelledArticle, load_news_clusters
from dateline.nlp.near_duplicates import (
    AUTHORITY_DOMAINS,
    COPY_CONTAINMENT,
    MIN_SHINGLES,
    CopyText,
    authority_rank,
    copy_groups,
    estimated_similarity,
    near_duplicate_pairs,
    representative,
    representatives,
    signature,
    word_shingles,
)
from tests.conftest import SHARED

_chance = random.Random(7)
_WORDS = [
    "".join(_chance.choices(string.ascii_lowercase, k=_chance.randint(3, 9))) for _ in range(3000)
]


def story(seed: int, words: int = 400) -> str:
    """A made-up text of ``words`` words, the same for the same seed."""
    chance = random.Random(seed)
    return " ".join(chance.choice(_WORDS) for _ in range(words))


def rewritten(text: str, share: float, seed: int) -> str:
    """``text`` with ``share`` of its words replaced at random."""
    chance = random.Random(seed)
    return " ".join(chance.choice(_WORDS) if chance.random() < share else w for w in text.split())


def test_shingles_ignore_case_punctuation_and_spacing() -> None:
    assert word_shingles("The army, it said:  SHELLED the city.", 3) == word_shingles(
        "the Army it said shelled\nthe city", 3
    )
    assert len(word_shingles("one two three four five six", 5)) == 2
    assert word_shingles("too short", 5) == frozenset()


def test_a_whole_copy_and_a_cut_copy_are_found() -> None:
    original = story(1)
    cut = " ".join(original.split()[:130])  # the first third, as a paper runs wire copy
    texts = [CopyText("wire", original), CopyText("paper", cut), CopyText("other", story(2))]
    pairs = near_duplicate_pairs(texts)
    assert [(p.first, p.second) for p in pairs] == [("wire", "paper")]
    (pair,) = pairs
    assert pair.containment >= 0.9
    assert pair.jaccard < 0.5  # Jaccard alone would miss it


def test_a_retyped_copy_is_a_copy_and_a_rewrite_is_not() -> None:
    original = story(3)
    retyped = original.upper().replace(" ", "  ,")
    texts = [
        CopyText("a", original),
        CopyText("b", retyped),
        CopyText("c", rewritten(original, 0.5, seed=4)),
    ]
    assert [(p.first, p.second) for p in near_duplicate_pairs(texts)] == [("a", "b")]


def test_the_threshold_is_the_callers() -> None:
    original = story(5)
    lightly_edited = rewritten(original, 0.04, seed=6)  # about 20% of shingles touched
    texts = [CopyText("a", original), CopyText("b", lightly_edited)]
    assert near_duplicate_pairs(texts)
    assert not near_duplicate_pairs(texts, containment=0.99)


def test_texts_too_short_to_judge_are_never_copies() -> None:
    words = MIN_SHINGLES  # MIN_SHINGLES words make fewer than MIN_SHINGLES shingles
    short = story(8, words=words)
    assert near_duplicate_pairs([CopyText("a", short), CopyText("b", short)]) == []


def test_estimated_containment_is_close_to_the_exact_one() -> None:
    for seed in range(10, 20):
        first = story(seed, words=600)
        second = rewritten(" ".join(first.split()[:300]), 0.02 * (seed - 10), seed=seed)
        a, b = word_shingles(first), word_shingles(second)
        exact = len(a & b) / min(len(a), len(b))
        _, estimate = estimated_similarity(signature(first), signature(second))
        assert estimate == pytest.approx(exact, abs=0.12), seed


def test_copies_group_transitively_under_the_earliest_copy() -> None:
    original = story(30)
    texts = [
        CopyText("late", original, date(2012, 2, 6), "https://example.net/late"),
        CopyText("other", story(31), date(2012, 2, 1)),
        CopyText("first", original, date(2012, 2, 4), "https://example.org/first"),
        CopyText("undated", original, None, "https://www.reuters.com/x"),
    ]
    (group,) = copy_groups(texts)
    assert group.representative == "first"
    assert set(group.members) == {"late", "first", "undated"}
    assert group.members[0] == "first"
    assert representatives(texts) == {
        "late": "first",
        "other": "other",
        "first": "first",
        "undated": "first",
    }


def test_between_copies_of_one_day_the_wire_agency_leads() -> None:
    day = date(2018, 1, 1)
    copies = [
        CopyText("mail", "", day, "https://www.dailymail.co.uk/news/a.html"),
        CopyText("times", "", day, "https://www.nytimes.com/a.html"),
        CopyText("wire", "", day, "https://uk.reuters.com/article/a"),  # last by key
    ]
    assert representative(copies).key == "wire"
    assert authority_rank("https://www.dailymail.co.uk/x") == len(AUTHORITY_DOMAINS)
    assert authority_rank("http://[broken") == len(AUTHORITY_DOMAINS)
    assert authority_rank(None) == len(AUTHORITY_DOMAINS)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="key 'a'"):
        near_duplicate_pairs([CopyText("a", "x"), CopyText("a", "y")])
    with pytest.raises(ValueError, match="no copies"):
        representative([])


# -- the quality gate, on real articles --------------------------------------------------

PAIRS_FLOOR = 30  # 34 found at 0.6 (December 2026), all within one labelled event
PRECISION_FLOOR = 0.97  # 1.000


@pytest.fixture(scope="module")
def labelled() -> list[LabelledArticle]:
    return load_news_clusters(SHARED / "data" / "news-clusters" / "data")


@pytest.fixture(scope="module")
def articles(labelled: list[LabelledArticle]) -> list[CopyText]:
    return [CopyText(a.key, a.article.text, a.article.published, a.article.url) for a in labelled]


def test_copies_found_in_news_clusters_stay_above_the_floor(
    labelled: list[LabelledArticle], articles: list[CopyText]
) -> None:
    event = {a.key: a.event_id for a in labelled}
    pairs = near_duplicate_pairs(articles, containment=COPY_CONTAINMENT)
    same = sum(event[p.first] == event[p.second] for p in pairs)
    assert len(pairs) >= PAIRS_FLOOR
    assert same / len(pairs) >= PRECISION_FLOOR, f"{same} of {len(pairs)} within one event"


def test_a_reuters_story_leads_its_copies_in_news_clusters(articles: list[CopyText]) -> None:
    groups = copy_groups(articles)
    urls = {a.key: a.url or "" for a in articles}
    with_reuters = [g for g in groups if any("reuters.com" in urls[k] for k in g.members)]
    assert with_reuters, "the Reuters story and its copies were not grouped"
    for group in with_reuters:
        assert "reuters.com" in urls[group.representative]

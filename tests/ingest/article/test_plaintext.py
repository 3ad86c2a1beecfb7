"""Plain-text articles: seed 002 (read at test time) and the trailing-boilerplate rules."""

from __future__ import annotations

import re

import pytest

from dateline.ingest.article import extract_article, read_article_file
from dateline.ingest.article.plaintext import split_paragraphs, split_plaintext
from dateline.ingest.article.trim import trim_boilerplate
from tests.conftest import seed_file


def seed_paragraphs() -> list[str]:
    text = seed_file("002").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def seed_tail() -> list[str]:
    """The seed's lines after the last one that mentions 2,000 (its boilerplate)."""
    lines = seed_paragraphs()
    last = max(index for index, line in enumerate(lines) if "2,000" in line)
    return lines[last + 1 :]


def test_seed_002_is_the_article_only() -> None:
    article = extract_article(read_article_file(seed_file("002")))
    lines = seed_paragraphs()
    paragraphs = article.text.split("\n\n")
    assert article.source_format == "text"
    assert article.title == lines[0]
    assert paragraphs[0] == lines[1]
    assert article.lede == lines[1]
    # ends with the sentence about the 2,000 members of the security forces
    assert "2,000" in paragraphs[-1] and "security forces" in paragraphs[-1]
    assert re.search(r"[.!?][\"”]?$", paragraphs[-1])
    # the seed's tail (a code, an author box, "Recent Posts" and teasers) is all gone
    tail = seed_tail()
    assert len(tail) > 10
    assert not set(tail) & set(paragraphs)
    assert not any(line in article.text for line in tail if len(line) > 3)
    assert "Recent Posts" not in article.text
    assert not re.search(r"\b\d+ (?:days?|weeks?) ago\b", article.text)
    # every article paragraph before the tail is kept, in order
    assert paragraphs == lines[1 : len(lines) - len(tail)]
    assert article.language == "en"


def test_seed_002_author_box_gives_the_author() -> None:
    article = extract_article(read_article_file(seed_file("002")))
    (author,) = article.authors
    tail = seed_tail()
    biography = tail[tail.index(author) + 1]
    assert biography.startswith(author.split()[0])


BODY = [
    "The harbour reopened on Tuesday after three weeks of repairs to the old stone quay.",
    "Fishing boats were the first to return, followed by the ferry to the islands.",
    "The council said the work had cost less than planned and finished ahead of time.",
]


@pytest.mark.parametrize(
    "tail",
    [
        [
            "Share on Facebook",
            "Recent Posts",
            "Another story title",
            "Two days of rain…",
            "2 days ago",
        ],
        ["Related Articles:", "Something else happened elsewhere, and it is long enough."],
        ["Jane Q. Doe", "Jane writes about harbours and ferries for a living."],
        [
            "A teaser title",
            "The start of another post that stops in the middle…",
            "5 days ago",
            "A second teaser",
            "Another cut excerpt…",
            "1 week ago",
        ],
        ["Xk3_Ab9Zq0L", "Facebook | Twitter | Email"],
    ],
)
def test_trailing_boilerplate_is_cut(tail: list[str]) -> None:
    assert trim_boilerplate([*BODY, *tail]).paragraphs == tuple(BODY)


def test_article_text_that_resembles_boilerplate_is_kept() -> None:
    body = [
        *BODY,
        "Read more about the quay in the council's report, which lists every repair.",
        "Harbour Master",  # a name-like line without a biography after it
        "The harbour master said the quay would be inspected again next spring.",
        "3 hours ago",  # a lone age stamp is dropped, not a reason to cut
        "COVID-19",
    ]
    kept = trim_boilerplate(body).paragraphs
    assert kept == tuple(line for line in body if line != "3 hours ago")


def test_first_line_is_never_cut() -> None:
    assert trim_boilerplate(["Recent Posts", *BODY]).paragraphs[0] == "Recent Posts"


def test_author_box_name_is_reported() -> None:
    trimmed = trim_boilerplate([*BODY, "Jane Doe", "Jane is a reporter who covers the coast."])
    assert trimmed.author_box_name == "Jane Doe"


def test_paragraph_splitting() -> None:
    wrapped = (
        "A hard-wrapped paragraph whose lines are all rather long,\n"
        "as an e-mail would wrap them at seventy-two characters,\n"
        "ends here.\n\nA6b_Code99x\nA Name\n\nLast paragraph."
    )
    assert split_paragraphs(wrapped) == (
        "A hard-wrapped paragraph whose lines are all rather long, as an e-mail would wrap "
        "them at seventy-two characters, ends here.",
        "A6b_Code99x",
        "A Name",
        "Last paragraph.",
    )
    assert split_paragraphs("one\ntwo\n  \nthree") == ("one", "two", "three")


def test_plain_title_and_dateline_date() -> None:
    plain = split_plaintext(
        "Harbour reopens\n\nPORTVILLE, 14 March 2019 - The harbour reopened today.\n\nMore."
    )
    assert plain.title == "Harbour reopens"
    assert plain.published is not None and plain.published.isoformat() == "2019-03-14"
    assert split_plaintext("x" * 400 + "\n\nSecond.").title is None

"""Cutting the boilerplate that follows an article, with the rules of :mod:`.boilerplate`.

Works on paragraphs (one string each) from either path, a web page's extracted text or
a plain-text file, because a copied article keeps the same tail in both. Two kinds of
rule: lines that are never article text (share buttons, stray tokens, a lone age stamp)
are dropped wherever they are; markers of the end of the article (a "Recent Posts"
heading, an author box, a list of teasers) cut it and everything after. The first
paragraph is never cut, so an article can't be trimmed to nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dateline.ingest.article import boilerplate as rules


@dataclass(frozen=True, slots=True)
class Trimmed:
    """The article's paragraphs, and the name in the author box that was cut, if any."""

    paragraphs: tuple[str, ...]
    author_box_name: str | None = None


def trim_boilerplate(paragraphs: Sequence[str]) -> Trimmed:
    """``paragraphs`` without share lines and stray tokens, cut at the first end marker."""
    kept = [text for text in (p.strip() for p in paragraphs) if text and not is_droppable(text)]
    for index in range(1, len(kept)):
        text = kept[index]
        if is_section_heading(text):
            return Trimmed(tuple(kept[:index]))
        following = kept[index + 1] if index + 1 < len(kept) else None
        if following is not None and is_author_box(text, following):
            return Trimmed(tuple(kept[:index]), author_box_name=text)
        if is_age_stamp(text) and _ends_teaser_list(kept, index):
            return Trimmed(tuple(kept[: _teaser_start(kept, index)]))
    return Trimmed(tuple(text for text in kept if not is_age_stamp(text)))


def is_droppable(text: str) -> bool:
    """A share/subscribe line or a stray token: never article text."""
    if rules.STRAY_TOKEN.fullmatch(text):
        return True
    return len(text) <= rules.SHARE_LINE_MAX_CHARS and any(
        pattern.fullmatch(text) for pattern in rules.SHARE_LINES
    )


def is_section_heading(text: str) -> bool:
    return text.rstrip(":").strip().casefold() in rules.SECTION_HEADINGS


def is_age_stamp(text: str) -> bool:
    return rules.TIME_AGO.fullmatch(text) is not None


def is_author_box(name_line: str, biography: str) -> bool:
    """A name alone on its line, followed by a biography that starts with that name."""
    if not rules.AUTHOR_NAME.fullmatch(name_line):
        return False
    names = name_line.split()
    if not all(name[0].isupper() for name in names):
        return False
    first_word = biography.split(maxsplit=1)[0]
    words = {word.strip(".,;:!?'\"\u2019").casefold() for word in biography.split()}
    return first_word in names and not words.isdisjoint(rules.BIOGRAPHY_WORDS)


def _ends_teaser_list(kept: Sequence[str], index: int) -> bool:
    # One age stamp could be the article's own ("3 hours ago" under the headline); a
    # list of them, or one right after an excerpt, is a list of other posts.
    later = any(is_age_stamp(text) for text in kept[index + 1 :])
    after_excerpt = rules.TEASER_EXCERPT_END.search(kept[index - 1]) is not None
    return later or after_excerpt


def _teaser_start(kept: Sequence[str], index: int) -> int:
    """Where the teaser ending in the age stamp at ``index`` starts (its title, excerpt)."""
    start = index
    while start > 1 and index - start < rules.TEASER_LOOKBACK:
        previous = kept[start - 1]
        excerpt = rules.TEASER_EXCERPT_END.search(previous) is not None
        title = len(previous) <= rules.TEASER_TITLE_MAX_CHARS and not rules.SENTENCE_END.search(
            previous
        )
        if not (excerpt or title):
            break
        start -= 1
    return start

"""The heuristics of article extraction, as data: patterns, word lists and thresholds.

The logic that applies them is in :mod:`.trim` (trailing boilerplate), :mod:`.plaintext`
and :mod:`.extract`; changing what counts as boilerplate means editing this module only.
Every pattern is matched against one whole paragraph (a line of extracted text),
stripped, and case-insensitively unless it says otherwise.

What a copied article drags along after its last sentence (seed 002 shows all of it):
a stray token (an embedded video's id), an author box (the name on a line of its own,
then a short biography starting with that name), a "Recent Posts" heading and teasers
(a title, an excerpt cut with an ellipsis, "5 days ago"), and share or subscribe lines.
"""

from __future__ import annotations

import re

# Headings after which nothing belongs to the article: the paragraph that matches and
# everything after it is cut. A trailing colon is allowed.
SECTION_HEADINGS = frozenset(
    {
        "about the author",
        "also read",
        "comments",
        "further reading",
        "latest news",
        "latest posts",
        "leave a comment",
        "leave a reply",
        "like this",
        "more from this author",
        "more stories",
        "most popular",
        "most read",
        "popular posts",
        "read more",
        "read next",
        "recent posts",
        "recommended",
        "related",
        "related articles",
        "related posts",
        "related stories",
        "tags",
        "you may also like",
        "you might also like",
    }
)

# "5 days ago", "an hour ago", "yesterday": the age stamp of a teaser in a list of other
# posts. A list of them (or one after an excerpt) cuts the text; a lone one is dropped.
TIME_AGO = re.compile(
    r"(?:(?:\d+|an?|one)\s+(?:second|minute|min|hour|hr|day|week|month|year)s?\s+ago"
    r"|yesterday|just now)",
    re.I,
)
# A teaser's excerpt ends in an ellipsis; its title is short and is not a sentence.
TEASER_EXCERPT_END = re.compile(r"(?:…|\.\.\.)$")
TEASER_TITLE_MAX_CHARS = 150
TEASER_LOOKBACK = 2
"""How many paragraphs before an age stamp can belong to the same teaser (title, excerpt)."""

# Lines that are never article text, wherever they are: they are dropped.
SHARE_LINE_MAX_CHARS = 80
_SHARE_BUTTON = (
    r"(?:share|tweet|e-?mail|print|pin|whatsapp|facebook|twitter|linkedin|pinterest|reddit"
    r"|telegram|copy link|flipboard)"
)
SHARE_LINES = (
    # a row of share buttons: "Share", "Facebook | Twitter | Email"
    re.compile(rf"{_SHARE_BUTTON}(?:\s*[|/·•,]?\s*{_SHARE_BUTTON})*:?", re.I),
    re.compile(r"click to share.*|share (?:on|via) \w+", re.I),
    re.compile(r"share this(?: article| story| post)?:?", re.I),
    re.compile(r"(?:subscribe|sign up|follow us)\b.*", re.I),
    re.compile(r"(?:like|enjoy|enjoyed) this (?:story|article|post)\?.*\bshare\b.*", re.I),
)
# A stray token: one "word" of ten or more letters and digits (a video id such as the
# one in seed 002, a tracking code). Case-sensitive: it must mix letters and digits.
STRAY_TOKEN = re.compile(r"(?=\S*\d)(?=\S*[A-Za-z])[A-Za-z0-9_-]{10,}")

# An author box: a name alone on a line (two to four capitalised words, no digits or
# punctuation at the end), then a biography that starts with one of the name's words
# and uses one of these words.
_NAME_WORD = r"[^\W\d_](?:[^\W\d_]|['\u2019.-])*"
AUTHOR_NAME = re.compile(rf"{_NAME_WORD}(?: {_NAME_WORD}){{1,3}}")
BIOGRAPHY_WORDS = frozenset(
    {
        "articles",
        "author",
        "blogger",
        "columnist",
        "contributor",
        "correspondent",
        "covers",
        "editor",
        "hobby",
        "journalist",
        "passion",
        "reporter",
        "writer",
        "writes",
        "writing",
    }
)

# Sizes.
MIN_ARTICLE_WORDS = 15
"""Fewer words than this in the main text means the page holds no article."""
LEDE_MIN_WORDS = 12
"""The lede is the first paragraph of at least this many words that ends a sentence."""
SENTENCE_END = re.compile(r"[.!?…][\"'\u201d\u2019»)\]]*$")  # closing quotes may follow
HARD_WRAP_MIN_CHARS = 40
"""Lines of a plain-text block are one hard-wrapped paragraph when all but the last are
at least this long; otherwise each line is a paragraph of its own (a name, a code)."""
PLAIN_TITLE_MAX_CHARS = 300
"""A plain-text article's first line is its title when it is no longer than this."""
DATE_SCAN_PARAGRAPHS = 3
"""A plain-text article's date is looked for in its title and this many first paragraphs."""
LANGUAGE_MIN_CHARS = 200
"""Below this much text, a page's declared language is trusted over detection."""
LANGUAGE_SAMPLE_CHARS = 3000
"""Language detection reads this much of the text (more changes nothing but the time)."""

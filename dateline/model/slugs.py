"""Slugs: the last part of an event's URL, made from its headline.

The rule reproduces the slugs of the archive the seed pages come from: the headline
(outer spaces trimmed) is cut to 140 characters *before* it is turned into a slug,
then transliterated to lower-case ASCII with every run of other characters as one
``-``. Cutting first is what that archive did (it gives ``...-protesters-repor``
for seed 000); cutting the finished slug to 140 characters as well keeps the limit
when transliteration lengthens the text (``ß`` -> ``ss``).
"""

from __future__ import annotations

import re

from slugify import slugify

MAX_SLUG_LENGTH = 140
_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slug_for_headline(headline: str) -> str:
    """The slug Dateline gives a new version with this headline ("" if it has no letters)."""
    # python-slugify drops the comma inside "1,500"; the archive's rule makes it a "-".
    text = headline.strip()[:MAX_SLUG_LENGTH]
    slug = slugify(text, replacements=[(",", "-")], max_length=MAX_SLUG_LENGTH, word_boundary=False)
    return str(slug).strip("-")


def is_valid_slug(slug: str) -> bool:
    """True for lower-case ASCII words joined by single dashes, at most 140 characters.

    Imported slugs are kept verbatim, so this only checks their alphabet and length:
    the seeds' damaged slugs (``1-500a2-000``) are still valid slugs.
    """
    return len(slug) <= MAX_SLUG_LENGTH and bool(_SLUG_RE.match(slug))


def context_slug(name: str) -> str:
    """The slug of a context tag's page (``Syrian Army`` -> ``syrian-army``)."""
    return str(slugify(name, replacements=[(",", "-")], max_length=MAX_SLUG_LENGTH)).strip("-")


def story_slug(story: str | None) -> str | None:
    """The slug of a story heading's page; stories whose names share a slug share a page."""
    if story is None:
        return None
    return context_slug(story) or "story"

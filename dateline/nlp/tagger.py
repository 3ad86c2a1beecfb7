"""Finding a vocabulary's surface forms in plain text: which contexts a text names.

One Aho-Corasick automaton (pyahocorasick) holds every form, so a text is scanned
once whatever the vocabulary's size; a regular expression alternation of tens of
thousands of names would backtrack form by form. What the automaton finds is then
checked and chosen:

- **whole words only**: a form that begins (ends) with a letter or digit must not have
  one just before (after) it in the text: ``Iran`` is not found in ``Iranian``, ``Oman``
  not in ``Romania``; ``Russia`` is found in ``Russia-Ukraine`` and ``Israel's``;
- **case**: forms match in any case (the portal writes ``mass shooting``, Wikipedia's
  title is ``Mass shooting``), except acronyms, which match in capitals only: ``US``
  and ``WHO`` are not ``us`` and ``who``;
- **leftmost, then longest**: overlapping finds are resolved from the left, taking the
  longest there (``Syrian Arab Army`` wins over ``Syrian`` and ``Army``), then going
  on after it;
- typographic variants are read as their plain form: a curly apostrophe as ``'``, an
  en dash as ``-`` (:data:`~dateline.nlp.vocabulary_rules.CHARACTER_FOLDS`).

A :class:`Tagger` pickles as its forms and rebuilds its automaton on loading, so it can
be handed to worker processes and does not depend on the automaton's pickle format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import ahocorasick  # type: ignore[import-not-found]  # a C extension without stubs

from dateline.nlp.vocabulary_rules import CHARACTER_FOLDS, MIN_ACRONYM_LETTERS

_FOLDS = str.maketrans(CHARACTER_FOLDS)


@dataclass(frozen=True, slots=True)
class Match:
    """A form found in a text: ``surface`` (``text[start:end]``, as written) names ``context``."""

    start: int
    end: int
    surface: str
    context: str


def fold(text: str) -> str:
    """``text`` with typographic variants replaced, one character for one."""
    return text.translate(_FOLDS)


def is_acronym(form: str) -> bool:
    """Whether the letters of ``form`` are all capitals, two at least: ``UN``, ``ISIL``,
    ``COVID-19``, ``US$``."""
    letters = [c for c in form if c.isalpha()]
    return len(letters) >= MIN_ACRONYM_LETTERS and all(c.isupper() for c in letters)


def match_key(form: str) -> str:
    """What two forms must share to be found at the same places: the folded form, in
    lower case unless it is an acronym."""
    folded = fold(form)
    return folded if is_acronym(folded) else _lower(folded)


def _lower(text: str) -> str:
    """Lower case with the same length (a few characters lower to two: left as they are)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


class Tagger:
    """Tags texts with the contexts of a vocabulary: ``{surface form: context name}``."""

    def __init__(self, forms: Mapping[str, str]) -> None:
        self._forms = dict(forms)
        # Lower-case key -> the forms found there: (folded form, context, capitals only).
        candidates: dict[str, list[tuple[str, str, bool]]] = {}
        for form, context in self._forms.items():
            folded = fold(form).strip()
            if not folded:
                continue
            candidates.setdefault(_lower(folded), []).append((folded, context, is_acronym(folded)))
        self._automaton: Any = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        for key, found in candidates.items():
            # Capitals-only forms are checked first: "WHO" before "Who".
            self._automaton.add_word(key, (len(key), tuple(sorted(found, key=lambda f: not f[2]))))
        self._empty = not candidates
        if not self._empty:
            self._automaton.make_automaton()

    @property
    def forms(self) -> dict[str, str]:
        """The vocabulary this tagger was built from (a copy)."""
        return dict(self._forms)

    def __len__(self) -> int:
        return len(self._forms)

    def __reduce__(self) -> tuple[type[Tagger], tuple[dict[str, str]]]:
        return (Tagger, (self._forms,))

    def matches(self, text: str) -> list[Match]:
        """The forms found in ``text``: whole words, leftmost-longest, in text order."""
        if self._empty or not text:
            return []
        folded = fold(text)
        lowered = _lower(folded)
        found: list[Match] = []
        for last, (length, candidates) in self._automaton.iter(lowered):
            start, end = last - length + 1, last + 1
            if not _whole_word(folded, start, end):
                continue
            for form, context, capitals in candidates:
                if not capitals or folded[start:end] == form:
                    found.append(Match(start, end, text[start:end], context))
                    break
        return _leftmost_longest(found)

    def tag(self, text: str) -> tuple[str, ...]:
        """The contexts ``text`` names, in the order it first names them, once each."""
        return tuple(dict.fromkeys(m.context for m in self.matches(text)))

    def tag_all(self, texts: Iterable[str]) -> tuple[str, ...]:
        """The contexts named by any of ``texts`` (a headline, then a summary...), in order.

        Each text is scanned on its own, so no form is found across two of them.
        """
        return tuple(dict.fromkeys(c for text in texts for c in self.tag(text)))


def _whole_word(text: str, start: int, end: int) -> bool:
    if text[start].isalnum() and start > 0 and text[start - 1].isalnum():
        return False
    return not (text[end - 1].isalnum() and end < len(text) and text[end].isalnum())


def _leftmost_longest(found: list[Match]) -> list[Match]:
    chosen: list[Match] = []
    position = 0
    for match in sorted(found, key=lambda m: (m.start, m.start - m.end)):
        if match.start >= position:
            chosen.append(match)
            position = match.end
    return chosen

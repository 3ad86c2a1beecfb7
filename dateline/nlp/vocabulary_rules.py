"""The heuristics of the context vocabulary, as data (used by :mod:`dateline.nlp.vocabulary`
and :mod:`dateline.nlp.tagger`).

A link's text is evidence that the text names the linked article: ``Syrian Army`` links
``Syrian Arab Army``, ``civilians`` links ``Civilian``. Not every link text is a name,
though: the portal links ``Two soldiers`` to ``Syrian Army``, ``the country`` to
``Philippines`` and ``President`` to whichever president the item is about. Such
texts name a thing only in their sentence; as aliases they would tag every text that
says "the country". These rules keep them out. Measured with ``bench/tagger.py``.
"""

from __future__ import annotations

MIN_LETTERS = 3
"""A form with fewer letters (``$``, ``UK`` written ``Uk``...) is too ambiguous to tag by..."""
MIN_ACRONYM_LETTERS = 2
"""...unless it is an acronym (``UN``, ``EU``), which is matched in capitals only."""
MAX_FORM_LENGTH = 200
"""Longer link texts are sentences, not names (and the aliases table holds 200 characters)."""

DOMINANCE = 0.75
"""An alias seen linking several contexts is kept for one of them only when that one has
this share of its sightings (``government`` links every country's government: dropped)."""

MIN_ALIAS_SIGHTINGS = 1
"""How many times a text must have been seen linking a context to become its alias."""

LOWER_CASE_ALIAS_SHARES_A_WORD = True
"""An alias written in lower case must share a word (its first :data:`STEM_LETTERS`
letters) with its context's name: ``civilians`` for ``Civilian`` and ``kidnapped`` for
``Kidnap``, but not ``ongoing`` for ``Yemeni Civil War`` nor ``on the run`` for
``Fugitive``: such links explain a word, they do not name the article. Capitalised
aliases are names and need not (``Kremlin``, ``MEPs``)."""
STEM_LETTERS = 4

LOWER_CASE_WORD_NAMES_ONE_WORD = True
"""A one-word alias in lower case is kept only for a one-word context (``jihadists``
for ``Jihadist``): for a longer one it names a part, not the whole (``mass`` for
``Mass shooting``, ``freezing`` for ``Asset freezing``)."""

GENERIC_WORDS = frozenset(
    """
    a an the this that these those its his her their our my your some any all other
    several many two three four five six seven eight nine ten dozens hundreds thousands
    of in on at for by from to with and or
    country countries nation state states city cities town village capital region
    province district area government governments administration authorities officials
    president presidents prime minister ministers ministry premier chancellor king queen
    leader leaders governor governor-general mayor speaker spokesperson chief deputy
    first general secretary foreign interior defence defense justice finance
    army armies military forces force troops soldiers police officers guard guards navy
    air national assembly parliament congress senate house representatives court
    courts supreme constitutional council cabinet party parties opposition election
    elections vote polls people men women children residents citizens group groups
    members man woman person family families officer official
    said says killed kills attack attacks war
    """.split()  # noqa: SIM905 (a list of words reads best as words)
)
"""Words that alone never name one thing: an alias made of nothing else is dropped
(``the country``, ``Prime Minister``, ``forces``). A context's own name is kept even
when it is one of them: ``Police`` is a context when the archive has it as one."""

STRIP_TITLE_QUALIFIERS = True
"""Wikipedia titles carry a disambiguator the text never writes: ``Chihuahua (state)``,
``Darwin, Northern Territory``. With this, a title also answers to its name without it,
unless another context is called that (``Wales`` stays ``Wales``, not ``Wales, Alaska``)
or several titles share it with none dominant (``Georgia (country)``, ``Georgia (U.S.
state)``)."""

CHARACTER_FOLDS = {
    "\u2018": "'",
    "\u2019": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}
"""Characters the tagger reads as another (one for one, so text offsets are kept):
``Legionnaires\u2019 disease`` in a text matches ``Legionnaires' disease``."""

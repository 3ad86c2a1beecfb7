"""Enrichment of plain text: context tags for events whose text carries no links.

- :mod:`~dateline.nlp.vocabulary`: which surface forms name which context, built from
  the links Dateline has seen (link text -> article title) and the context names stored;
- :mod:`~dateline.nlp.vocabulary_rules`: the heuristics that vocabulary applies, as data;
- :mod:`~dateline.nlp.tagger`: finds those forms in text (Aho-Corasick, whole words,
  leftmost-longest);
- :mod:`~dateline.nlp.retag`: re-tags the archive after the vocabulary grew;
- :mod:`~dateline.nlp.evaluation`: measures the tagger against real links.
"""

from dateline.nlp.retag import RetagReport, retag_archive
from dateline.nlp.tagger import Tagger
from dateline.nlp.vocabulary import Vocabulary, build_vocabulary

__all__ = ["RetagReport", "Tagger", "Vocabulary", "build_vocabulary", "retag_archive"]

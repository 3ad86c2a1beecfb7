"""Which event an article reports: candidate events ranked, with a score and the reasons.

An article is attached to an event outright when one of the event's source URLs is the
article's address (its canonical URL or the one it was fetched from), compared as
:func:`dateline.nlp.urls.url_key` keys. Otherwise every candidate event is scored on
three kinds of evidence, each written into the candidate's ``reasons``:

- **text**: the TF-IDF cosine similarity (scikit-learn) of the event's headline and
  summary with the article's title, lede and first :attr:`LinkRules.article_words`
  words. TF-IDF rather than BM25 because a cosine lies in [0, 1] whatever the query,
  so one threshold means the same for every article, where BM25 scores grow with the
  query's length and compare only within one ranking; and because it ranked better on
  ``news-clusters``: 0.950 of the articles get their event first against 0.919 with
  bm25s (``bench/linking.py --compare-bm25``). The inverse document frequencies are
  those of the candidate events: what is common among the day's events ("killed",
  "Syria" in February 2012) weighs less than what sets one apart;
- **contexts**: the event's context tags that the article's text names (found with a
  :class:`~dateline.nlp.tagger.Tagger` made of the candidates' tags, and of a vocabulary
  if one is given, which also tags events that carry no tags). Their share of the
  event's tags, times :attr:`LinkRules.context_weight`, is added to the text score;
- **date**: the article's date minus the event's, in days. A candidate outside
  :attr:`LinkRules.window_days` is not considered; for an article dated before its
  event, or more than :attr:`LinkRules.late_days` after it, the sum is multiplied by
  :meth:`LinkRules.date_factor` (lower for each day early than late) and a warning
  says so. An undated article is ranked on text and contexts alone.

The best candidate is attached when its score reaches :attr:`LinkRules.attach_threshold`
and the article's date fits it (the event's day or up to :attr:`LinkRules.late_days`
later); otherwise the article waits for review with its ranked candidates
(:func:`decide`): that keeps an article whose date disagrees from being filed silently.
The rules are data (:data:`RULES`), measured with ``bench/linking.py``.

Pure functions of plain data: nothing here reads or writes storage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

# scikit-learn ships no type information.
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]
from sklearn.metrics.pairwise import cosine_similarity  # type: ignore[import-untyped]

from dateline.nlp.tagger import Tagger
from dateline.nlp.urls import url_keys

Decision = Literal["attach", "review"]

# -- rules, as data -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LinkRules:
    """The numbers of linking (see the module docstring); :data:`RULES` holds the measured ones."""

    window_days: int = 3
    """Events dated more than this many days before or after the article are not candidates."""
    late_days: int = 2
    """An article dated up to this many days after its event is on time (next-day papers,
    weekend editions, time zones)."""
    late_penalty: float = 0.1
    """Score lost per day an article is later than that (follow-ups are common)..."""
    early_penalty: float = 0.2
    """...and per day it is dated *before* its event: an article cannot report what has not
    happened yet, though a day off is a time-zone matter and announced events are reported
    ahead."""
    min_date_factor: float = 0.25
    """A score is never multiplied by less than this for its date."""
    context_weight: float = 0.2
    """Weight of the share of the event's contexts that the article names."""
    attach_threshold: float = 0.2
    """Score from which the best candidate is attached; below, the article waits for review."""
    attach_off_date: bool = False
    """Whether an article whose date does not fit its best candidate's (dated before it, or
    late) may be attached without review. No: a date that disagrees is what a person
    should see (seed 004), and a late article is often about the story's next event."""
    attach_undated: bool = False
    """Whether an undated article may be attached without review (no: the same story goes
    on for days, and only the date tells the Homs shelling of one day from the next)."""
    article_words: int = 300
    """Words of the article's body used besides its title and lede: ranked on text alone,
    news-clusters articles get their event first 0.901 of the time with title and lede
    only, 0.935 with 100 words, 0.950 with 300, 0.950 with the whole text (0.962, 0.955
    in the ``source`` setting): 300 is as good and bounds the work per article."""

    def date_factor(self, day_offset: int | None) -> float:
        """What a candidate's text score is multiplied by, for the article's date minus the
        event's (1.0 for an undated article or one on time)."""
        if day_offset is None or 0 <= day_offset <= self.late_days:
            return 1.0
        if day_offset < 0:
            lost = self.early_penalty * -day_offset
        else:
            lost = self.late_penalty * (day_offset - self.late_days)
        return max(self.min_date_factor, 1.0 - lost)


RULES = LinkRules()

_VECTORIZER_OPTIONS = {"stop_words": "english", "sublinear_tf": True, "strip_accents": "unicode"}


# -- data -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ArticleText:
    """An article as linking sees it. ``lede`` is its first real paragraph, ``text`` the
    main text; ``published`` its date, if known."""

    url: str | None
    canonical_url: str | None
    title: str
    lede: str
    text: str
    published: date | None


@dataclass(frozen=True, slots=True)
class EventCandidate:
    """An event an article may report. ``id`` is the caller's (a database id, a slug)."""

    id: str
    date: date
    headline: str
    summary: str = ""
    contexts: tuple[str, ...] = ()
    source_urls: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RankedEvent:
    """A candidate event with its score, why it got it, and what is odd about it.

    ``day_offset`` is the article's date minus the event's, in days (None if the article
    is undated); ``shared_contexts`` are the event's tags that the article names.
    """

    event: EventCandidate
    score: float
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    same_url: bool
    text_similarity: float
    shared_contexts: tuple[str, ...]
    day_offset: int | None


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The ranked candidates of one article (best first) and what to do with it."""

    candidates: tuple[RankedEvent, ...]
    decision: Decision
    threshold: float

    @property
    def best(self) -> RankedEvent | None:
        return self.candidates[0] if self.candidates else None

    @property
    def attached(self) -> EventCandidate | None:
        """The event the article is attached to, or None if it waits for review."""
        return self.candidates[0].event if self.decision == "attach" else None


# -- linking ----------------------------------------------------------------------------


def candidate_days(published: date | None, rules: LinkRules = RULES) -> tuple[date, date] | None:
    """The first and last event dates worth fetching for an article of date ``published``
    (None when it is undated: any date may do)."""
    if published is None:
        return None
    window = timedelta(days=rules.window_days)
    return published - window, published + window


class EventLinker:
    """Ranks a fixed set of candidate events for any number of articles.

    Building it fits the TF-IDF weights on the events' texts and the context tagger on
    their tags (plus ``tagger``'s vocabulary, if given: it also tags the events' own
    headlines and summaries, for events stored without tags).
    """

    def __init__(
        self,
        events: Iterable[EventCandidate],
        *,
        tagger: Tagger | None = None,
        rules: LinkRules = RULES,
    ) -> None:
        self.events = tuple(events)
        self.rules = rules
        extra = tagger.tag_all if tagger is not None else None
        self._contexts = [
            tuple(dict.fromkeys(e.contexts + (extra([e.headline, e.summary]) if extra else ())))
            for e in self.events
        ]
        forms = tagger.forms if tagger is not None else {}
        forms.update({c: c for contexts in self._contexts for c in contexts})
        self._tagger = Tagger(forms)
        self._urls = [url_keys(e.source_urls) for e in self.events]
        self._vectorizer = TfidfVectorizer(**_VECTORIZER_OPTIONS)
        try:
            self._matrix = self._vectorizer.fit_transform([event_document(e) for e in self.events])
        except ValueError:  # no events, or no word in them that is not a stop word
            self._matrix = None

    def rank(self, article: ArticleText) -> list[RankedEvent]:
        """The candidate events for ``article``, best first: those sharing its URL, then
        those within the date window (all of them for an undated article) by score."""
        article_urls = url_keys([article.canonical_url, article.url])
        similarity = self._similarities(article)
        named = set(self._tagger.tag_all([article.title, article.lede, article.text]))
        ranked: list[RankedEvent] = []
        for index, event in enumerate(self.events):
            same_url = bool(article_urls & self._urls[index])
            offset = None if article.published is None else (article.published - event.date).days
            if not same_url and offset is not None and abs(offset) > self.rules.window_days:
                continue
            shared = tuple(c for c in self._contexts[index] if c in named)
            ranked.append(
                self._ranked(event, same_url, offset, similarity[index], shared, index, article)
            )
        return sorted(ranked, key=lambda r: (not r.same_url, -r.score, r.event.date, r.event.id))

    def link(self, article: ArticleText) -> LinkResult:
        """:meth:`rank`, and the decision (:func:`decide`)."""
        ranked = tuple(self.rank(article))
        return LinkResult(
            ranked, decide(ranked[0] if ranked else None, self.rules), self.rules.attach_threshold
        )

    def _similarities(self, article: ArticleText) -> list[float]:
        if self._matrix is None:
            return [0.0] * len(self.events)
        query = self._vectorizer.transform([article_query(article, self.rules.article_words)])
        return [float(v) for v in cosine_similarity(query, self._matrix)[0]]

    def _ranked(
        self,
        event: EventCandidate,
        same_url: bool,
        offset: int | None,
        similarity: float,
        shared: tuple[str, ...],
        index: int,
        article: ArticleText,
    ) -> RankedEvent:
        rules = self.rules
        reasons: list[str] = ["same URL"] if same_url else []
        warnings: list[str] = []
        factor = rules.date_factor(offset)
        if offset is not None:
            reasons.append(describe_offset(offset))
            if factor < 1.0:
                warnings.append(date_warning(article.published or event.date, event.date))
        if shared:
            reasons.append("shared contexts: " + ", ".join(shared))
        reasons.append(f"text similarity {similarity:.2f}")
        share = len(shared) / len(self._contexts[index]) if shared else 0.0
        score = 1.0 if same_url else min(1.0, (similarity + rules.context_weight * share) * factor)
        return RankedEvent(
            event=event,
            score=round(score, 4),
            reasons=tuple(reasons),
            warnings=tuple(warnings),
            same_url=same_url,
            text_similarity=round(similarity, 4),
            shared_contexts=shared,
            day_offset=offset,
        )


def decide(best: RankedEvent | None, rules: LinkRules = RULES) -> Decision:
    """Attach the best candidate if it has the article's URL; otherwise if it scores at
    least the threshold and the article's date fits the event's (an undated or off-date
    article only if :class:`LinkRules` says so). Anything else, and no candidate, is for
    review."""
    if best is None:
        return "review"
    if best.same_url:
        return "attach"
    if best.score < rules.attach_threshold:
        return "review"
    if best.day_offset is None:
        return "attach" if rules.attach_undated else "review"
    on_time = 0 <= best.day_offset <= rules.late_days
    return "attach" if on_time or rules.attach_off_date else "review"


def rank_events(
    article: ArticleText,
    events: Iterable[EventCandidate],
    *,
    tagger: Tagger | None = None,
    rules: LinkRules = RULES,
) -> list[RankedEvent]:
    """:meth:`EventLinker.rank` for one article."""
    return EventLinker(events, tagger=tagger, rules=rules).rank(article)


def link_article(
    article: ArticleText,
    events: Iterable[EventCandidate],
    *,
    tagger: Tagger | None = None,
    rules: LinkRules = RULES,
) -> LinkResult:
    """:meth:`EventLinker.link` for one article."""
    return EventLinker(events, tagger=tagger, rules=rules).link(article)


def describe_offset(days: int) -> str:
    """``"same date"``, ``"date +1 day"``, ``"date -2 days"``: the article's date against
    the event's."""
    if days == 0:
        return "same date"
    return f"date {days:+d} day{'s' if abs(days) != 1 else ''}"


def date_warning(article_date: date, event_date: date) -> str:
    """Why an article's date does not fit its event's."""
    days = (article_date - event_date).days
    if days < 0:
        when = f"{-days} day{'s' if days != -1 else ''} before"
    else:
        when = f"{days} day{'s' if days != 1 else ''} after"
    return (
        f"date mismatch: the article is dated {article_date.isoformat()}, "
        f"{when} the event ({event_date.isoformat()})"
    )


def event_document(event: EventCandidate) -> str:
    """The text of an event that articles are compared with: headline and summary."""
    return f"{event.headline}\n{event.summary}"


def article_query(article: ArticleText, words: int = RULES.article_words) -> str:
    """The text of an article compared with events: title, lede, the body's first words."""
    body = " ".join(article.text.split()[:words])
    return f"{article.title}\n{article.lede}\n{body}"

"""Attaching a stored article to the event it reports, or leaving it for review.

After the URL match of :func:`dateline.ingest.article.ingest.link_by_url`, the
candidates are fetched from the archive and ranked by :class:`dateline.nlp.linking.
EventLinker` (text similarity, shared contexts, dates):

- a dated article: the events within the linking window of its date;
- an undated one (a copied text such as seed 002): the best full-text matches of its
  title and lede in the search index, from any date.

Undated articles get one more piece of evidence: news text names the weekday of what
it reports ("Foreign Minister Sergei Lavrov said on Saturday"). A candidate dated on a
weekday the text names, or the day after one (a report of the night before), has its
score multiplied by :data:`WEEKDAY_FACTOR` and says so in its reasons. The best
candidate is attached when :func:`dateline.nlp.linking.decide` says so; otherwise the
article waits for ``dateline review`` with its ranked candidates and their warnings.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

from dateline.model.article import Article
from dateline.nlp.linking import (
    RULES,
    ArticleText,
    EventCandidate,
    EventLinker,
    LinkResult,
    RankedEvent,
    candidate_days,
    decide,
)
from dateline.nlp.tagger import Tagger
from dateline.search import SearchIndex
from dateline.store import Store

RANKED_METHOD = "ranked"
UNDATED_CANDIDATES = 60
"""How many full-text matches an undated article is compared with."""
WEEKDAY_FACTOR = 1.3
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(r"\b(?:on|last|this|early|late)\s+(" + "|".join(WEEKDAYS) + r")\b", re.I)
_QUERY_WORD = re.compile(r"[^\W\d_]{3,}")


def article_text(article: Article) -> ArticleText:
    content = article.content
    return ArticleText(
        url=content.url,
        canonical_url=content.url,
        title=content.title or "",
        lede=content.lede or "",
        text=content.text,
        published=content.published,
    )


def rank_for_article(
    store: Store,
    article: Article,
    *,
    tagger: Tagger | None = None,
    search: SearchIndex | None = None,
) -> LinkResult:
    """The archive's candidate events for ``article``, ranked, and the decision."""
    text = article_text(article)
    days = candidate_days(text.published)
    if days is not None:
        ids = [entry.id for entry in store.entries_between(*days)]
    else:
        index = search or SearchIndex(store)
        words = _QUERY_WORD.findall(f"{text.title} {text.lede}")[:40]
        if not words:
            return LinkResult((), "review", RULES.attach_threshold)
        query = " OR ".join(dict.fromkeys(w.lower() for w in words))
        found = index.search(query, limit=UNDATED_CANDIDATES)
        ids = [hit.entry.id for hit in found.hits]
    events = store.events(ids)
    candidates = [
        EventCandidate(
            id=str(event.id),
            date=event.content.date,
            headline=event.content.headline,
            summary=event.content.summary,
            contexts=event.content.contexts,
            source_urls=tuple(s.url for s in event.content.sources if s.url),
        )
        for event in events
        if not event.is_stub
    ]
    result = EventLinker(candidates, tagger=tagger).link(text)
    if text.published is not None:
        return result
    ranked = sorted(
        (_weekday_evidence(r, text.text) for r in result.candidates),
        key=lambda r: (not r.same_url, -r.score, r.event.date, r.event.id),
    )
    return LinkResult(tuple(ranked), decide(ranked[0] if ranked else None), result.threshold)


def attach_ranked(store: Store, article: Article, result: LinkResult) -> bool:
    """Attach the article to its best candidate if the decision is to; whether it was."""
    best = result.best
    if result.decision != "attach" or best is None:
        return False
    store.attach_article(
        article.id,
        int(best.event.id),
        score=min(1.0, best.score),
        reason="; ".join(best.reasons),
        method=RANKED_METHOD,
    )
    return True


def named_weekdays(text: str) -> set[int]:
    """The weekdays (0 = Monday) a text names as when something happened."""
    return {WEEKDAYS.index(m.lower()) for m in _WEEKDAY.findall(text)}


def _weekday_evidence(ranked: RankedEvent, text: str) -> RankedEvent:
    named = named_weekdays(text)
    day = ranked.event.date
    if not named or ranked.same_url:
        return ranked
    if day.weekday() in named or (day - timedelta(days=1)).weekday() in named:
        reason = f"the text names its weekday ({WEEKDAYS[day.weekday()].capitalize()})"
        if day.weekday() not in named:
            reason = f"the text names the day before ({WEEKDAYS[(day.weekday() - 1) % 7]})"
        return replace(
            ranked,
            score=round(min(1.0, ranked.score * WEEKDAY_FACTOR), 4),
            reasons=(*ranked.reasons, reason),
        )
    return ranked

"""Benchmark of article-to-event linking on real articles labelled with their event.

Data: ``../shared/data/news-clusters/data/*.json``, 383 news articles (news-please
output) each labelled with the real-world event it reports (``newsCluster``: 69
events, 1 to 19 articles each).

Protocol:

1. One :class:`~dateline.nlp.linking.EventCandidate` per labelled event. Its headline
   is the label written out (``north_Korea_hokkaido_missile`` -> "north Korea hokkaido
   missile"); its date the earliest publication date among its articles (the labels
   carry no date). Two settings:

   - ``label``: that is all the event has; every article is linked;
   - ``source``: like a portal event, the event also has a source: its earliest
     article (ties: the smallest URL), whose title and description become the event's
     summary and whose URL its source URL. Those 69 source articles link by URL (and
     are counted apart); the 314 others are linked by score, against a summary written
     from another article of the event.

2. The labels are hidden: each article (title; lede = its description, or its first
   paragraph of 20 words or more; text; date) is ranked against all the events with
   :class:`~dateline.nlp.linking.EventLinker` (the date window leaves out events too
   far from the article's date, as it would in an archive).
3. *Accuracy* is the share of articles whose best candidate is their labelled event,
   attached or not; *attached accuracy* the share attached to it (review counts as
   wrong). *B-cubed* precision, recall and F1 score the clustering the attachments
   induce (articles attached to one event form a cluster; an article left for review
   is a cluster of its own) against the labelled events.

The threshold sweep shows how the attach threshold trades review work for errors.
Figures are pinned by ``tests/nlp/test_linking.py``.

Run from the repository root::

    .venv/bin/python bench/linking.py
    .venv/bin/python bench/linking.py --window 3 7 --compare-bm25 --json linking.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dateline.errors import InputError  # noqa: E402
from dateline.nlp.linking import (  # noqa: E402
    RULES,
    ArticleText,
    EventCandidate,
    EventLinker,
    LinkResult,
    LinkRules,
    article_query,
    decide,
    event_document,
)

SHARED = Path(os.environ.get("DATELINE_SHARED", ROOT.parent / "shared"))
NEWS_CLUSTERS = SHARED / "data" / "news-clusters" / "data"
SETTINGS = ("label", "source")
THRESHOLDS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5)
LEDE_MIN_WORDS = 20


@dataclass(frozen=True, slots=True)
class LabelledArticle:
    """A news-clusters article: what linking sees, and its label (hidden from linking)."""

    key: str
    domain: str
    article: ArticleText
    event_id: str
    event_label: str


@dataclass(frozen=True)
class Row:
    setting: str
    threshold: float
    window_days: int
    articles: int
    by_url: int
    reachable: int
    accuracy: float
    attached: int
    attached_accuracy: float
    review: int
    precision: float
    recall: float
    f1: float


# -- data ---------------------------------------------------------------------------


def load_news_clusters(folder: Path = NEWS_CLUSTERS) -> list[LabelledArticle]:
    """The labelled articles of ``folder`` (``*.json``), in file name order.

    InputError naming the file and field when one is not a labelled news-please record.
    """
    found = sorted(folder.glob("*.json"))
    if not found:
        raise InputError("holds no *.json article", where=str(folder))
    return [_labelled(path) for path in found]


def _labelled(path: Path) -> LabelledArticle:
    where = str(path)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"is not a JSON article ({error})", where=where) from None
    if not isinstance(record, dict):
        raise InputError("is not a JSON object", where=where)
    cluster = record.get("newsCluster")
    if not isinstance(cluster, dict) or "EventId" not in cluster or "Event" not in cluster:
        raise InputError("has no EventId and Event", where=where, field="newsCluster")
    text = _text(record, "text", where)
    try:
        published = date.fromisoformat(str(record.get("date_publish") or "")[:10])
    except ValueError:
        raise InputError(
            "is not a date (expected YYYY-MM-DD...)", where=where, field="date_publish"
        ) from None
    description = record.get("description")
    lede = description if isinstance(description, str) and description.strip() else None
    article = ArticleText(
        url=_text(record, "url", where),
        canonical_url=None,
        title=_text(record, "title", where),
        lede=lede or first_paragraph(text),
        text=text,
        published=published,
    )
    return LabelledArticle(
        path.stem,
        str(record.get("source_domain") or ""),
        article,
        str(cluster["EventId"]),
        str(cluster["Event"]),
    )


def _text(record: dict[str, Any], name: str, where: str) -> str:
    value = record.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InputError("is missing or empty (expected text)", where=where, field=name)
    return value


def first_paragraph(text: str) -> str:
    """The first line of ``text`` with :data:`LEDE_MIN_WORDS` words or more ("" if none)."""
    return next((line for line in text.splitlines() if len(line.split()) >= LEDE_MIN_WORDS), "")


def label_words(label: str) -> str:
    """``north_Korea_hokkaido_missile`` -> ``north Korea hokkaido missile``; camel case split."""
    return " ".join(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", label).replace("_", " ").split())


def source_articles(articles: Sequence[LabelledArticle]) -> dict[str, LabelledArticle]:
    """Each event's earliest article (ties: the smallest URL)."""
    first: dict[str, LabelledArticle] = {}
    for item in articles:
        known = first.get(item.event_id)
        if known is None or _order(item) < _order(known):
            first[item.event_id] = item
    return first


def _order(item: LabelledArticle) -> tuple[date, str]:
    return (item.article.published or date.max, item.article.url or "")


def build_events(articles: Sequence[LabelledArticle], setting: str) -> list[EventCandidate]:
    """One event per label, as the module docstring describes ``setting``."""
    if setting not in SETTINGS:
        raise ValueError(f"unknown setting {setting!r} (expected one of {', '.join(SETTINGS)})")
    sources = source_articles(articles)
    events: list[EventCandidate] = []
    for event_id, source in sorted(sources.items()):
        headline = label_words(source.event_label)
        summary = ""
        urls: tuple[str, ...] = ()
        if setting == "source":
            summary = f"{source.article.title}\n{source.article.lede}"
            urls = (source.article.url,) if source.article.url else ()
        published = source.article.published or date.min
        events.append(EventCandidate(event_id, published, headline, summary, (), urls))
    return events


# -- scores -----------------------------------------------------------------------------


Item = TypeVar("Item", bound=Hashable)


def b_cubed(
    predicted: Mapping[Item, Hashable], gold: Mapping[Item, Hashable]
) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of a clustering (item -> cluster) against the truth.

    Per item, precision is the share of its predicted cluster that shares its true
    cluster, recall the share of its true cluster that shares its predicted one; both
    averaged over the items (Bagga and Baldwin, 1998).
    """
    if set(predicted) != set(gold):
        raise ValueError("the clusterings must cover the same items")
    if not gold:
        return 0.0, 0.0, 0.0
    by_predicted: dict[Hashable, set[Item]] = defaultdict(set)
    by_gold: dict[Hashable, set[Item]] = defaultdict(set)
    for item in gold:
        by_predicted[predicted[item]].add(item)
        by_gold[gold[item]].add(item)
    precision = recall = 0.0
    for item in gold:
        both = len(by_predicted[predicted[item]] & by_gold[gold[item]])
        precision += both / len(by_predicted[predicted[item]])
        recall += both / len(by_gold[gold[item]])
    precision, recall = precision / len(gold), recall / len(gold)
    total = precision + recall
    return precision, recall, (2 * precision * recall / total if total else 0.0)


def link_all(
    articles: Sequence[LabelledArticle], setting: str, rules: LinkRules = RULES
) -> list[LinkResult]:
    """Every article linked against the events of ``setting`` under ``rules``."""
    linker = EventLinker(build_events(articles, setting), rules=rules)
    return [linker.link(item.article) for item in articles]


def score(
    articles: Sequence[LabelledArticle],
    results: Sequence[LinkResult],
    setting: str,
    rules: LinkRules,
) -> Row:
    """The figures of one setting under ``rules`` (its threshold and window; the results
    were ranked once under its window and are decided again here, threshold by threshold).
    """
    predicted: dict[Hashable, Hashable] = {}
    gold: dict[Hashable, Hashable] = {}
    correct = attached = attached_right = by_url = reachable = 0
    for item, result in zip(articles, results, strict=True):
        best = result.best
        gold[item.key] = item.event_id
        attach = decide(best, rules) == "attach"
        predicted[item.key] = best.event.id if attach and best is not None else ("review", item.key)
        if best is not None and best.same_url:
            by_url += 1
            continue  # linked by URL: counted apart, not in the accuracy
        reachable += any(c.event.id == item.event_id for c in result.candidates)
        right = best is not None and best.event.id == item.event_id
        correct += right
        attached += attach
        attached_right += attach and right
    ranked = len(articles) - by_url
    precision, recall, f1 = b_cubed(predicted, gold)
    return Row(
        setting, rules.attach_threshold, rules.window_days, len(articles), by_url, reachable,
        round(correct / ranked, 4), attached, round(attached_right / ranked, 4),
        ranked - attached, round(precision, 4), round(recall, 4), round(f1, 4),
    )  # fmt: skip


def sweep(
    articles: Sequence[LabelledArticle],
    settings: Sequence[str] = SETTINGS,
    thresholds: Sequence[float] = THRESHOLDS,
    windows: Sequence[int] = (RULES.window_days,),
    rules: LinkRules = RULES,
) -> list[Row]:
    rows = []
    for setting in settings:
        for window in windows:
            windowed = replace(rules, window_days=window)
            results = link_all(articles, setting, windowed)
            rows += [
                score(articles, results, setting, replace(windowed, attach_threshold=t))
                for t in thresholds
            ]
    return rows


def text_only(articles: Sequence[LabelledArticle], rules: LinkRules = RULES) -> list[Row]:
    """A diagnostic: the ranking on text alone (no date window, no date factor, dates
    not checked when attaching), at threshold 0: how good the text similarity is."""
    loose = replace(
        rules,
        window_days=100_000,
        late_penalty=0.0,
        early_penalty=0.0,
        attach_off_date=True,
        attach_threshold=0.0,
    )
    return [score(articles, link_all(articles, s, loose), s, loose) for s in SETTINGS]


def bm25_accuracy(articles: Sequence[LabelledArticle], setting: str) -> float | None:
    """The share of articles whose labelled event bm25s ranks first among all events, on
    the same texts as TF-IDF (:func:`text_only`); None if bm25s is not installed (it is
    no dependency of Dateline: ``.venv/bin/pip install bm25s`` to compare)."""
    try:
        import bm25s  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return None
    events = build_events(articles, setting)
    retriever = bm25s.BM25()
    documents = [event_document(e) for e in events]
    retriever.index(
        bm25s.tokenize(documents, stopwords="en", show_progress=False), show_progress=False
    )
    tested = [a for a in articles if not _is_source(a, events)]
    queries = [article_query(a.article) for a in tested]
    found, _ = retriever.retrieve(
        bm25s.tokenize(queries, stopwords="en", show_progress=False), k=1, show_progress=False
    )
    right = sum(events[int(found[i, 0])].id == a.event_id for i, a in enumerate(tested))
    return round(right / len(tested), 4)


def _is_source(item: LabelledArticle, events: Sequence[EventCandidate]) -> bool:
    return any(item.article.url in e.source_urls for e in events if e.id == item.event_id)


def markdown_table(rows: Sequence[Row]) -> str:
    lines = [
        "| setting | window | threshold | ranked | reachable | accuracy | attached "
        "| attached right | review | B3 precision | B3 recall | B3 F1 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    lines += [
        f"| {r.setting} | {r.window_days} | {r.threshold:.2f} | {r.articles - r.by_url} "
        f"| {r.reachable} | {r.accuracy:.3f} | {r.attached} | {r.attached_accuracy:.3f} "
        f"| {r.review} | {r.precision:.3f} | {r.recall:.3f} | {r.f1:.3f} |"
        for r in rows
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--window", type=int, nargs="+", default=[RULES.window_days], help="date windows (days)"
    )
    parser.add_argument(
        "--compare-bm25", action="store_true", help="also rank with bm25s (if installed)"
    )
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    articles = load_news_clusters()
    rows = sweep(articles, windows=args.window)
    print(f"{len(articles)} articles, {len({a.event_id for a in articles})} events; {RULES}")
    print(markdown_table(rows))
    diagnostic = text_only(articles)
    print("\nText alone (no date window or factor; every best candidate attached):")
    print(markdown_table(diagnostic))
    if args.compare_bm25:
        for row in diagnostic:
            bm25 = bm25_accuracy(articles, row.setting)
            shown = "bm25s is not installed" if bm25 is None else f"{bm25:.3f}"
            print(f"{row.setting}: first-ranked accuracy TF-IDF {row.accuracy:.3f}, BM25 {shown}")
    if args.json:
        report = {"rules": asdict(RULES), "sweep": [asdict(r) for r in rows]}
        report["text_only"] = [asdict(r) for r in diagnostic]
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

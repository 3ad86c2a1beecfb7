"""``dateline review``: the articles no event was sure enough for, and attaching them.

Each waiting article is shown with its best candidate events (score, the reasons and
any warning, such as a date that does not match); ``dateline review attach`` files it
under the event a person chose.
"""

from __future__ import annotations

import getpass
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from dateline.store import open_store

if TYPE_CHECKING:
    from dateline.store import Store

REVIEW_METHOD = "review"


@contextmanager
def _store(ctx: click.Context) -> Iterator[Store]:
    store = open_store(ctx.find_root().obj)
    try:
        yield store
    finally:
        store.close()


@click.group(invoke_without_command=True)
@click.option("--limit", default=20, show_default=True, help="Articles to show.")
@click.option("--candidates", default=3, show_default=True, help="Candidate events per article.")
@click.pass_context
def review(ctx: click.Context, limit: int, candidates: int) -> None:
    """List the articles waiting for review, with their best candidate events.

    An ingested article is attached to an event by URL, or by ranking the events of its
    dates (text, shared context tags, dates) when the best is sure enough and its date
    fits. The rest wait here; attach one with `dateline review attach ARTICLE EVENT`.

    \b
    Examples:
      dateline review
      dateline review attach 2 77
    """
    if ctx.invoked_subcommand is not None:
        return
    # Imported here: ranking pulls in scikit-learn, seconds at every command's start-up.
    from dateline.ingest.article.attach import rank_for_article
    from dateline.nlp.vocabulary import vocabulary_from_store
    from dateline.search import SearchIndex

    with _store(ctx) as store:
        waiting = store.articles_waiting(limit)
        if not waiting:
            click.echo("No article is waiting for review.")
            return
        tagger = vocabulary_from_store(store).tagger()
        search = SearchIndex(store)
        for article in waiting:
            content = article.content
            when = content.published.isoformat() if content.published else "undated"
            click.echo(f"article {article.id}: {content.title or '(no title)'} ({when})")
            result = rank_for_article(store, article, tagger=tagger, search=search)
            if not result.candidates:
                click.echo("  no candidate event")
            for ranked in result.candidates[:candidates]:
                event = ranked.event
                click.echo(
                    f"  event {event.id} ({event.date}, score {ranked.score:.2f}): {event.headline}"
                )
                click.echo(f"      {'; '.join(ranked.reasons)}")
                for warning in ranked.warnings:
                    click.echo(f"      warning: {warning}")


@review.command("attach")
@click.argument("article_id", type=int)
@click.argument("event_id", type=int)
@click.pass_context
def attach(ctx: click.Context, article_id: int, event_id: int) -> None:
    """File an article under the event it reports (as a person decided).

    \b
    Example:
      dateline review attach 2 77
    """
    with _store(ctx) as store, store.transaction():
        store.attach_article(
            article_id,
            event_id,
            score=1.0,
            reason=f"attached by {_login()} in review",
            method=REVIEW_METHOD,
        )
    click.echo(f"Article {article_id} attached to event {event_id}.")


def _login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "a reviewer"

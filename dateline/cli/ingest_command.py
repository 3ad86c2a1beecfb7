"""``dateline ingest``: read source articles from files, folders, WARC files and URLs.

A command of its own module so that ``dateline.cli.main`` only registers it
(``cli.add_command(ingest)``). Like the other commands it parses the command line,
calls the library (:func:`dateline.ingest.article.ingest.ingest_articles`) and shows the
result; Dateline's errors become one line on stderr and exit status 2, also when the
command runs outside the ``dateline`` group (tests invoke it directly).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from dateline.errors import DatelineError
from dateline.store import open_store

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress

    from dateline.ingest.article.ingest import IngestReport
    from dateline.store import Store

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130


class UserError(click.ClickException):
    """A user's mistake on its way to the terminal: one line, exit status 2."""

    exit_code = EXIT_USER_ERROR


@contextmanager
def _one_line_errors() -> Iterator[None]:
    try:
        yield
    except DatelineError as error:
        raise UserError(str(error)) from None
    except OSError as error:  # a database folder that cannot be written, a full disk...
        where = f"{error.filename}: " if error.filename else ""
        raise UserError(f"{where}{error.strerror or error}") from None


@contextmanager
def _store(ctx: click.Context) -> Iterator[Store]:
    store = open_store(ctx.find_root().obj)
    try:
        yield store
    finally:
        store.close()


@functools.cache
def _stderr() -> Console:
    from rich.console import Console  # imported when needed: see dateline/cli/main.py

    return Console(stderr=True, highlight=False)


def _progress(total: int | None) -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    err = _stderr()
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,  # a log gets the summary, not frames of a bar
    )


@click.command("ingest")
@click.argument("targets", nargs=-1, required=True, metavar="PATH|URL...")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Worker processes extracting text (storing stays in this one, in input order).",
)
@click.option(
    "--date",
    "undated",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    metavar="YYYY-MM-DD",
    help="Publication date for the articles in which none is found (plain-text copies "
    "often carry none); linking to events ranks by date.",
)
@click.option("--verbose", "-v", is_flag=True, help="List every article stored, and how.")
@click.pass_context
def ingest(
    ctx: click.Context,
    targets: tuple[str, ...],
    jobs: int,
    undated: datetime | None,
    verbose: bool,
) -> None:
    """Read news articles from files, folders, WARC files or URLs into the archive.

    \b
    Inputs:
      *.html, *.htm, *.html.gz, *.txt   one article each
      folders                           walked for those files and WARC files
      *.warc, *.warc.gz                 every HTML or text response in them
      http(s)://...                     fetched politely: one request at a time,
                                        1 s apart per site, robots.txt obeyed,
                                        20 s timeout, 16 MiB limit

    Each article's text, title, authors, date, language, lede and cover image are
    extracted and stored with the input itself (compressed), in one transaction per
    article. An article read again with the same content changes nothing; with other
    content it gets a new version. An article whose URL an event cites as a source is
    linked to that event. A bad input (too large, binary, a gzip bomb, a page with no
    article, a damaged WARC record) is reported and skipped, and the rest goes on.
    Exit status 2 if any input was skipped.

    \b
    Examples:
      dateline ingest ../shared/data/article-extraction-benchmark/html --jobs 2
      dateline ingest saved/page.html.gz crawl.warc.gz
      dateline ingest https://example.org/news/2012/02/09/story.html
      dateline ingest --date 2012-02-04 saved/copied-article.txt
    """
    # Imported here: extraction and linking pull in trafilatura and scikit-learn, which
    # every other command would otherwise pay for at start-up (seconds); see
    # dateline/cli/main.py.
    from dateline.ingest.article.ingest import ingest_articles
    from dateline.ingest.article.sources import Fetcher, count_inputs, is_url

    for target in targets:
        if not is_url(target) and not Path(target).exists():
            raise UserError(f"{target}: no such file or folder")
    with _one_line_errors(), _store(ctx) as store:
        total = count_inputs(targets)
        with _progress(total) as progress, Fetcher() as fetcher:
            task = progress.add_task("Ingesting", total=total)
            try:
                report = ingest_articles(
                    store,
                    targets,
                    jobs=jobs,
                    fetcher=fetcher,
                    on_input=lambda: progress.advance(task),
                    undated=undated.date() if undated else None,
                )
            except KeyboardInterrupt:
                progress.stop()
                _stderr().print(
                    "Interrupted. The articles stored so far are kept "
                    f"({store.count_articles()} in this archive); run the same command "
                    "again to continue (articles already stored are left unchanged).",
                    markup=False,
                    soft_wrap=True,
                )
                sys.exit(EXIT_INTERRUPTED)
    _show(report, verbose)
    if report.skipped:
        sys.exit(EXIT_USER_ERROR)


def _show(report: IngestReport, verbose: bool) -> None:
    err = _stderr()
    if verbose:
        for line in report.details:
            err.print(line, markup=False, soft_wrap=True)
    for message in report.skipped:
        err.print(f"Skipped: {message}", markup=False, soft_wrap=True)
    click.echo(report.summary())

"""The ``dateline`` command: parse the command line, call the library, show the result.

Errors Dateline raises on purpose become one line on stderr and exit status 2.

Start-up time: ``dateline build`` must finish an incremental build in under 2 s, start-up
included. Importing every command's library up front (ingest, search, NLP, the site, the
web app) made ``import dateline.cli.main`` take about 760 ms (median of 5 runs); with
each command importing what it needs in its own body, about 510 ms, most of it the store
(SQLAlchemy), which ``--db`` needs for ``DATABASE_URL_VARIABLE``. So keep this module's
imports to what building the command tree needs; tests/cli/test_startup.py checks it.
"""

from __future__ import annotations

import functools
import gc
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from dateline import __version__
from dateline.cli.ingest_command import ingest
from dateline.cli.review_command import review
from dateline.cli.serve_command import serve
from dateline.cli.token_command import token
from dateline.errors import DatelineError, InputError, NotFoundError
from dateline.model import Source, parse_page_path
from dateline.store import DATABASE_URL_VARIABLE, open_store

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from dateline.model import Event, EventContent, Version
    from dateline.site.build import BuildReport
    from dateline.store import Store

EXIT_USER_ERROR = 2


class UserError(click.ClickException):
    """A DatelineError on its way to the terminal: one line, exit status 2."""

    exit_code = EXIT_USER_ERROR


class DatelineGroup(click.Group):
    """The root command: user errors as one line, and ``--db`` after any command too
    (``dateline serve --db archive.db``, as well as ``dateline --db archive.db serve``)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        # Given when resolved, not when added: a group's commands are all there by then.
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _give_db_option(command)
        return command

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except DatelineError as error:
            raise UserError(str(error)) from None
        except OSError as error:  # a folder that cannot be written, a full disk...
            where = f"{error.filename}: " if error.filename else ""
            raise UserError(f"{where}{error.strerror or error}") from None


@click.group(cls=DatelineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--db",
    "database",
    metavar="URL|PATH",
    envvar=DATABASE_URL_VARIABLE,
    help="The archive: a SQLite file (default: dateline.db) or a postgresql:// URL. "
    f"Also read from ${DATABASE_URL_VARIABLE}.",
)
@click.version_option(__version__, prog_name="dateline")
@click.pass_context
def cli(ctx: click.Context, database: str | None) -> None:
    """Dateline keeps a dated timeline of news events, their sources and their history.

    \b
    Start with:
      dateline import ../shared/seeds      read event pages into dateline.db
      dateline show /news/2012/02/9/...md  print an event page
      dateline export out/                 write every page as Markdown
    """
    ctx.obj = database


def _give_db_option(command: click.Command) -> None:
    """Let ``command`` (or each command of a group of them) take ``--db`` after its name.

    Given there, it overrides the one given before (and the environment's).
    """
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _give_db_option(sub)
        return
    if any(param.name == "database_here" for param in command.params):
        return
    command.params.append(
        click.Option(
            ["--db", "database_here"],
            metavar="URL|PATH",
            expose_value=False,
            callback=_use_database,
            help="The archive, as `dateline --db` (which may also come before the command).",
        )
    )


def _use_database(ctx: click.Context, _param: click.Parameter, value: str | None) -> None:
    if value is not None:
        ctx.find_root().obj = value


@contextmanager
def _store(ctx: click.Context) -> Iterator[Store]:
    store = open_store(ctx.find_root().obj)
    try:
        yield store
    finally:
        store.close()


@functools.cache
def _stderr() -> Console:
    from rich.console import Console  # rich only for the commands that report progress

    return Console(stderr=True, highlight=False)


def _progress() -> Progress:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=_stderr(),
        transient=True,
    )


# Not click.Choice[str]: click before 8.2 cannot subscript it, and pyproject allows 8.1.
class _ImportFormats(click.Choice):  # type: ignore[type-arg]
    """The ``--format`` choices of ``dateline import``, looked up when click needs them.

    They are the names in :mod:`dateline.ingest.formats`' registry, and importing that
    imports every reader (YAML, HTML, the context vocabulary): only ``dateline import``
    (run, or asked for ``--help``) should pay for it.
    """

    def __init__(self) -> None:
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        from dateline.ingest.formats import FORMAT_NAMES

        return FORMAT_NAMES

    @choices.setter
    def choices(self, _value: tuple[str, ...]) -> None:
        pass  # click.Choice.__init__ assigns its argument; the registry is the source


def resolve_ref(store: Store, ref: str) -> tuple[Event, Version]:
    """An event (and version) from an id, ``YYYY-MM-DD/slug`` or a page path or URL."""
    text = ref.strip()
    if text.isdigit():
        event = store.event(int(text))
        return event, event.current
    if "/news/" in text or text.startswith("news/"):
        path = parse_page_path(text)
        if path.is_day_index:
            raise InputError(f"{ref!r} is a day index, not an event", field="event")
        return store.find(path.date, path.slug, path.version)
    day_text, _, slug = text.partition("/")
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        raise InputError(
            f"{ref!r} is not an event reference (expected an id, YYYY-MM-DD/slug or "
            "a /news/... path)",
            field="event",
        ) from None
    return store.find(day, slug.removesuffix(".md"))


@cli.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "file_format",
    type=_ImportFormats(),
    help="Read every file as this format instead of detecting it from the content.",
)
@click.option(
    "--again",
    is_flag=True,
    help="Read files this archive has imported before too (they are skipped by default).",
)
@click.option("--verbose", "-v", is_flag=True, help="List skipped items and reworded matches.")
@click.pass_context
def import_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    file_format: str | None,
    again: bool,
    verbose: bool,
) -> None:
    """Import files or folders of events.

    \b
    Formats, detected from each file's content:
      page         seed-format Markdown event pages (and their Related lists)
      portal-yaml  scraped Current Events Portal days (wcep-days/YYYY/MM/*.yaml)
      portal-html  rendered Current Events Portal day or month pages
      wikitimes    WikiTimes exports (JSON)
      jsonl, csv   Dateline's own event records

    Each file is one transaction: a bad file is reported with its line and skipped,
    and nothing stored is changed by it. An item of a portal day is matched to the
    event it already is (same day, same or reworded headline): importing a day twice
    changes nothing, and a later version of the day adds versions, not duplicates.
    A file already imported is skipped, so an interrupted import (Ctrl-C, a crash)
    continues where it stopped when run again. Exit status 2 if any file could not
    be imported.

    \b
    Examples:
      dateline import ../shared/seeds
      dateline import ../shared/data/wcep-days          # the whole portal, 2002-2026
      dateline import --format wikitimes export.json
    """
    from dateline.ingest.importer import find_page_files, import_paths

    for path in paths:
        if not path.exists():
            raise UserError(f"{path}: no such file or folder")
    with _store(ctx) as store:
        total = sum(1 for _ in find_page_files(paths))
        with _progress() as progress:
            task = progress.add_task("Importing", total=total)
            try:
                report = import_paths(
                    store,
                    paths,
                    on_file=lambda _p: progress.advance(task),
                    file_format=file_format,
                    resume=not again,
                )
            except KeyboardInterrupt:
                progress.stop()
                done = len(store.imported_hashes())
                _stderr().print(
                    f"Interrupted. The files imported so far are kept ({done} in this "
                    "archive); run the same command again to continue.",
                    markup=False,
                    soft_wrap=True,
                )
                sys.exit(130)
    err = _stderr()
    for error in report.errors:
        err.print(f"Error: {error}", markup=False, soft_wrap=True)
    if verbose:
        for line in report.skipped_items:
            err.print(f"Skipped: {line}", markup=False, soft_wrap=True)
        for line in report.reworded:
            err.print(f"Reworded: {line}", markup=False, soft_wrap=True)
    click.echo(report.summary())
    if report.errors:
        sys.exit(EXIT_USER_ERROR)


@cli.command()
@click.argument("ref")
@click.option("--version", "number", type=int, help="Show this version instead.")
@click.option("--limit", default=10, show_default=True, help="Related events to list.")
@click.pass_context
def show(ctx: click.Context, ref: str, number: int | None, limit: int) -> None:
    """Print an event page in Markdown.

    REF is an event id, YYYY-MM-DD/slug, or a page path or URL; an earlier version's
    slug shows that version.

    \b
    Examples:
      dateline show 2
      dateline show /news/2012/03/1/<slug>.md
      dateline show 2012-03-01/<slug> --version 1
    """
    from dateline.render.markdown import render_event_page

    with _store(ctx) as store:
        event, version = resolve_ref(store, ref)
        if number is not None:
            try:
                version = event.version(number)
            except LookupError as error:
                raise NotFoundError(str(error)) from None
        related = store.related(event.id, limit) if version == event.current else []
    click.echo(render_event_page(event, version, related), nl=False)


@cli.command()
@click.argument("ref")
@click.pass_context
def history(ctx: click.Context, ref: str) -> None:
    """List every version of an event: number, time, editor, note and address.

    \b
    Example:
      dateline history 1
    """
    from dateline.render.markdown import version_path

    with _store(ctx) as store:
        event, _ = resolve_ref(store, ref)
    for version in event.versions:
        when = version.created_at.isoformat(sep=" ") if version.created_at else "time unknown"
        who = version.editor or "-"
        flags = " (current)" if version == event.current else ""
        flags += " (partial: known only from a link)" if version.partial else ""
        click.echo(f"{version.number}\t{when}\t{who}\t{version_path(event, version)}{flags}")
        if version.note:
            click.echo(f"\t{version.note}")


@cli.command()
@click.argument("ref")
@click.option("--limit", default=10, show_default=True, help="How many to list.")
@click.pass_context
def related(ctx: click.Context, ref: str, limit: int) -> None:
    """List the events sharing the most context tags with an event, newest first.

    \b
    Example:
      dateline related 2 --limit 5
    """
    with _store(ctx) as store:
        event, _ = resolve_ref(store, ref)
        found = store.related(event.id, limit)
    for item in found:
        click.echo(f"{item.date.isoformat()}\t{', '.join(item.shared)}\t{item.headline}")


def _parse_source(text: str) -> Source:
    publisher, sep, url = text.partition("=")
    if not sep:
        return Source(text)
    return Source(publisher, url)


@cli.command()
@click.argument("ref")
@click.option("--headline")
@click.option("--summary")
@click.option("--story", help="Story heading ('' to remove).")
@click.option("--category", help="Category ('' to remove).")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD.")
@click.option("--context", "contexts", multiple=True, help="A context tag (repeat; replaces all).")
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="PUBLISHER=URL",
    help="A source (repeat; replaces all).",
)
@click.option("--cover-image", help="Cover image URL ('' to remove).")
@click.option("--editor", help="Who makes the edit [default: $DATELINE_EDITOR or your login].")
@click.option("--note", help="Why (shown in the Changes list).")
@click.option(
    "--expect-version", type=int, help="Refuse the edit if the event is no longer at this version."
)
@click.pass_context
def edit(ctx: click.Context, /, ref: str, **fields: Any) -> None:
    """Record an edit of an event as a new version (history is never rewritten).

    With field options, changes those fields; without, opens the page in $EDITOR and
    records what you save.

    \b
    Examples:
      dateline edit 1 --summary "Corrected toll." --note "BBC correction"
      dateline edit 2 --context Homs --context "Baba Amr"
      dateline edit 2        (opens the page in $EDITOR)
    """
    from dateline.render.markdown import version_path

    editor = fields.pop("editor") or os.environ.get("DATELINE_EDITOR") or _login()
    note = fields.pop("note")
    expected = fields.pop("expect_version")
    with _store(ctx) as store:
        event, _ = resolve_ref(store, ref)
        current = event.content
        content: EventContent | None
        if any(value not in (None, ()) for value in fields.values()):
            content = _apply_options(current, fields)
        else:
            content = _edit_in_editor(event)
        if content is None:
            click.echo("No change.")
            return
        result = store.append_version(
            event.id,
            content,
            editor=editor,
            note=note,
            expected_version=expected or event.current.number,
        )
    if result.changed:
        new = result.event.current
        click.echo(f"Recorded version {new.number}: {version_path(result.event, new)}")
    else:
        click.echo("No change.")


def _apply_options(current: EventContent, fields: dict[str, Any]) -> EventContent:
    changes: dict[str, Any] = {}
    for name in ("headline", "summary"):
        if fields[name] is not None:
            changes[name] = fields[name]  # "" is kept: validation says what is wrong
    for name in ("story", "category", "cover_image"):
        if fields[name] is not None:
            changes[name] = fields[name] or None  # "" removes an optional field
    if fields["day"] is not None:
        changes["date"] = fields["day"].date()
    if fields["contexts"]:
        changes["contexts"] = tuple(fields["contexts"])
    if fields["sources"]:
        changes["sources"] = tuple(_parse_source(s) for s in fields["sources"])
    return replace(current, **changes)


def _edit_in_editor(event: Event) -> EventContent | None:
    from dateline.ingest.seedpage import EventPage, parse_page
    from dateline.render.markdown import render_event_page

    text = render_event_page(event)
    edited = click.edit(text, extension=".md", require_save=True)
    if edited is None or edited == text:
        return None
    page = parse_page(edited)
    if not isinstance(page, EventPage):
        raise InputError("the edited text is not an event page (a day index or a list)")
    return page.content if page.contexts_stated else replace(page.content, contexts=())


def _login() -> str | None:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.pass_context
def export(ctx: click.Context, out: Path) -> None:
    """Write the whole archive as seed-format Markdown pages under OUT.

    One page per event version at news/YYYY/MM/D/<slug>.md, one index per day at
    news/YYYY/MM/D/index.md. Importing OUT into an empty database gives the same archive.

    \b
    Example:
      dateline export export/
    """
    from dateline.site.export import export_archive

    with _store(ctx) as store, _progress() as progress:
        task = progress.add_task("Exporting", total=store.count_events())
        report = export_archive(store, out, on_event=lambda: progress.advance(task))
    click.echo(
        f"{report.events} events: {report.pages} pages and {report.day_indexes} "
        f"day indexes written to {out}"
    )


@cli.command()
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--base-url",
    default="http://127.0.0.1:8000",
    show_default=True,
    help="Where the site will be served: feeds and sitemaps need absolute addresses.",
)
@click.option("--full", is_flag=True, help="Render every page again, even if nothing changed.")
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes for a full build (default: one per CPU).",
)
@click.pass_context
def build(ctx: click.Context, out: Path, base_url: str, full: bool, jobs: int | None) -> None:
    """Build the archive as a static site in OUT (incremental after the first time).

    Every page in Markdown, HTML, JSON and XML, day/month/year, context and story
    pages with charts, Atom feeds, sitemap.xml, 404.html and style.css. Links are
    relative, so OUT works on any web server and opened from disk. A second build
    re-renders only what changed since the first and says how many pages it wrote;
    its state is kept in OUT/.dateline-build/ (no need to publish it).

    \b
    Examples:
      dateline build site/
      dateline build site/ --base-url https://archive.example.org
      python -m http.server -d site/ 8000     # then open http://127.0.0.1:8000/
    """
    with _store(ctx) as store:
        report = build_with_progress(store, out, base_url=base_url, full=full, jobs=jobs)
    kind = "full build" if report.full else "incremental build"
    click.echo(
        f"{kind}: {report.pages_written} pages written, {report.pages_unchanged} unchanged, "
        f"{report.pages_removed} removed ({report.events} events rendered) "
        f"in {report.seconds:.1f} s, into {out}"
    )


def build_with_progress(
    store: Store, out: Path, *, base_url: str, full: bool = False, jobs: int | None = None
) -> BuildReport:
    """:func:`~dateline.site.build.build_site` with the command's progress bar
    (bench/build_child.py times this, as ``dateline build`` runs it)."""
    from dateline.site.build import build_site

    with ExitStack() as stack:
        bar: list[tuple[Progress, TaskID]] = []

        def advance(done: int, total: int) -> None:
            # The bar appears with the first report of work not done yet: an incremental
            # build of one edit reports once, when done, and so never imports
            # rich.progress (50 ms of its start-up).
            if not bar:
                if done >= total:
                    return
                progress = stack.enter_context(_progress())
                bar.append((progress, progress.add_task("Rendering", total=total)))
            progress, task = bar[0]
            progress.update(task, completed=done, total=total)

        return build_site(store, out, base_url=base_url, full=full, progress=advance, jobs=jobs)


@cli.command()
@click.argument("words", nargs=-1)
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="Events on or after.")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Events on or before.")
@click.option("--context", metavar="SLUG", help="Only events with this context tag.")
@click.option("--story", metavar="SLUG", help="Only events of this story.")
@click.option("--category", help="Only events of this category.")
@click.option("--limit", default=20, show_default=True, help="Events to list.")
@click.option("--rebuild", is_flag=True, help="Make the search index again from the archive.")
@click.pass_context
def search(
    ctx: click.Context,
    words: tuple[str, ...],
    first: datetime | None,
    last: datetime | None,
    context: str | None,
    story: str | None,
    category: str | None,
    limit: int,
    rebuild: bool,
) -> None:
    """Search headlines, summaries, stories and context tags (best matches first).

    Every word must match; "a phrase", OR, -word and word* work too. The index lives
    beside the database (archive.db.search) and catches up with every change before
    each search; --rebuild makes it again from the archive.

    \b
    Examples:
      dateline search homs shelling --from 2012-02-01 --to 2012-03-31
      dateline search '"security council"' --context syria
      dateline search --rebuild
    """
    from dateline.search import SearchFilters, SearchIndex

    query = " ".join(words)
    if not query and not rebuild:
        raise UserError("say what to search for (or --rebuild)")
    with _store(ctx) as store:
        index = SearchIndex(store)
        if rebuild:
            with _progress() as progress:
                task = progress.add_task("Indexing", total=store.count_events())
                count = index.rebuild(lambda done: progress.update(task, completed=done))
            _stderr().print(f"{count:,} events indexed in {index.path}", markup=False)
        if not query:
            return
        filters = SearchFilters(
            first=first.date() if first else None,
            last=last.date() if last else None,
            context=context,
            story=story,
            category=category,
        )
        results = index.search(query, filters, limit=limit)
    for hit in results.hits:
        click.echo(f"{hit.entry.date}  {hit.entry.id:>7}  {hit.entry.headline}")
    shown = len(results.hits)
    _stderr().print(f"{shown} of {results.total:,} events shown", markup=False)


@cli.group()
def contexts() -> None:
    """Context tags: list them, or tag the archive's text against the vocabulary."""


@contexts.command("list")
@click.option("--limit", default=30, show_default=True, help="Tags to list (0: all).")
@click.pass_context
def contexts_list(ctx: click.Context, limit: int) -> None:
    """List context tags with the number of events carrying each, most used first.

    \b
    Example:
      dateline contexts list --limit 10
    """
    with _store(ctx) as store:
        found = sorted(store.contexts(), key=lambda c: (-c.event_count, c.name))
    for context in found[: limit or None]:
        click.echo(f"{context.event_count:>8,}  {context.name}  (/context/{context.slug})")


@contexts.command("retag")
@click.pass_context
def contexts_retag(ctx: click.Context) -> None:
    """Tag every event's headline and summary with the context vocabulary.

    The vocabulary is every tag of the archive plus the link texts seen in imported
    portal pages and WikiTimes exports ("Syrian Army" linking "Syrian Arab Army").
    Tags are only added, never removed; each event that gains one gets a version
    noted "contexts retagged". Run it again after importing more linked data.

    \b
    Example:
      dateline import ../shared/data/wcep-html ../shared/data/wikitimes
      dateline contexts retag
    """
    from dateline.nlp.retag import retag_archive

    with _store(ctx) as store:
        total = store.count_events()
        with _progress() as progress:
            task = progress.add_task("Tagging", total=total)
            report = retag_archive(store, on_event=lambda _id, _added: progress.advance(task))
    click.echo(report.summary())


cli.add_command(serve)
cli.add_command(ingest)
cli.add_command(review)
cli.add_command(token)


def main() -> None:
    try:
        cli(prog_name="dateline")
    finally:
        # What the command loaded stays until the process ends. Frozen, it is skipped
        # by the interpreter's last garbage collections: exiting after a site build
        # took 0.2-0.3 s without this (SQLAlchemy, numpy, Jinja and the build's data),
        # a fifth of a build with nothing to do. Nothing is lost: the commands close
        # their files and databases themselves, and atexit hooks still run.
        gc.freeze()

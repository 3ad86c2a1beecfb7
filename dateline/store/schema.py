"""The tables, as SQLAlchemy Core objects used by the queries in this package.

The DDL that creates them lives in the numbered Alembic migrations
(``migrations/versions``); ``tests/store/test_schema.py`` checks that a migrated
database matches these definitions.

``versions`` is the history: one row per version, never updated once complete.
``events``, ``event_contexts`` and ``event_sources`` hold the *current* version of each
event in queryable form and are rewritten whenever a version is added.
``imported_files`` records each file imported (by content hash), in the same
transaction as its events, so an interrupted import resumes where it stopped.
``event_changes`` is an append-only log of which event changed when, so that caches
(the related-events index, incremental site builds) can catch up cheaply.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

contexts = sa.Table(
    "contexts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False, unique=True),
    sa.Column("slug", sa.String(140), nullable=False, unique=True),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("slug", sa.String(140), nullable=False),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("stub", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("story_slug", sa.String(140)),
    sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index("ix_events_date", "date"),
    sa.Index("ix_events_story_slug", "story_slug"),
    sa.Index("ix_events_updated_at", "updated_at"),
)

versions = sa.Table(
    "versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("date", sa.Date, nullable=False),
    sa.Column("slug", sa.String(140), nullable=False),
    sa.Column("headline", sa.Text, nullable=False),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("story", sa.Text),
    sa.Column("category", sa.Text),
    sa.Column("cover_image", sa.Text),
    sa.Column("contexts", sa.JSON, nullable=False),
    sa.Column("sources", sa.JSON, nullable=False),
    sa.Column("partial", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime),
    sa.Column("editor", sa.String(100)),
    sa.Column("note", sa.Text),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.UniqueConstraint("event_id", "number", name="uq_versions_event_number"),
    sa.Index("ix_versions_date_slug", "date", "slug"),
)

event_contexts = sa.Table(
    "event_contexts",
    metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
    sa.Column("context_id", sa.Integer, sa.ForeignKey("contexts.id"), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    # The event's date, as in ``events`` (written with the links): a tag's events by
    # date without a lookup per event (migration 0009).
    sa.Column("date", sa.Date),
    sa.Index("ix_event_contexts_context", "context_id", "event_id"),
    sa.Index("ix_event_contexts_context_date", "context_id", "date", "event_id"),
)

event_sources = sa.Table(
    "event_sources",
    metadata,
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("publisher", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Index("ix_event_sources_url", "url"),
)

event_changes = sa.Table(
    "event_changes",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

imported_files = sa.Table(
    "imported_files",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("format", sa.String(40), nullable=False),
    sa.Column("events", sa.Integer, nullable=False),
    sa.Column("imported_at", sa.DateTime, nullable=False),
)

# The link sightings the context vocabulary is built from (dateline/nlp/vocabulary.py):
# ``alias`` is a text seen linking the context named ``context``, ``seen`` times, in the
# source ``origin`` (a file, a data set). The context is kept by name, not as a
# contexts.id: a context row gets a page on the site, and a sighting alone tags nothing.
context_aliases = sa.Table(
    "context_aliases",
    metadata,
    sa.Column("alias", sa.String(200), primary_key=True),
    sa.Column("context", sa.String(200), primary_key=True),
    sa.Column("origin", sa.String(200), primary_key=True),
    sa.Column("seen", sa.Integer, nullable=False),
    sa.Index("ix_context_aliases_context", "context"),
)

# Source articles (dateline/model/article.py). ``articles`` holds each article's current
# state in queryable form, rewritten when a version is added; ``article_versions`` is
# its history, one row per ingestion that found new content, with the input bytes kept
# gzip-compressed (``raw_gzip``) so that extraction can be run again. ``key`` is the
# normalised canonical URL (``article_url_key``), or ``file:<path>`` for a file that
# names no URL. ``article_events`` ties articles to the events they report; an article
# with no row there waits for review.
articles = sa.Table(
    "articles",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("url", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("publisher", sa.Text),
    sa.Column("domain", sa.String(253)),
    sa.Column("published", sa.Date),
    sa.Column("language", sa.String(16)),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("current_version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_articles_content_hash", "content_hash"),
    sa.Index("ix_articles_published", "published"),
    sa.Index("ix_articles_domain", "domain"),
)

article_versions = sa.Table(
    "article_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("publisher", sa.Text),
    sa.Column("domain", sa.String(253)),
    sa.Column("title", sa.Text),
    sa.Column("authors", sa.JSON, nullable=False),
    sa.Column("published", sa.Date),
    sa.Column("date_method", sa.String(40)),
    sa.Column("language", sa.String(16)),
    sa.Column("lede", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("image_url", sa.Text),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("source_format", sa.String(10), nullable=False),
    sa.Column("encoding", sa.String(60), nullable=False),
    sa.Column("raw_gzip", sa.LargeBinary, nullable=False),
    sa.Column("raw_size", sa.Integer, nullable=False),
    sa.Column("raw_sha256", sa.String(64), nullable=False),
    sa.Column("ingest_method", sa.String(10), nullable=False),
    sa.Column("ingest_source", sa.Text, nullable=False),
    sa.Column("ingested_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("article_id", "number", name="uq_article_versions_article_number"),
)

article_events = sa.Table(
    "article_events",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
    sa.Column("score", sa.Float, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("method", sa.String(40), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_article_events_event", "event_id", "article_id"),
)

# API tokens (dateline/store/tokens.py): who may write through the HTTP API. Only the
# SHA-256 of a token is kept; ``revoked_at`` set means refused. A name is unique among
# the tokens not revoked, so a revoked token's name can be given to its replacement.
# ``retired`` on ``versions`` marks the version that retired its event (history is never
# rewritten: retiring adds a version); on ``events`` it is the current version's flag.
api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime),
    sa.Column("revoked_at", sa.DateTime),
    sa.Index(
        "uq_api_tokens_active_name",
        "name",
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        # postgresql_where: added by with_postgresql_options, see there.
    ),
)


def with_postgresql_options() -> None:
    """Give the schema's options for PostgreSQL (once a PostgreSQL engine is made).

    Naming ``postgresql_where`` in the table above made SQLAlchemy import its
    PostgreSQL dialect to check it: 60-90 ms of every ``dateline`` command's start-up,
    on SQLite too. The migrations (0007) make the index; this keeps the metadata equal
    to them for Alembic's comparison.
    """
    index = next(i for i in api_tokens.indexes if i.name == "uq_api_tokens_active_name")
    options = index.dialect_options["postgresql"]  # the dialect is imported here
    if options["where"] is None:
        options["where"] = sa.text("revoked_at IS NULL")


# Copies of one story (dateline/nlp/near_duplicates.py). ``article_signatures`` keeps
# each article's MinHash signature and shingle count (of its current version's text),
# so that a new article is compared with the archive without reading any text again;
# ``representative_id`` is the member standing for its copy group (NULL: no copy known).
# ``article_buckets`` is the LSH index of the signatures, in the database: one row per
# band of a signature (the band's values hashed to one number), so the articles sharing
# a band with a new one are found by one indexed lookup. ``article_copy_pairs`` holds
# the pairs found (smaller id first), with how alike they are; groups are the connected
# pairs. ``article_changes`` is the log of articles whose page changed (a new version,
# a new link, a new copy), as ``event_changes`` is for events: incremental site builds
# and page caches follow it.
article_signatures = sa.Table(
    "article_signatures",
    metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("shingles", sa.Integer, nullable=False),
    sa.Column("minhash", sa.LargeBinary, nullable=False),
    sa.Column("representative_id", sa.Integer, sa.ForeignKey("articles.id")),
    sa.Index("ix_article_signatures_representative", "representative_id"),
)

article_buckets = sa.Table(
    "article_buckets",
    metadata,
    sa.Column("bucket", sa.BigInteger, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Index("ix_article_buckets_article", "article_id"),
)

article_copy_pairs = sa.Table(
    "article_copy_pairs",
    metadata,
    sa.Column("first_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("second_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    sa.Column("jaccard", sa.Float, nullable=False),
    sa.Column("containment", sa.Float, nullable=False),
    sa.Index("ix_article_copy_pairs_second", "second_id"),
)

article_changes = sa.Table(
    "article_changes",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
    sa.Column("changed_at", sa.DateTime, nullable=False),
)

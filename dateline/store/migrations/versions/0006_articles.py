"""Source articles: each article's current state, its versions (with the raw input kept
gzip-compressed, so that extraction can be run again) and its links to events.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "articles",
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
    )
    op.create_index("ix_articles_content_hash", "articles", ["content_hash"])
    op.create_index("ix_articles_published", "articles", ["published"])
    op.create_index("ix_articles_domain", "articles", ["domain"])
    op.create_table(
        "article_versions",
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
    op.create_table(
        "article_events",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("method", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_article_events_event", "article_events", ["event_id", "article_id"])


def downgrade() -> None:
    op.drop_index("ix_article_events_event", table_name="article_events")
    op.drop_table("article_events")
    op.drop_table("article_versions")
    op.drop_index("ix_articles_domain", table_name="articles")
    op.drop_index("ix_articles_published", table_name="articles")
    op.drop_index("ix_articles_content_hash", table_name="articles")
    op.drop_table("articles")

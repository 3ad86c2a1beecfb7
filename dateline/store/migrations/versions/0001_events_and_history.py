"""Events, their versions (the history), contexts, sources and the change log.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contexts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("slug", sa.String(140), nullable=False, unique=True),
    )
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("slug", sa.String(140), nullable=False),
        sa.Column("headline", sa.Text, nullable=False),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("stub", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_events_date", "events", ["date"])
    op.create_table(
        "versions",
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
        sa.UniqueConstraint("event_id", "number", name="uq_versions_event_number"),
    )
    op.create_index("ix_versions_date_slug", "versions", ["date", "slug"])
    op.create_table(
        "event_contexts",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("context_id", sa.Integer, sa.ForeignKey("contexts.id"), primary_key=True),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_index("ix_event_contexts_context", "event_contexts", ["context_id", "event_id"])
    op.create_table(
        "event_sources",
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), primary_key=True),
        sa.Column("position", sa.Integer, primary_key=True),
        sa.Column("publisher", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
    )
    op.create_index("ix_event_sources_url", "event_sources", ["url"])
    op.create_table(
        "event_changes",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("event_id", sa.Integer, sa.ForeignKey("events.id"), nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "event_changes",
        "event_sources",
        "event_contexts",
        "versions",
        "events",
        "contexts",
    ):
        op.drop_table(table)

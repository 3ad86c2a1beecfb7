"""Events carry their current story's slug, so a story's page is one indexed lookup.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from dateline.model import story_slug

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("story_slug", sa.String(140)))
        batch.create_index("ix_events_story_slug", ["story_slug"])
    conn = op.get_bind()
    current = conn.execute(
        sa.text(
            "SELECT e.id, v.story FROM events e JOIN versions v "
            "ON v.event_id = e.id AND v.number = e.current_version WHERE v.story IS NOT NULL"
        )
    ).all()
    rows = [{"id": i, "s": story_slug(story)} for i, story in current]
    if rows:
        conn.execute(sa.text("UPDATE events SET story_slug = :s WHERE id = :id"), rows)


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_index("ix_events_story_slug")
        batch.drop_column("story_slug")

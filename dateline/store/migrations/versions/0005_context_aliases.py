"""Link sightings for the context vocabulary: which text linked which context, how often,
and in which source (a source re-imported replaces its own counts).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "context_aliases",
        sa.Column("alias", sa.String(200), primary_key=True),
        sa.Column("context", sa.String(200), primary_key=True),
        sa.Column("origin", sa.String(200), primary_key=True),
        sa.Column("seen", sa.Integer, nullable=False),
    )
    op.create_index("ix_context_aliases_context", "context_aliases", ["context"])


def downgrade() -> None:
    op.drop_index("ix_context_aliases_context", table_name="context_aliases")
    op.drop_table("context_aliases")

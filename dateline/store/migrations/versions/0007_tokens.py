"""API tokens (stored as SHA-256 digests, revocable), and retired events: a flag on the
version that retires an event, and on the event for its current state.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("last_used_at", sa.DateTime),
        sa.Column("revoked_at", sa.DateTime),
    )
    # A name is taken while its token is active; a revoked token's name may be reused.
    op.create_index(
        "uq_api_tokens_active_name",
        "api_tokens",
        ["name"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    # A plain ADD COLUMN (SQLite allows NOT NULL with a constant default), not a batch
    # operation: batch copies the table and drops the old one, which the foreign keys
    # of a database holding events refuse (tests/store/test_upgrades.py).
    for table in ("versions", "events"):
        op.add_column(
            table, sa.Column("retired", sa.Boolean, nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    for table in ("events", "versions"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("retired")
    op.drop_index("uq_api_tokens_active_name", table_name="api_tokens")
    op.drop_table("api_tokens")

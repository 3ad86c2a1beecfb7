"""Copies of articles: each article's MinHash signature and shingle count, an LSH index
of the signatures (one row per band), the copy pairs found, each article's copy-group
representative; and a log of the articles whose page changed.

Articles stored before this migration get their signatures at the next ingest (the
ingest fills in what is missing before comparing anything).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-09
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "article_signatures",
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("shingles", sa.Integer, nullable=False),
        sa.Column("minhash", sa.LargeBinary, nullable=False),
        sa.Column("representative_id", sa.Integer, sa.ForeignKey("articles.id")),
    )
    op.create_index(
        "ix_article_signatures_representative", "article_signatures", ["representative_id"]
    )
    op.create_table(
        "article_buckets",
        sa.Column("bucket", sa.BigInteger, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
    )
    op.create_index("ix_article_buckets_article", "article_buckets", ["article_id"])
    op.create_table(
        "article_copy_pairs",
        sa.Column("first_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("second_id", sa.Integer, sa.ForeignKey("articles.id"), primary_key=True),
        sa.Column("jaccard", sa.Float, nullable=False),
        sa.Column("containment", sa.Float, nullable=False),
    )
    op.create_index("ix_article_copy_pairs_second", "article_copy_pairs", ["second_id"])
    op.create_table(
        "article_changes",
        sa.Column("seq", sa.Integer, primary_key=True),
        sa.Column("article_id", sa.Integer, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("changed_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("article_changes")
    op.drop_index("ix_article_copy_pairs_second", table_name="article_copy_pairs")
    op.drop_table("article_copy_pairs")
    op.drop_index("ix_article_buckets_article", table_name="article_buckets")
    op.drop_table("article_buckets")
    op.drop_index("ix_article_signatures_representative", table_name="article_signatures")
    op.drop_table("article_signatures")

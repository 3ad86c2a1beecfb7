"""The migrations create exactly the tables the queries are written against."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from dateline.store import Store
from dateline.store.schema import api_tokens, metadata


def test_migrated_database_matches_the_declared_schema(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_only_active_token_names_are_unique(store: Store) -> None:
    """The partial index of the migrations, which the metadata says per backend (the
    PostgreSQL half added when its engine is made: dateline/store/schema.py)."""
    index = next(i for i in api_tokens.indexes if i.name == "uq_api_tokens_active_name")
    assert str(index.dialect_options[store.backend]["where"]) == "revoked_at IS NULL"
    store.create_token("ci")
    again = api_tokens.insert().values(
        name="ci", token_sha256="0" * 64, created_at=datetime(2026, 1, 1)
    )
    with pytest.raises(sa.exc.IntegrityError), store.engine.begin() as conn:
        conn.execute(again)
    store.revoke_token("ci")
    with store.engine.begin() as conn:
        conn.execute(again)  # a revoked token's name may be given again


def test_sqlite_runs_in_wal_mode(store: Store) -> None:
    if store.backend != "sqlite":
        return
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_autocommit_connections_run_outside_a_transaction(store: Store) -> None:
    """VACUUM refuses to run in a transaction; what an AUTOCOMMIT connection does stays."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("CREATE TABLE kept (x INTEGER)")
        conn.exec_driver_sql("VACUUM")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM kept").scalar() == 0


def test_the_known_head_revision_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    from dateline.store import engine

    migrations = Path(engine.__file__).parent / "migrations"
    assert ScriptDirectory(str(migrations)).get_current_head() == engine.HEAD_REVISION

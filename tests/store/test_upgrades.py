"""Every migration upgrades an archive that holds data, not only an empty one.

A user's archive was made by an older Dateline; opening it with a newer one runs the
migrations since. On SQLite, Alembic's "batch" operations copy a table into a new
one and drop the old, which the foreign keys the store turns on refuse once other
tables point at its rows (migration 0007 did this until it was fixed). So for each
revision, the test makes a database at that revision, puts one row in every table
(filled by column type, parents before children), and opens it with the store.

SQLite only: on PostgreSQL the migrations alter tables in place.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from dateline.store import open_store
from dateline.store.engine import _alembic_config, create_engine


def _revisions() -> list[str]:
    with create_engine("sqlite://").connect() as connection:
        script = ScriptDirectory.from_config(_alembic_config(connection))
    return [r.revision for r in reversed(list(script.walk_revisions()))]


def _value(column: sa.Column[Any]) -> Any:
    """A value of the column's type (1 for keys: every parent table's row has id 1)."""
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.Float | sa.Numeric):
        return 1.0
    if isinstance(kind, sa.DateTime):
        return datetime(2012, 2, 9, 12, 0)
    if isinstance(kind, sa.Date):
        return date(2012, 2, 9)
    if isinstance(kind, sa.LargeBinary):
        return b"\x00"
    if isinstance(kind, sa.JSON):
        return []
    return "x"


def _fill(connection: sa.Connection) -> dict[str, int]:
    """One row in every table of the database as it is; returns the row counts."""
    tables = sa.MetaData()
    tables.reflect(connection)
    for table in tables.sorted_tables:
        if table.name == "alembic_version":
            continue
        connection.execute(table.insert().values({c.name: _value(c) for c in table.columns}))
    return _counts(connection, tables)


def _counts(connection: sa.Connection, tables: sa.MetaData) -> dict[str, int]:
    return {
        t.name: connection.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        for t in tables.sorted_tables
        if t.name != "alembic_version"
    }


@pytest.mark.parametrize("revision", _revisions()[:-1])
def test_an_archive_at_each_revision_opens_with_its_rows_kept(
    revision: str, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = create_engine(url)
    with engine.connect() as connection:
        command.upgrade(_alembic_config(connection), revision)
        connection.commit()
    with engine.begin() as connection:
        before = _fill(connection)
    engine.dispose()

    store = open_store(url)  # upgrades to the newest schema
    try:
        tables = sa.MetaData()
        with store.engine.connect() as connection:
            tables.reflect(connection)
            after = _counts(connection, tables)
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            # 0009 copied each event's date onto its tag links.
            undated = connection.exec_driver_sql(
                "SELECT count(*) FROM event_contexts ec JOIN events e ON e.id = ec.event_id "
                "WHERE ec.date IS NOT e.date"
            ).scalar_one()
            assert undated == 0
    finally:
        store.close()
    assert {name: after[name] for name in before} == before

"""Opening a database: URL resolution, SQLite pragmas, and migration to the newest schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from dateline.errors import StoreUnavailableError
from dateline.store.schema import with_postgresql_options

if TYPE_CHECKING:
    from alembic.config import Config

DEFAULT_DATABASE = "dateline.db"
DATABASE_URL_VARIABLE = "DATELINE_DATABASE_URL"
_MIGRATIONS = Path(__file__).parent / "migrations"
HEAD_REVISION = "0009"
"""The newest migration (tests/store/test_schema.py checks it is Alembic's head).

Known here so that opening an up-to-date database needs no Alembic: importing it costs
about 0.2 s, a tenth of an incremental site build."""


def resolve_database_url(value: str | None = None) -> str:
    """The SQLAlchemy URL for ``value``: a URL, a file path, or None for the default.

    Precedence: the value given (the ``--db`` flag), then ``$DATELINE_DATABASE_URL``,
    then ``dateline.db`` in the current folder. A plain path means SQLite;
    ``postgresql://`` URLs use the psycopg 3 driver.
    """
    raw = value or os.environ.get(DATABASE_URL_VARIABLE) or DEFAULT_DATABASE
    if raw.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + raw.split("://", 1)[1]
    if "://" in raw:
        return raw
    return f"sqlite:///{raw}"


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` with Dateline's connection settings; nothing is connected yet."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise StoreUnavailableError(f"{url!r} is not a database URL or path") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = Path(database).expanduser().resolve().parent
            if not folder.is_dir():
                raise StoreUnavailableError(
                    f"cannot open {database}: folder {folder} does not exist"
                )
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        sa.event.listen(engine, "begin", _sqlite_begin)
        return engine
    if parsed.get_backend_name() == "postgresql":
        with_postgresql_options()
        return sa.create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    raise StoreUnavailableError(
        f"unsupported database {parsed.get_backend_name()!r} (expected a SQLite file "
        "or a postgresql:// URL)"
    )


MMAP_BYTES = 1 << 30
"""How much of a SQLite file is read through a memory map (the first GiB)."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The sqlite3 module's own transaction handling would issue a deferred BEGIN on
    # the first write; _sqlite_begin issues BEGIN itself, choosing the kind.
    dbapi_connection.isolation_level = None
    # WAL lets readers work while one writer writes; NORMAL sync is safe in WAL mode.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Reads through a memory map rather than a read() call per page: half the time of a
    # server's small random reads (bench/serve.py). Address space, not memory.
    cursor.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
    cursor.close()


def _sqlite_begin(connection: sa.Connection) -> None:
    # A write transaction takes the write lock up front: a deferred one that read
    # first could not upgrade after another writer committed (SQLITE_BUSY at once).
    options = connection.get_execution_options()
    if options.get("isolation_level") == "AUTOCOMMIT":
        return  # the caller wants no transaction (VACUUM, ANALYZE...)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("dateline_write") else "BEGIN")


def _alembic_config(connection: sa.Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def migrate(engine: sa.Engine) -> None:
    """Bring the database to the newest schema (each migration in its own transaction).

    Raises StoreUnavailableError, naming the database, when it cannot be reached.
    """
    try:
        with engine.connect() as connection:
            if _current_revision(connection) == HEAD_REVISION:
                return
            from alembic import command

            command.upgrade(_alembic_config(connection), "head")
            connection.commit()
    except sa.exc.OperationalError as error:
        raise StoreUnavailableError(
            f"cannot open database {engine.url.render_as_string(hide_password=True)}: "
            f"{_first_line(error.orig)}"
        ) from None


def _current_revision(connection: sa.Connection) -> str | None:
    """The revision Alembic recorded (None for a new database), read without Alembic."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    rows = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalars()
    versions = list(rows)
    return versions[0] if len(versions) == 1 else None


def _first_line(error: BaseException | None) -> str:
    text = str(error or "unknown error").strip()
    return text.splitlines()[0] if text else "unknown error"

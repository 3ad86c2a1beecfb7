"""All SQL lives here, behind :class:`Store`. SQLite is the default; PostgreSQL the server."""

from dateline.store.engine import DATABASE_URL_VARIABLE, resolve_database_url
from dateline.store.part import utc_now
from dateline.store.store import Store, WriteResult, open_store

__all__ = [
    "DATABASE_URL_VARIABLE",
    "Store",
    "WriteResult",
    "open_store",
    "resolve_database_url",
    "utc_now",
]

"""Alembic environment: migrations always run on a connection the store hands over.

Dateline migrates its own databases (``Store.open``); there is no alembic.ini to
point at a database. Developers add a migration with
``alembic -c dateline/store/migrations/alembic.ini revision -m "..."``.
"""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Dateline's migrations run through dateline.store.open_store()")

context.configure(
    connection=connection,
    target_metadata=None,
    render_as_batch=True,
    transaction_per_migration=True,
)
with context.begin_transaction():
    context.run_migrations()

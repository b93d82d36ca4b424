"""Alembic environment: runs on the connection the application hands over."""

from __future__ import annotations

from alembic import context

from app.models import load_all

config = context.config
target_metadata = load_all()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run through app.db.Database.migrate()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()

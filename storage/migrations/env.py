"""Alembic environment: runs on the connection the crawl hands over, or on the URL given
by ``-x url=...``, ``DATABASE_URL`` or the default SQLite file."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import create_engine

from storage.schema import metadata

config = context.config


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or config.get_main_option("sqlalchemy.url")
        or os.environ.get("DATABASE_URL")
        or "sqlite:///articles.db"
    )


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite cannot ALTER most things
        compare_type=True,
        # FTS5 shadow tables and the views are created by hand-written migration SQL
        include_name=lambda name, kind, _parent: not (
            (kind == "table" and name.startswith("articles_fts")) or name == "ix_articles_search"),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    engine = create_engine(_url())
    with engine.begin() as new_connection:
        _run(new_connection)
    engine.dispose()

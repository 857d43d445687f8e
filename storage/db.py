"""Engine, migrations and the batched article upsert (blocking: call it off the reactor)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url

from storage.schema import articles

UPDATED_COLUMNS = ("site", "language", "source", "source_slug", "source_url", "title", "kicker",
                   "published_on", "body")


def mask_url(url: str) -> str:
    """The database URL with its password hidden, for logs and records."""
    return make_url(url).render_as_string(hide_password=True)


def create_db_engine(url: str) -> Engine:
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers (Datasette, the query command) do not block the crawl's writes
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    return engine


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the database up to ``revision`` (an empty database gets the whole schema)."""
    with engine.begin() as connection:
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


@dataclass
class UpsertResult:
    rows: int


class ArticleStore:
    """Batched upserts of article rows keyed by URL."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._statement = self._build_upsert()

    @classmethod
    def open(cls, url: str, auto_migrate: bool = True) -> ArticleStore:
        engine = create_db_engine(url)
        if auto_migrate:
            migrate(engine)
        return cls(engine)

    def _build_upsert(self) -> Any:
        dialect = self.engine.dialect.name
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
        statement = insert(articles)
        updates = {name: statement.excluded[name] for name in UPDATED_COLUMNS}
        updates["last_seen_at"] = statement.excluded.last_seen_at
        return statement.on_conflict_do_update(index_elements=["url"], set_=updates)

    def upsert(self, rows: Sequence[dict[str, Any]]) -> UpsertResult:
        if not rows:
            return UpsertResult(0)
        with self.engine.begin() as connection:
            connection.execute(self._statement, list(rows))
        return UpsertResult(len(rows))

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(articles))

    def close(self) -> None:
        self.engine.dispose()

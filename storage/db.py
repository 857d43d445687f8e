"""Engine, migrations, and the batched article upsert (blocking: call it off the reactor)."""

from __future__ import annotations

import contextlib
import fcntl
import functools
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, case, create_engine, delete, event, func, or_, select, text
from sqlalchemy.engine import make_url

from storage.schema import articles, fetch_failures, newspapers

MIGRATION_LOCK_KEY = 0x646A7A6D  # PostgreSQL advisory lock held while migrating ("djzm")
CONTENT_COLUMNS = ("title", "kicker", "body")
UPDATED_COLUMNS = ("site", "language", "source", "source_slug", "source_url", "title", "kicker",
                   "published_on", "body", "last_seen_at", "newspaper_id", "last_crawl_run_id")


def mask_url(url: str) -> str:
    """The database URL with its password hidden, for logs and records."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as nothing rather than leaked
        return "<unparsable database URL>"


def create_db_engine(url: str, sqlite_busy_seconds: float = 30.0) -> Engine:
    """An engine; for SQLite, a writer waits up to ``sqlite_busy_seconds`` for another's lock."""
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        busy_ms = int(sqlite_busy_seconds * 1000)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            # WAL: readers (Datasette, the query command) do not block the crawl's writes
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
    return engine


@functools.cache
def migrations_folder() -> str:
    """The migration scripts on disk. Inside a zipped egg (Scrapyd) they are copied out once."""
    folder = resources.files("storage") / "migrations"
    if isinstance(folder, Path):
        return str(folder)
    target = Path(tempfile.mkdtemp(prefix="djazairess-migrations-"))

    def copy(source: Any, destination: Path) -> None:
        destination.mkdir(exist_ok=True)
        for entry in source.iterdir():
            if entry.is_dir():
                copy(entry, destination / entry.name)
            elif entry.name.endswith((".py", ".mako")):
                (destination / entry.name).write_bytes(entry.read_bytes())

    copy(folder, target)
    return str(target)


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_folder())
    if engine is not None:
        config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return config


@contextlib.contextmanager
def _sqlite_file_lock(engine: Engine) -> Iterator[None]:
    """SQLite runs DDL outside transactions: serialise migrations with a lock file."""
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    with open(f"{database}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: Engine, revision: str = "head", downgrade: bool = False) -> None:
    """Bring the database to ``revision`` (an empty database gets the whole schema).

    Safe when several crawlers start at once: they migrate one after the other, and the
    later ones find the schema already at ``revision``.
    """
    lock = _sqlite_file_lock(engine) if engine.dialect.name == "sqlite" else contextlib.nullcontext()
    with lock, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)


@dataclass
class UpsertResult:
    inserted: int = 0
    updated: int = 0  # title, kicker or body changed: the old version went to article_revisions
    unchanged: int = 0


def _dialect_insert(engine: Engine) -> Any:
    dialect = engine.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        raise ValueError(f"unsupported database {dialect!r}: use SQLite or PostgreSQL")
    return insert


class ArticleStore:
    """Batched upserts of articles keyed by URL, one transaction per batch.

    Concurrency-safe without reading first: ``INSERT … ON CONFLICT DO UPDATE`` decides
    insert or update inside the database, rows are written in URL order (two writers
    lock rows in the same order: no deadlock), and the revision history is written by a
    trigger in the same transaction.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._insert = _dialect_insert(engine)
        self._article_upsert = self._build_article_upsert()
        self._newspaper_ids: dict[tuple[str, str, str, str], int] = {}

    @classmethod
    def open(cls, url: str, auto_migrate: bool = True, sqlite_busy_seconds: float = 30.0) -> ArticleStore:
        engine = create_db_engine(url, sqlite_busy_seconds)
        if auto_migrate:
            migrate(engine)
        return cls(engine)

    def _build_article_upsert(self) -> Any:
        statement = self._insert(articles)
        new = statement.excluded
        changed = or_(*(articles.c[name].is_distinct_from(new[name]) for name in CONTENT_COLUMNS))
        updates = {name: new[name] for name in UPDATED_COLUMNS}
        updates["times_seen"] = articles.c.times_seen + 1
        updates["changed_at"] = case((changed, new.last_seen_at), else_=articles.c.changed_at)
        # No RETURNING: with it SQLAlchemy renders one big typed statement per batch, ~30%
        # slower on PostgreSQL than the driver's executemany (benchmarks/storage.py).
        return statement.on_conflict_do_update(index_elements=["url"], set_=updates)

    @staticmethod
    def _outcome(connection: Any, urls: list[str]) -> UpsertResult:
        """What the upsert just did, read back in its own transaction (the rows are still
        locked by it, so no other writer can have changed them in between)."""
        again = articles.c.times_seen > 1
        inserted, updated, total = connection.execute(
            select(func.count().filter(articles.c.times_seen == 1),
                   func.count().filter(again & (articles.c.changed_at == articles.c.last_seen_at)),
                   func.count()).where(articles.c.url.in_(urls))
        ).one()
        return UpsertResult(inserted, updated, total - inserted - updated)

    def _newspaper_map(self, connection: Any, rows: Sequence[dict[str, Any]]) -> dict[tuple[str, str, str], int]:
        wanted = {(r["site"], r["edition"], r["source_slug"], r["source"]) for r in rows}
        missing = sorted(wanted - self._newspaper_ids.keys())
        if missing:
            statement = self._insert(newspapers)
            statement = statement.on_conflict_do_update(
                index_elements=["site", "edition", "slug"], set_={"name": statement.excluded.name}
            ).returning(newspapers.c.id)
            for key in missing:  # a handful per crawl: the map is cached
                site, edition, slug, name = key
                self._newspaper_ids[key] = connection.execute(
                    statement, {"site": site, "edition": edition, "slug": slug, "name": name}).scalar_one()
        return {key[:3]: self._newspaper_ids[key] for key in wanted}

    def upsert(self, rows: Sequence[dict[str, Any]], crawl_run_id: int | None = None,
               failures: Sequence[dict[str, Any]] = ()) -> UpsertResult:
        """Store article rows (``Article.as_row()``) and fetch failures, in one transaction.

        A stored article's earlier failure is removed; a failure row is
        ``{"url", "site", "reason", "seen_at"}``.
        """
        latest = {row["url"]: row for row in rows}  # one statement may not touch a row twice
        with self.engine.begin() as connection:
            self._record_failures(connection, failures, crawl_run_id)
            if not latest:
                return UpsertResult()
            newspaper_ids = self._newspaper_map(connection, list(latest.values()))
            values = []
            for url in sorted(latest):
                row = latest[url]
                values.append({
                    **{k: v for k, v in row.items() if k not in ("edition", "fetched_at")},
                    "first_seen_at": row["fetched_at"], "last_seen_at": row["fetched_at"],
                    "changed_at": row["fetched_at"], "times_seen": 1,
                    "newspaper_id": newspaper_ids[(row["site"], row["edition"], row["source_slug"])],
                    "last_crawl_run_id": crawl_run_id,
                })
            connection.execute(self._article_upsert, values)
            stored = [v["url"] for v in values]
            connection.execute(delete(fetch_failures).where(fetch_failures.c.url.in_(stored)))
            return self._outcome(connection, stored)

    def _record_failures(self, connection: Any, failures: Sequence[dict[str, Any]], crawl_run_id: int | None) -> None:
        latest = {f["url"]: f for f in failures}
        if not latest:
            return
        statement = self._insert(fetch_failures)
        statement = statement.on_conflict_do_update(index_elements=["url"], set_={
            "reason": statement.excluded.reason, "last_seen_at": statement.excluded.last_seen_at,
            "attempts": fetch_failures.c.attempts + 1, "last_crawl_run_id": statement.excluded.last_crawl_run_id,
        })
        connection.execute(statement, [
            {"url": url, "site": f["site"], "reason": f["reason"][:80], "first_seen_at": f["seen_at"],
             "last_seen_at": f["seen_at"], "attempts": 1, "last_crawl_run_id": crawl_run_id}
            for url, f in sorted(latest.items())
        ])

    def count(self) -> int:
        with self.engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(articles))

    def close(self) -> None:
        self.engine.dispose()

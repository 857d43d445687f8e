"""The article store on a real database: migrations and upserts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect, select

from storage import ArticleStore, articles, mask_url


def row(url: str, title: str, seen: dt.datetime) -> dict:
    return {
        "url": url, "site": "djazairess", "language": "fr", "source": "El Watan", "source_slug": "elwatan",
        "source_url": "https://www.elwatan.example/a", "title": title, "kicker": None,
        "published_on": dt.date(2024, 5, 1), "body": "Un paragraphe.\n\nUn autre.",
        "first_seen_at": seen, "last_seen_at": seen,
    }


def test_migration_creates_the_schema(database_url) -> None:
    store = ArticleStore.open(database_url)
    try:
        inspector = inspect(store.engine)
        columns = {c["name"] for c in inspector.get_columns("articles")}
        assert {"url", "site", "language", "source", "source_slug", "source_url", "title", "kicker",
                "published_on", "body", "first_seen_at", "last_seen_at"} <= columns
        indexes = {i["name"] for i in inspector.get_indexes("articles")}
        assert {"ix_articles_source_slug_published_on", "ix_articles_published_on"} <= indexes
        assert "alembic_version" in inspector.get_table_names()
    finally:
        store.close()


def test_upsert_updates_one_row_and_keeps_first_seen(database_url) -> None:
    store = ArticleStore.open(database_url)
    t1 = dt.datetime(2025, 1, 1, 8, tzinfo=dt.UTC)
    t2 = dt.datetime(2025, 1, 2, 8, tzinfo=dt.UTC)
    try:
        store.upsert([row("https://www.djazairess.com/fr/elwatan/1", "Avant", t1),
                      row("https://www.djazairess.com/fr/elwatan/2", "Autre", t1)])
        store.upsert([row("https://www.djazairess.com/fr/elwatan/1", "Après", t2)])
        assert store.count() == 2
        with store.engine.connect() as connection:
            got = connection.execute(select(articles).where(articles.c.url.endswith("/1"))).mappings().one()
        assert got["title"] == "Après"
        assert got["first_seen_at"].replace(tzinfo=dt.UTC) == t1
        assert got["last_seen_at"].replace(tzinfo=dt.UTC) == t2
    finally:
        store.close()


def test_metacharacters_are_stored_verbatim(database_url) -> None:
    store = ArticleStore.open(database_url)
    title = "'; DROP TABLE articles; -- <b>gras</b> &amp; « guillemets »"
    try:
        store.upsert([row("https://www.djazairess.com/fr/elwatan/9", title, dt.datetime.now(dt.UTC))])
        with store.engine.connect() as connection:
            assert connection.scalar(select(articles.c.title)) == title
    finally:
        store.close()


def test_password_is_masked() -> None:
    assert mask_url("postgresql+psycopg://crawler:s3cret@db.example/harvest") == \
        "postgresql+psycopg://crawler:***@db.example/harvest"

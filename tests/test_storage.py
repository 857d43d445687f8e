"""The store on real databases (SQLite and PostgreSQL): migrations, upserts, revisions, runs."""

from __future__ import annotations

import datetime as dt
import multiprocessing

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from storage import (ArticleStore, article_revisions, articles, create_db_engine, crawl_runs, finish_run,
                     mask_url, metadata, migrate, newspapers, start_run)

T0 = dt.datetime(2025, 1, 1, 8, tzinfo=dt.UTC)


def row(n: int, title: str = "Titre", seen: dt.datetime = T0, body: str = "Un paragraphe.\n\nUn autre.",
        kicker: str | None = None, slug: str = "elwatan", source: str = "El Watan") -> dict:
    return {
        "url": f"https://www.djazairess.com/fr/{slug}/{n}", "site": "djazairess", "edition": "fr",
        "language": "fr", "source": source, "source_slug": slug, "source_url": "https://www.elwatan.example/a",
        "title": title, "kicker": kicker, "published_on": dt.date(2024, 5, 1), "body": body, "fetched_at": seen,
    }


def utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@pytest.fixture
def store(database_url):
    opened = ArticleStore.open(database_url)
    yield opened
    opened.close()


def test_migration_creates_the_schema(store) -> None:
    inspector = inspect(store.engine)
    assert {"articles", "newspapers", "crawl_runs", "article_revisions", "alembic_version"} <= set(inspector.get_table_names())
    indexes = {i["name"] for i in inspector.get_indexes("articles")}
    assert {"ix_articles_source_slug_published_on", "ix_articles_published_on",
            "ix_articles_newspaper_id_published_on"} <= indexes


def _declared(name, kind, _parent) -> bool:
    # FTS5's own shadow tables, and PostgreSQL's search index over an expression
    return not ((kind == "table" and name.startswith("articles_fts")) or name == "ix_articles_search")


def test_migrations_match_the_declared_schema(store) -> None:
    with store.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": _declared})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_empty_head_base_head(database_url) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate(engine)
        migrate(engine, "base", downgrade=True)
        assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
        migrate(engine)
        assert {"articles", "article_revisions"} <= set(inspect(engine).get_table_names())
        ArticleStore(engine).upsert([row(1)])  # the re-created trigger and tables work
    finally:
        engine.dispose()


def test_version_1_database_upgrades_without_losing_a_row(database_url) -> None:
    engine = create_db_engine(database_url)
    try:
        migrate(engine, "0001")
        with engine.begin() as connection:
            for n, (slug, name) in enumerate([("elwatan", "El Watan"), ("liberte", "Liberté"), ("elwatan", "El Watan")]):
                connection.execute(text(
                    "INSERT INTO articles (url, site, language, source, source_slug, source_url, title, kicker, "
                    "published_on, body, first_seen_at, last_seen_at) VALUES (:url, 'djazairess', 'fr', :name, :slug, "
                    "NULL, :title, NULL, :day, 'Corps.', :seen, :seen)"),
                    {"url": f"https://www.djazairess.com/fr/{slug}/{n}", "name": name, "slug": slug,
                     "title": f"Titre {n}", "day": dt.date(2023, 1, n + 1), "seen": T0})
        migrate(engine)
        with engine.connect() as connection:
            rows = connection.execute(select(articles).order_by(articles.c.id)).mappings().all()
            papers = {r.slug: r for r in connection.execute(select(newspapers))}
        assert [r["title"] for r in rows] == ["Titre 0", "Titre 1", "Titre 2"]
        assert {slug: (p.name, p.edition) for slug, p in papers.items()} == {
            "elwatan": ("El Watan", "fr"), "liberte": ("Liberté", "fr")}
        assert [r["newspaper_id"] for r in rows] == [papers["elwatan"].id, papers["liberte"].id, papers["elwatan"].id]
        assert all(utc(r["changed_at"]) == T0 and r["times_seen"] == 1 for r in rows)
        # and the upgraded rows keep their history from now on
        result = ArticleStore(engine).upsert([row(0, "Titre 0 corrigé", T0 + dt.timedelta(days=1))])
        assert (result.inserted, result.updated) == (0, 1)
    finally:
        engine.dispose()


def test_upsert_counts_and_keeps_first_seen(store) -> None:
    first = store.upsert([row(1, "Avant"), row(2, "Autre")])
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    t1 = T0 + dt.timedelta(hours=3)
    second = store.upsert([row(1, "Après", t1), row(2, "Autre", t1), row(3, "Neuf", t1)])
    assert (second.inserted, second.updated, second.unchanged) == (1, 1, 1)
    assert store.count() == 3
    with store.engine.connect() as connection:
        got = connection.execute(select(articles).where(articles.c.url.endswith("/1"))).mappings().one()
        unchanged = connection.execute(select(articles).where(articles.c.url.endswith("/2"))).mappings().one()
        revisions = connection.execute(select(article_revisions)).mappings().all()
    assert (got["title"], utc(got["first_seen_at"]), utc(got["last_seen_at"]), utc(got["changed_at"]),
            got["times_seen"]) == ("Après", T0, t1, t1, 2)
    assert (utc(unchanged["changed_at"]), utc(unchanged["last_seen_at"])) == (T0, t1)
    assert len(revisions) == 1
    revision = revisions[0]
    assert (revision["article_id"], revision["title"], revision["body"], utc(revision["valid_from"]),
            utc(revision["replaced_at"])) == (got["id"], "Avant", row(1)["body"], T0, t1)


def test_kicker_appearing_is_a_revision(store) -> None:
    store.upsert([row(1)])
    result = store.upsert([row(1, kicker="Nouveau surtitre", seen=T0 + dt.timedelta(days=1))])
    assert result.updated == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(article_revisions.c.kicker)).scalar_one() is None


def test_newspapers_are_one_row_per_site_edition_slug(store) -> None:
    store.upsert([row(1), row(2, slug="liberte", source="Liberté")])
    store.upsert([row(3), row(4, slug="liberte", source="Liberté")])
    other = ArticleStore(store.engine)  # a second writer with its own cache
    other.upsert([row(5, slug="liberte", source="Liberté")])
    with store.engine.connect() as connection:
        papers = connection.execute(select(newspapers.c.slug, newspapers.c.name)).all()
        linked = connection.execute(select(articles.c.source_slug, newspapers.c.slug).join(newspapers)).all()
    assert sorted(papers) == [("elwatan", "El Watan"), ("liberte", "Liberté")]
    assert all(a == b for a, b in linked) and len(linked) == 5


def test_duplicate_url_in_one_batch_keeps_the_latest(store) -> None:
    result = store.upsert([row(1, "Premier"), row(1, "Second", T0 + dt.timedelta(minutes=1))])
    assert result.inserted == 1 and store.count() == 1
    with store.engine.connect() as connection:
        assert connection.scalar(select(articles.c.title)) == "Second"


def test_metacharacters_are_stored_verbatim(store) -> None:
    title = "'; DROP TABLE articles; -- <b>gras</b> &amp; « guillemets »"
    store.upsert([row(9, title)])
    with store.engine.connect() as connection:
        assert connection.scalar(select(articles.c.title)) == title


def test_crawl_run_record(store) -> None:
    run_id = start_run(store.engine, "djazairess", {"spider": {"edition": "fr"}}, "sqlite:///x.db")
    store.upsert([row(1)], crawl_run_id=run_id)
    finish_run(store.engine, run_id, "finished", {
        "response_received_count": 12, "store/articles_inserted": 1, "articles/dropped/no_title": 2,
        "log_count/ERROR": 1, "start_time": dt.datetime(2025, 1, 1, tzinfo=dt.UTC)})
    with store.engine.connect() as connection:
        run = connection.execute(select(crawl_runs)).mappings().one()
        assert connection.scalar(select(articles.c.last_crawl_run_id)) == run_id
    assert (run["finish_reason"], run["pages_fetched"], run["articles_inserted"], run["items_dropped"],
            run["errors"]) == ("finished", 12, 1, {"no_title": 2}, 1)
    assert run["arguments"] == {"spider": {"edition": "fr"}}
    assert run["stats"]["start_time"].startswith("2025-01-01")
    assert run["finished_at"] is not None


def test_password_is_masked() -> None:
    assert mask_url("postgresql+psycopg://crawler:s3cret@db.example/harvest") == \
        "postgresql+psycopg://crawler:***@db.example/harvest"


# -- two writers at once --------------------------------------------------------------------------
def _writer(database_url: str, writer: int, versions: int, urls: int, barrier) -> None:
    store = ArticleStore(create_db_engine(database_url))
    barrier.wait()
    for version in range(versions):
        seen = T0 + dt.timedelta(seconds=version * 2 + writer)
        # every upsert is a new text, so every upsert but the very first is a revision
        store.upsert([row(n, f"Titre {n} v{version} w{writer}", seen) for n in range(urls)])
    store.close()


@pytest.mark.postgres
def test_two_processes_writing_the_same_articles_lose_no_revision(postgres_url) -> None:
    ArticleStore.open(postgres_url).close()
    versions, urls = 6, 80
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    writers = [context.Process(target=_writer, args=(postgres_url, w, versions, urls, barrier)) for w in (0, 1)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(120)
        assert process.exitcode == 0
    engine = create_db_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM articles")) == urls
        assert connection.scalar(text("SELECT count(DISTINCT url) FROM articles")) == urls
        per_article = connection.execute(text(
            "SELECT a.id, a.title, a.times_seen, count(r.id) FROM articles a "
            "LEFT JOIN article_revisions r ON r.article_id = a.id GROUP BY a.id, a.title, a.times_seen")).all()
        written = {f"v{v} w{w}" for v in range(versions) for w in (0, 1)}
        for article_id, title, times_seen, revision_count in per_article:
            assert times_seen == 2 * versions
            assert revision_count == 2 * versions - 1  # every replaced version is kept
            kept = connection.execute(text("SELECT title FROM article_revisions WHERE article_id = :a"),
                                      {"a": article_id}).scalars().all()
            assert {t.split(" ", 2)[2] for t in kept} | {title.split(" ", 2)[2]} == written
    engine.dispose()


def test_crawlers_starting_at_once_migrate_one_after_the_other(database_url) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def open_and_close(_: int) -> int:
        store = ArticleStore.open(database_url)
        try:
            return store.count()
        finally:
            store.close()

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(open_and_close, range(4))) == [0, 0, 0, 0]

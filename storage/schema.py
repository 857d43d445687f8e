"""The tables, as SQLAlchemy Core metadata. Alembic migrations own the real schema
(``storage/migrations``); this module mirrors the head revision for the code's queries,
and a test checks that the two agree."""

from __future__ import annotations

from sqlalchemy import (JSON, Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table,
                        Text, UniqueConstraint)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

newspapers = Table(
    "newspapers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("site", String(40), nullable=False),
    Column("edition", String(8), nullable=False),
    Column("slug", String(100), nullable=False),
    Column("name", String(200), nullable=False),
    UniqueConstraint("site", "edition", "slug"),
)

crawl_runs = Table(
    "crawl_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("spider", String(60), nullable=False),
    Column("arguments", JSON, nullable=False),
    Column("database_url", String(500)),  # password masked
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True)),
    Column("finish_reason", String(60)),  # NULL while running (or if the process was killed)
    Column("pages_fetched", Integer),
    Column("pages_skipped_stored", Integer),  # article pages not fetched: already in the database
    Column("articles_inserted", Integer),
    Column("articles_updated", Integer),
    Column("articles_unchanged", Integer),
    Column("items_dropped", JSON),  # {reason: count}
    Column("errors", Integer),
    Column("stats", JSON),  # the crawl's final Scrapy stats
)

articles = Table(
    "articles",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(500), nullable=False, unique=True),
    Column("site", String(40), nullable=False),
    Column("language", String(8), nullable=False),
    Column("source", String(200), nullable=False),
    Column("source_slug", String(100), nullable=False),
    Column("source_url", Text),
    Column("title", Text, nullable=False),
    Column("kicker", Text),
    Column("published_on", Date, nullable=False),
    Column("body", Text, nullable=False),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),  # when title/kicker/body last changed
    Column("times_seen", Integer, nullable=False, server_default="1"),
    Column("newspaper_id", Integer, ForeignKey("newspapers.id")),
    Column("last_crawl_run_id", Integer, ForeignKey("crawl_runs.id", ondelete="SET NULL")),
    Index("ix_articles_source_slug_published_on", "source_slug", "published_on"),
    Index("ix_articles_published_on", "published_on"),
    Index("ix_articles_newspaper_id_published_on", "newspaper_id", "published_on"),
)

# Filled by a database trigger (migration 0002) whenever an update changes title, kicker or
# body: the history is kept by the database itself, in the same transaction as the upsert.
article_revisions = Table(
    "article_revisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("article_id", Integer, ForeignKey("articles.id", ondelete="CASCADE"), nullable=False),
    Column("title", Text, nullable=False),
    Column("kicker", Text),
    Column("body", Text, nullable=False),
    Column("valid_from", DateTime(timezone=True), nullable=False),
    Column("replaced_at", DateTime(timezone=True), nullable=False),
    Column("crawl_run_id", Integer, ForeignKey("crawl_runs.id", ondelete="SET NULL")),
    Index("ix_article_revisions_article_id", "article_id"),
)

# Article pages that could not be fetched or read: retried by the next run, removed once stored.
fetch_failures = Table(
    "fetch_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", String(500), nullable=False, unique=True),
    Column("site", String(40), nullable=False),
    Column("reason", String(80), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="1"),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_crawl_run_id", Integer, ForeignKey("crawl_runs.id", ondelete="SET NULL")),
)

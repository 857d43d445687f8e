"""The tables, as SQLAlchemy Core metadata. Alembic migrations own the real schema; this
module mirrors the head revision for queries and for migration autogeneration."""

from __future__ import annotations

from sqlalchemy import Column, Date, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
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
    Index("ix_articles_source_slug_published_on", "source_slug", "published_on"),
    Index("ix_articles_published_on", "published_on"),
)

"""full-text search and views for the common questions

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

SQLite: an FTS5 index over title, kicker, body and source, diacritics removed
(``remove_diacritics 2``: "Bejaia" finds "Béjaïa"), declared ``content="articles"`` so that
Datasette's search box uses it, kept in sync by triggers. PostgreSQL: a French text-search
configuration with ``unaccent`` and a GIN expression index over the same weighted document.
(Any later migration that rebuilds ``articles`` on SQLite must re-create these triggers.)
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The weighted document PostgreSQL searches: the search code uses this same expression.
PG_DOCUMENT = ("(setweight(to_tsvector('french_unaccent'::regconfig, coalesce(title, '')), 'A') || "
               "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(kicker, '')), 'B') || "
               "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(source, '')), 'B') || "
               "setweight(to_tsvector('french_unaccent'::regconfig, coalesce(body, '')), 'C'))")

SQLITE_FTS = [
    'CREATE VIRTUAL TABLE articles_fts USING fts5(title, kicker, body, source, content="articles", '
    "content_rowid=\"id\", tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, kicker, body, source) "
    "VALUES (new.id, new.title, new.kicker, new.body, new.source); END",
    "CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, kicker, body, source) "
    "VALUES ('delete', old.id, old.title, old.kicker, old.body, old.source); END",
    # a re-crawl rewrites the row unchanged: reindex only when the text did change
    "CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, kicker, body, source ON articles "
    "WHEN old.title IS NOT new.title OR old.kicker IS NOT new.kicker OR old.body IS NOT new.body "
    "OR old.source IS NOT new.source BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, kicker, body, source) "
    "VALUES ('delete', old.id, old.title, old.kicker, old.body, old.source); "
    "INSERT INTO articles_fts(rowid, title, kicker, body, source) "
    "VALUES (new.id, new.title, new.kicker, new.body, new.source); END",
    "INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')",
]

PG_FTS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french)",
    "ALTER TEXT SEARCH CONFIGURATION french_unaccent ALTER MAPPING FOR hword, hword_part, word "
    "WITH unaccent, french_stem",
    f"CREATE INDEX ix_articles_search ON articles USING GIN ({PG_DOCUMENT})",
]


def _month(dialect: str) -> str:
    return "strftime('%Y-%m', published_on)" if dialect == "sqlite" else "to_char(published_on, 'YYYY-MM')"


def views(dialect: str) -> list[str]:
    month = _month(dialect)
    return [
        # one line per article, newest first when sorted by published_on: what browsing wants
        "CREATE VIEW article_index AS SELECT a.id, a.published_on, "
        f"{month} AS month, a.source, a.source_slug, a.title, a.kicker, a.url, a.source_url "
        "FROM articles a",
        "CREATE VIEW articles_per_newspaper_month AS SELECT source, source_slug, "
        f"{month} AS month, count(*) AS articles FROM articles GROUP BY source, source_slug, {month}",
        "CREATE VIEW article_corrections AS SELECT a.id AS article_id, a.url, r.title AS title_before, "
        "a.title AS title_now, r.kicker AS kicker_before, a.kicker AS kicker_now, r.valid_from, r.replaced_at "
        "FROM article_revisions r JOIN articles a ON a.id = r.article_id",
    ]


def upgrade() -> None:
    dialect = op.get_context().dialect.name
    for statement in (SQLITE_FTS if dialect == "sqlite" else PG_FTS) + views(dialect):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_context().dialect.name
    for view in ("article_corrections", "articles_per_newspaper_month", "article_index"):
        op.execute(f"DROP VIEW IF EXISTS {view}")
    if dialect == "sqlite":
        for trigger in ("articles_fts_update", "articles_fts_delete", "articles_fts_insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS articles_fts")
    else:
        op.execute("DROP INDEX IF EXISTS ix_articles_search")
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent")

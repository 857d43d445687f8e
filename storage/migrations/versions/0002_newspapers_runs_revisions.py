"""newspapers, crawl runs and article revisions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

Existing articles keep every row: their newspapers are read from the articles themselves
(the edition of a version-1 row is its language, which is how djazairess names editions).
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

CHANGED = "OLD.title IS DISTINCT FROM NEW.title OR OLD.kicker IS DISTINCT FROM NEW.kicker OR OLD.body IS DISTINCT FROM NEW.body"
KEEP_REVISION = (
    "INSERT INTO article_revisions (article_id, title, kicker, body, valid_from, replaced_at, crawl_run_id) "
    "VALUES (OLD.id, OLD.title, OLD.kicker, OLD.body, OLD.changed_at, NEW.changed_at, OLD.last_crawl_run_id)"
)


def upgrade() -> None:
    op.create_table(
        "newspapers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("site", sa.String(40), nullable=False),
        sa.Column("edition", sa.String(8), nullable=False),
        sa.Column("slug", sa.String(100), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_newspapers"),
        sa.UniqueConstraint("site", "edition", "slug", name="uq_newspapers_site_edition_slug"),
    )
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("spider", sa.String(60), nullable=False),
        sa.Column("arguments", sa.JSON(), nullable=False),
        sa.Column("database_url", sa.String(500)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True)),
        sa.Column("finish_reason", sa.String(60)),
        sa.Column("pages_fetched", sa.Integer()),
        sa.Column("articles_inserted", sa.Integer()),
        sa.Column("articles_updated", sa.Integer()),
        sa.Column("articles_unchanged", sa.Integer()),
        sa.Column("items_dropped", sa.JSON()),
        sa.Column("errors", sa.Integer()),
        sa.Column("stats", sa.JSON()),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("changed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("times_seen", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("newspaper_id", sa.Integer()))
        batch.add_column(sa.Column("last_crawl_run_id", sa.Integer()))
    # backfill from the version-1 rows
    op.execute(
        "INSERT INTO newspapers (site, edition, slug, name) "
        "SELECT site, language, source_slug, max(source) FROM articles GROUP BY site, language, source_slug"
    )
    op.execute(
        "UPDATE articles SET changed_at = first_seen_at, newspaper_id = (SELECT n.id FROM newspapers n "
        "WHERE n.site = articles.site AND n.edition = articles.language AND n.slug = articles.source_slug)"
    )
    with op.batch_alter_table("articles") as batch:
        batch.alter_column("changed_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch.create_foreign_key("fk_articles_newspaper_id_newspapers", "newspapers", ["newspaper_id"], ["id"])
        batch.create_foreign_key("fk_articles_last_crawl_run_id_crawl_runs", "crawl_runs",
                                 ["last_crawl_run_id"], ["id"], ondelete="SET NULL")
    op.create_index("ix_articles_newspaper_id_published_on", "articles", ["newspaper_id", "published_on"])
    op.create_table(
        "article_revisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("kicker", sa.Text()),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("crawl_run_id", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_article_revisions"),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], name="fk_article_revisions_article_id_articles",
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["crawl_run_id"], ["crawl_runs.id"],
                                name="fk_article_revisions_crawl_run_id_crawl_runs", ondelete="SET NULL"),
    )
    op.create_index("ix_article_revisions_article_id", "article_revisions", ["article_id"])
    _create_revision_trigger()


def _create_revision_trigger() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION articles_keep_revision() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {KEEP_REVISION}; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER articles_keep_revision AFTER UPDATE ON articles FOR EACH ROW "
            f"WHEN ({CHANGED}) EXECUTE FUNCTION articles_keep_revision()"
        )
    else:  # SQLite: IS NOT is its IS DISTINCT FROM
        op.execute(
            "CREATE TRIGGER articles_keep_revision AFTER UPDATE OF title, kicker, body ON articles "
            f"FOR EACH ROW WHEN {CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} "
            f"BEGIN {KEEP_REVISION}; END"
        )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS articles_keep_revision" +
               (" ON articles" if op.get_context().dialect.name == "postgresql" else ""))
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS articles_keep_revision()")
    op.drop_index("ix_article_revisions_article_id", table_name="article_revisions")
    op.drop_table("article_revisions")
    op.drop_index("ix_articles_newspaper_id_published_on", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint("fk_articles_last_crawl_run_id_crawl_runs", type_="foreignkey")
        batch.drop_constraint("fk_articles_newspaper_id_newspapers", type_="foreignkey")
        batch.drop_column("last_crawl_run_id")
        batch.drop_column("newspaper_id")
        batch.drop_column("times_seen")
        batch.drop_column("changed_at")
    op.drop_table("crawl_runs")
    op.drop_table("newspapers")

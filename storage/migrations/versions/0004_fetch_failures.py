"""fetch_failures: article pages that could not be fetched or read

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetch_failures",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("site", sa.String(40), nullable=False),
        sa.Column("reason", sa.String(80), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_crawl_run_id", sa.Integer()),
        sa.PrimaryKeyConstraint("id", name="pk_fetch_failures"),
        sa.UniqueConstraint("url", name="uq_fetch_failures_url"),
        sa.ForeignKeyConstraint(["last_crawl_run_id"], ["crawl_runs.id"],
                                name="fk_fetch_failures_last_crawl_run_id_crawl_runs", ondelete="SET NULL"),
    )


def downgrade() -> None:
    op.drop_table("fetch_failures")

"""SQL storage shared by the store pipeline and the query tools: schema, engine, upserts."""

from storage.db import ArticleStore, UpsertResult, create_db_engine, mask_url, migrate
from storage.runs import finish_run, start_run
from storage.schema import article_revisions, articles, crawl_runs, fetch_failures, metadata, newspapers

__all__ = [
    "ArticleStore", "UpsertResult", "article_revisions", "articles", "crawl_runs", "create_db_engine",
    "fetch_failures", "finish_run", "mask_url", "metadata", "migrate", "newspapers", "start_run",
]

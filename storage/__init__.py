"""SQL storage shared by the store pipeline and the query tools: schema, engine, upserts."""

from storage.db import ArticleStore, create_db_engine, mask_url, migrate
from storage.schema import articles, metadata

__all__ = ["ArticleStore", "articles", "create_db_engine", "mask_url", "metadata", "migrate"]

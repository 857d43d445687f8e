"""What the database already holds, asked per page of links – never loaded whole.

An incremental crawl skips article pages already stored. The question is asked with one
indexed ``url IN (…)`` query per discovery page, in a worker thread, so it costs the same
for a harvest of millions of rows as for a hundred, and no URL list is held in memory.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from storage import articles, create_db_engine, fetch_failures

logger = logging.getLogger(__name__)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)  # SQLite gives naive UTC


class KnownArticles:
    def __init__(self, database_url: str) -> None:
        self.engine = create_db_engine(database_url)

    def _stored(self, urls: list[str]) -> dict[str, dt.datetime]:
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(
                    select(articles.c.url, articles.c.first_seen_at).where(articles.c.url.in_(urls)))
                return {url: _utc(first_seen) for url, first_seen in rows}
        except DBAPIError as error:  # no table yet: nothing is stored
            logger.debug("known-article lookup failed (%s): treating as empty", error.__class__.__name__)
            return {}

    async def stored(self, urls: Iterable[str]) -> dict[str, dt.datetime]:
        """URL → first_seen_at for the given URLs that are stored."""
        wanted = sorted(set(urls))
        if not wanted:
            return {}
        return await asyncio.to_thread(self._stored, wanted)

    async def failed(self, site: str, prefix: str) -> list[str]:
        """Article URLs recorded in fetch_failures by earlier runs (tried again first)."""
        def read() -> list[str]:
            try:
                with self.engine.connect() as connection:
                    return list(connection.scalars(
                        select(fetch_failures.c.url)
                        .where(fetch_failures.c.site == site, fetch_failures.c.url.startswith(prefix))
                        .order_by(fetch_failures.c.last_seen_at)))
            except DBAPIError:
                return []

        return await asyncio.to_thread(read)

    def close(self) -> None:
        self.engine.dispose()

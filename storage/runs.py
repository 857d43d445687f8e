"""The ``crawl_runs`` record: opened when a crawl starts, completed however it ends."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from sqlalchemy import Engine, insert, update

from storage.schema import crawl_runs


def _jsonable(value: Any) -> Any:
    """Stats hold datetimes and other objects: keep them readable in a JSON column."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


def start_run(engine: Engine, spider: str, arguments: dict[str, Any], database_url: str) -> int:
    with engine.begin() as connection:
        return connection.execute(
            insert(crawl_runs).returning(crawl_runs.c.id),
            {"spider": spider, "arguments": _jsonable(arguments), "database_url": database_url,
             "started_at": dt.datetime.now(dt.UTC)},
        ).scalar_one()


def finish_run(engine: Engine, run_id: int, reason: str, stats: dict[str, Any]) -> None:
    dropped = {key.rsplit("/", 1)[1]: value for key, value in stats.items() if key.startswith("articles/dropped/")}
    with engine.begin() as connection:
        connection.execute(
            update(crawl_runs).where(crawl_runs.c.id == run_id).values(
                finished_at=dt.datetime.now(dt.UTC),
                finish_reason=reason,
                pages_fetched=stats.get("response_received_count", 0),
                pages_skipped_stored=stats.get("discovery/skipped_stored", 0),
                articles_inserted=stats.get("store/articles_inserted", 0),
                articles_updated=stats.get("store/articles_updated", 0),
                articles_unchanged=stats.get("store/articles_unchanged", 0),
                items_dropped=dropped,
                errors=stats.get("log_count/ERROR", 0),
                stats=_jsonable(stats),
            )
        )

"""Browse a SQLite harvest with Datasette: titles and descriptions, facets by newspaper and
month, the full-text index behind Datasette's own search box, canned queries.

Datasette opens the file read-only (``mode=ro``): it can run beside a crawl that writes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

LATEST_PER_NEWSPAPER = """
SELECT source, published_on, title, kicker, url FROM (
  SELECT source, published_on, title, kicker, url,
         row_number() OVER (PARTITION BY source ORDER BY published_on DESC, id DESC) AS position
  FROM articles)
WHERE position <= CAST(coalesce(nullif(:per_newspaper, ''), '5') AS integer)
ORDER BY source, published_on DESC
""".strip()

PHRASE_SEARCH = """
SELECT a.published_on, a.source, a.title,
       snippet(articles_fts, -1, '[', ']', '…', 16) AS snippet, a.url
FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid
WHERE articles_fts MATCH '"' || replace(:phrase, '"', '') || '"'
ORDER BY bm25(articles_fts, 10.0, 5.0, 1.0, 3.0)
LIMIT 100
""".strip()


def metadata(database_name: str) -> dict[str, Any]:
    return {
        "title": "djazairess harvest",
        "description": "Articles harvested from djazairess.com by djazairess-crawler: one row per article, "
                       "with its title, kicker, source newspaper, publication date, body and the link to the "
                       "original. Search ignores accents: Bejaia finds Béjaïa.",
        "databases": {database_name: {
            "tables": {
                "articles": {
                    "title": "Articles",
                    "description": "One row per article (the latest version); search covers title, kicker, body "
                                   "and newspaper.",
                    "fts_table": "articles_fts", "fts_pk": "id", "searchmode": "escaped",
                    "sort_desc": "published_on",
                    "facets": ["source"],
                },
                "article_index": {
                    "title": "Article index",
                    "description": "One line per article with its month: facet by newspaper and month.",
                    "sort_desc": "published_on",
                    "facets": ["source", "month"],
                },
                "articles_per_newspaper_month": {"title": "Articles per newspaper per month"},
                "article_corrections": {"title": "Corrections",
                                        "description": "Articles whose title, kicker or body changed after publication."},
                "article_revisions": {"title": "Earlier versions of articles"},
                "newspapers": {"title": "Newspapers"},
                "crawl_runs": {"title": "Crawl runs", "sort_desc": "id"},
                "fetch_failures": {"title": "Pages that could not be fetched",
                                   "description": "Tried again by every run; removed once stored."},
            },
            "queries": {
                "latest_per_newspaper": {
                    "title": "Latest articles per newspaper",
                    "description": "The newest articles of each newspaper (5 unless you say otherwise).",
                    "sql": LATEST_PER_NEWSPAPER,
                },
                "phrase_search": {
                    "title": "Phrase search",
                    "description": "Articles containing an exact phrase (accents ignored).",
                    "sql": PHRASE_SEARCH,
                },
            },
        }},
    }


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise SystemExit("djazairess: Datasette browses a SQLite harvest; DATABASE_URL is not a SQLite file")
    path = Path(url.database)
    if not path.exists():
        raise SystemExit(f"djazairess: no database at {path}: run a crawl first")
    return path


def command(database: Path, host: str, port: int, metadata_file: Path) -> list[str]:
    return [sys.executable, "-m", "datasette", "serve", str(database), "--metadata", str(metadata_file),
            "--host", host, "--port", str(port), "--setting", "sql_time_limit_ms", "5000"]


def serve(database_url: str, host: str, port: int, metadata_out: str | None = None) -> int:
    database = sqlite_path(database_url)
    document = json.dumps(metadata(database.stem), ensure_ascii=False, indent=1)
    if metadata_out:
        Path(metadata_out).write_text(document, encoding="utf-8")
        return 0
    with tempfile.TemporaryDirectory() as folder:
        metadata_file = Path(folder) / "metadata.json"
        metadata_file.write_text(document, encoding="utf-8")
        print(f"Datasette on http://{host}:{port}/{database.stem} (read-only; Ctrl-C to stop)", flush=True)
        try:
            return subprocess.call(command(database, host, port, metadata_file), env=os.environ.copy())
        except KeyboardInterrupt:
            return 0

"""Storage benchmark: rows per second through the pipeline's writer vs a bare Core insert.

For SQLite and PostgreSQL, in the same run: N articles with ~5 KB bodies are stored

  * by the pipeline's writer (``ArticleStore.upsert``: newspapers, upsert with RETURNING,
    revision trigger) – first as inserts, then re-upserted unchanged (a re-crawl), then
    re-upserted with changed bodies (every row gets a revision);
  * by a bare SQLAlchemy Core batched ``insert`` of the same rows into the same schema (a
    second fresh database: same indexes, full-text triggers, foreign keys) – the reference,
    so that the ratio measures the writer, not the cost of keeping the search index.

Batches are ``--batch`` rows (the crawl's ``STORE_BATCH_SIZE``). Each figure is the median
of ``--repeat`` runs, each on a fresh database. Usage:

    python benchmarks/storage_writes.py [--rows 10000] [--repeat 3] [--postgres URL | --no-postgres]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from storage import ArticleStore, articles  # noqa: E402

WORDS = ("le la les des une un pour dans avec sur wilaya projet ministre route port école "
         "hôpital récolte barrage saison travaux habitants commune conseil marché prix eau "
         "électricité université étudiants festival théâtre équipe championnat").split()
NEWSPAPERS = [("elwatan", "El Watan"), ("liberte", "Liberté"), ("lexpression", "L'Expression"),
              ("lesoirdalgerie", "Le Soir d'Algérie"), ("lnr", "La Nouvelle République")]


def make_rows(count: int, body_chars: int = 5000, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    seen = dt.datetime(2025, 6, 1, tzinfo=dt.UTC)
    rows = []
    for n in range(count):
        slug, name = NEWSPAPERS[n % len(NEWSPAPERS)]
        paragraphs, size = [], 0
        while size < body_chars:
            paragraph = " ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "."
            paragraphs.append(paragraph)
            size += len(paragraph) + 2
        rows.append({
            "url": f"https://www.djazairess.com/fr/{slug}/{1_000_000 + n}", "site": "djazairess", "edition": "fr",
            "language": "fr", "source": name, "source_slug": slug,
            "source_url": f"https://www.{slug}.example/article/{n}", "title": f"Titre de l'article {n}",
            "kicker": None if n % 3 else "Surtitre", "published_on": dt.date(2020, 1, 1) + dt.timedelta(days=n % 2000),
            "body": "\n\n".join(paragraphs), "fetched_at": seen,
        })
    return rows


def batches(rows: list[dict], size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def one_round(database, rows: list[dict], batch: int) -> dict[str, float]:
    """Two fresh databases of the same schema (indexes, search triggers, foreign keys): one
    takes the bare Core insert, the other the pipeline's writer."""
    plain = [{**{k: v for k, v in r.items() if k not in ("edition", "fetched_at")},
              "first_seen_at": r["fetched_at"], "last_seen_at": r["fetched_at"], "changed_at": r["fetched_at"],
              "times_seen": 1} for r in rows]
    with database() as url:
        reference = ArticleStore.open(url)
        try:
            def bare() -> None:
                for chunk in batches(plain, batch):
                    with reference.engine.begin() as connection:
                        connection.execute(insert(articles), chunk)

            bare_seconds = timed(bare)
        finally:
            reference.close()
    with database() as url:
        store = ArticleStore.open(url)
        try:
            def write(version: list[dict]) -> None:
                for chunk in batches(version, batch):
                    store.upsert(chunk)

            later = dt.timedelta(hours=1)
            recrawl = [{**r, "fetched_at": r["fetched_at"] + later} for r in rows]
            changed = [{**r, "fetched_at": r["fetched_at"] + 2 * later, "body": r["body"] + "\n\nMise à jour."}
                       for r in rows]
            seconds = {
                "bare Core insert": bare_seconds,
                "writer: insert": timed(lambda: write(rows)),
                "writer: re-upsert unchanged": timed(lambda: write(recrawl)),
                "writer: re-upsert changed (+revision)": timed(lambda: write(changed)),
            }
            assert store.count() == len(rows)
        finally:
            store.close()
    return {name: len(rows) / value for name, value in seconds.items()}


@contextlib.contextmanager
def sqlite_database():
    with tempfile.TemporaryDirectory() as folder:
        yield f"sqlite:///{folder}/bench.db"


@contextlib.contextmanager
def postgres_database(admin_url: str):
    import psycopg

    name = f"djz_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield admin_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1) + f"/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def measure(databases: dict, rows: list[dict], batch: int, repeat: int) -> dict[str, dict[str, list[float]]]:
    figures: dict[str, dict[str, list[float]]] = {}
    for label, database in databases.items():
        for _ in range(repeat):
            for name, rate in one_round(database, rows, batch).items():
                figures.setdefault(label, {}).setdefault(name, []).append(rate)
    return figures


def report(figures: dict[str, dict[str, list[float]]], rows: int, body: int) -> str:
    lines = [f"storage benchmark: {rows} articles, ~{body // 1000} KB bodies; rows/s, median (min-max)", ""]
    lines.append(f"{'database':<11}{'path':<40}{'rows/s':>10}{'min-max':>20}{'vs bare':>9}")
    for database, by_path in figures.items():
        reference = statistics.median(by_path["bare Core insert"])
        for path, rates in by_path.items():
            median = statistics.median(rates)
            spread = f"{min(rates):,.0f}-{max(rates):,.0f}"
            lines.append(f"{database:<11}{path:<40}{median:>10,.0f}{spread:>20}{median / reference:>8.0%}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--body", type=int, default=5000, help="body size in characters")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="an admin URL: the benchmark creates and drops its own database")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    rows = make_rows(args.rows, args.body)
    databases = {"sqlite": sqlite_database}
    if not args.no_postgres:
        databases["postgresql"] = lambda: postgres_database(args.postgres)
    print(report(measure(databases, rows, args.batch, args.repeat), args.rows, args.body))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Storage benchmark: rows per second through the pipeline's writer vs a bare Core insert.

For SQLite and PostgreSQL, in the same run: N articles with ~5 KB bodies are stored

  * by the pipeline's writer (``ArticleStore.upsert``: newspapers, upsert with RETURNING,
    revision trigger) – first as inserts, then re-upserted unchanged (a re-crawl), then
    re-upserted with changed bodies (every row gets a revision);
  * by a bare SQLAlchemy Core batched ``insert`` of the same rows into a table of the same
    shape and indexes (no upsert, no trigger, no foreign keys) – the reference.

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

from sqlalchemy import Column, Index, MetaData, Table, insert  # noqa: E402

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


def bare_table(metadata: MetaData) -> Table:
    """Same columns and indexes as ``articles``, nothing else."""
    table = Table("bare_articles", metadata,
                  *(Column(c.name, c.type, primary_key=c.primary_key, unique=c.unique, nullable=c.nullable)
                    for c in articles.columns))
    for index in articles.indexes:
        Index(f"bare_{index.name}", *(table.c[c.name] for c in index.columns))
    return table


def batches(rows: list[dict], size: int):
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def one_round(url: str, rows: list[dict], batch: int) -> dict[str, float]:
    store = ArticleStore.open(url)
    engine = store.engine
    try:
        metadata = MetaData()
        table = bare_table(metadata)
        metadata.create_all(engine)
        plain = [{**{k: v for k, v in r.items() if k not in ("edition", "fetched_at")},
                  "first_seen_at": r["fetched_at"], "last_seen_at": r["fetched_at"], "changed_at": r["fetched_at"],
                  "times_seen": 1} for r in rows]

        def bare() -> None:
            for chunk in batches(plain, batch):
                with engine.begin() as connection:
                    connection.execute(insert(table), chunk)

        def write(version: list[dict]) -> None:
            for chunk in batches(version, batch):
                store.upsert(chunk)

        later = dt.timedelta(hours=1)
        recrawl = [{**r, "fetched_at": r["fetched_at"] + later} for r in rows]
        changed = [{**r, "fetched_at": r["fetched_at"] + 2 * later, "body": r["body"] + "\n\nMise à jour."} for r in rows]
        seconds = {
            "bare Core insert": timed(bare),
            "writer: insert": timed(lambda: write(rows)),
            "writer: re-upsert unchanged": timed(lambda: write(recrawl)),
            "writer: re-upsert changed (+revision)": timed(lambda: write(changed)),
        }
        assert store.count() == len(rows)
        return {name: len(rows) / value for name, value in seconds.items()}
    finally:
        store.close()


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
            with database() as url:
                for name, rate in one_round(url, rows, batch).items():
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

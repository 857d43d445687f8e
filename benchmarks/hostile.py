"""Crawl the hostile replica and print what became of each injected fault.

    python benchmarks/hostile.py

One line per fault kind: how many times the server injected it, whether the article was
recovered (stored exactly as written), recorded in fetch_failures, stored as garbage
(a row that differs from the truth: must be 0), or lost (neither stored nor recorded:
must be 0). The crawl runs with the settings of the fault tests (short timeouts).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import select  # noqa: E402

from storage import articles, create_db_engine, fetch_failures  # noqa: E402
from tests.conftest import run_crawl  # noqa: E402
from tests.replica import ARTICLES, Replica, ReplicaServer  # noqa: E402
from tests.replica.hostile import HOSTILE_SETTINGS, hostile_site  # noqa: E402


def crawl_hostile(folder: Path) -> tuple[list, dict, dict, dict, dict, int]:
    with ReplicaServer(Replica()) as other_host:
        replica, faults, cases = hostile_site(other_host.base_url)
        with ReplicaServer(replica, faults=faults) as server:
            database_url = f"sqlite:///{folder / 'hostile.db'}"
            result = run_crawl(server.base_url, database_url, folder, settings=HOSTILE_SETTINGS)
            # how often each fault fired (its later requests were served normally)
            injected = {path: min(server._server.fault_hits[path], fault.times or 10**9)
                        for path, fault in faults.items()}
            base = server.base_url
        other_hits = sum(other_host.hits.values())
    engine = create_db_engine(database_url)
    with engine.connect() as connection:
        stored = {r["url"][len(base):]: dict(r) for r in connection.execute(select(articles)).mappings()}
        failed = {r["url"][len(base):]: dict(r) for r in connection.execute(select(fetch_failures)).mappings()}
    engine.dispose()
    return cases, stored, failed, injected, result.stats, other_hits


def report(cases, stored, failed, injected, stats, other_hits) -> str:
    def exact(article) -> bool:
        row = stored.get(article.path)
        if row is None:
            return False
        row = {**row, "published_on": row["published_on"].isoformat()}
        return {k: row[k] for k in article.expected()} == article.expected()

    lines = [f"{'fault kind':<44}{'injected':>9}{'recovered':>10}{'recorded':>9}{'garbage':>8}{'lost':>6}"]
    totals = [0, 0, 0, 0, 0]
    for case in cases:
        path = case.article.path
        hits = injected.get(path, 1)  # content faults are in the page itself: once per fetch
        recovered = int(case.outcome != "failure" and exact(case.article))
        recorded = int(path in failed)
        garbage = int(path in stored and not exact(case.article))
        lost = int(not recovered and not recorded and not garbage)
        figures = [hits, recovered, recorded, garbage, lost]
        totals = [t + f for t, f in zip(totals, figures, strict=True)]
        lines.append(f"{case.kind:<44}" + "".join(f"{v:>{w}}" for v, w in zip(figures, (9, 10, 9, 8, 6), strict=True)))
    ordinary = sum(exact(a) for a in ARTICLES)
    ordinary_garbage = sum(a.path in stored and not exact(a) for a in ARTICLES)
    lines.append(f"{'(ordinary replica articles)':<44}{'-':>9}{ordinary:>10}{'-':>9}{ordinary_garbage:>8}"
                 f"{len(ARTICLES) - ordinary - ordinary_garbage:>6}")
    lines.append(f"{'total':<44}" + "".join(f"{v:>{w}}" for v, w in zip(totals, (9, 10, 9, 8, 6), strict=True)))
    lines.append("")
    lines.append(f"finish reason: {stats.get('finish_reason')}; requests to the other host: {other_hits}; "
                 f"retries: {stats.get('retry/count', 0)}; Retry-After honoured: {stats.get('retry/retry_after_honoured', 0)}")
    return "\n".join(lines)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        outcome = crawl_hostile(Path(folder))
    print(report(*outcome))
    return 0


if __name__ == "__main__":
    sys.exit(main())

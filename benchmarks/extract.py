"""Extraction benchmark: our item-pipeline stages vs a bare lxml parse vs trafilatura.

Over N replica article pages of the real site's weight (~60-70 KB, full page chrome, the
three article markups), in the same run and on the same pages:

  * bare parse   – ``lxml.html.document_fromstring`` of the page bytes (nothing else);
  * our stages   – decode → extract → clean → dates → validate (storage excluded), as the
                   crawl runs them (``pipelines.offline.OfflineChain``);
  * trafilatura  – ``trafilatura.extract`` (default settings), the usual general-purpose tool.

Each figure is ms per page, the median of ``--repeat`` rounds (min–max); then the ratios
and our exactness (pages whose every field equals the hand-written truth).

    python benchmarks/extract.py [--pages 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lxml import html as lxml_html  # noqa: E402

from crawler.items import Article, RawPage  # noqa: E402
from pipelines.offline import OfflineChain  # noqa: E402
from tests.replica import Replica  # noqa: E402
from tests.replica.generate import generated_articles  # noqa: E402

BASE = "https://www.djazairess.com"


def make_pages(count: int) -> tuple[list, list[RawPage]]:
    replica = Replica(tuple(generated_articles(count, seed=3)), per_page=10, heavy=True, broken_pages={})
    pages = replica.pages(BASE)
    now = dt.datetime.now(dt.UTC)
    raws = [RawPage(BASE + a.path, BASE + a.path, 200, pages[a.path].content_type, pages[a.path].body, "utf-8",
                    now, "djazairess", "fr", a.newspaper) for a in replica.articles]
    return replica.articles, raws


def exact(article, result) -> bool:
    if not isinstance(result, Article):
        return False
    got = {"title": result.title, "kicker": result.kicker, "source": result.source, "source_slug": result.source_slug,
           "source_url": result.source_url, "published_on": result.published_on.isoformat(), "body": result.body,
           "language": result.language}
    return got == article.expected()


def timed_round(function, items) -> float:
    gc.collect()
    started = time.perf_counter()
    for item in items:
        function(item)
    return (time.perf_counter() - started) * 1000 / len(items)


def measure(count: int, repeat: int) -> dict:
    articles, raws = make_pages(count)
    chain = OfflineChain()
    chain.run(raws[0])  # warm: dateparser and the compiled selectors, as a crawl does once
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - the [bench]/[test] extras install it
        trafilatura = None
    contenders = {
        "bare lxml parse": lambda raw: lxml_html.document_fromstring(raw.body),
        "our stages": chain.run,
    }
    if trafilatura is not None:
        contenders["trafilatura.extract"] = lambda raw: trafilatura.extract(raw.body.decode("utf-8"))
    rounds: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, function in contenders.items():  # interleaved: the machine's noise hits all alike
            rounds[name].append(timed_round(function, raws))
    correct = sum(exact(article, chain.run(raw)) for article, raw in zip(articles, raws, strict=True))
    size = statistics.mean(len(raw.body) for raw in raws) / 1024
    return {"rounds": rounds, "correct": correct, "pages": len(raws), "kb": size}


def report(figures: dict) -> str:
    rounds = figures["rounds"]
    median = {name: statistics.median(values) for name, values in rounds.items()}
    lines = [f"extraction: {figures['pages']} replica article pages, {figures['kb']:.0f} KB on average; "
             "ms per page, median of rounds (min-max)", ""]
    for name, values in rounds.items():
        lines.append(f"  {name:<22}{median[name]:>8.3f} ms   ({min(values):.3f}-{max(values):.3f})")
    def ratio(top: str, bottom: str) -> str:  # per round (the same minute of a noisy machine)
        values = [a / b for a, b in zip(rounds[top], rounds[bottom], strict=True)]
        return f"{statistics.median(values):>6.2f}x  ({min(values):.2f}-{max(values):.2f})"

    lines.append("")
    lines.append(f"  our stages / bare parse      {ratio('our stages', 'bare lxml parse')}   (target <= 2.5x)")
    if "trafilatura.extract" in median:
        lines.append(f"  trafilatura / our stages     {ratio('trafilatura.extract', 'our stages')}   (target >= 4x)")
    lines.append(f"  exact pages (every field)    {figures['correct']}/{figures['pages']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    print(report(measure(args.pages, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

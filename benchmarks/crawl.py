"""Crawl benchmark: the whole crawl (spider + pipelines + SQLite) vs a do-nothing spider.

A replica of ``--articles`` articles of the real site's weight is rendered to files and
served by nginx on loopback (a server that is not the bottleneck). In the same run,
alternating, ``--repeat`` times each:

  * our crawl         – ``scrapy crawl djazairess`` into a fresh SQLite file;
  * do-nothing spider – a Scrapy spider that requests every page of the site and does
                        nothing with the responses (same project settings, same concurrency).

Pages per second = responses received / elapsed seconds, from each run's own stats.

    python benchmarks/crawl.py [--articles 5000] [--repeat 3] [--concurrency 16]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import scrapy  # noqa: E402

from tests.replica import Replica  # noqa: E402
from tests.replica.generate import generated_articles  # noqa: E402
from tests.replica.static import NginxReplica  # noqa: E402


class DoNothingSpider(scrapy.Spider):
    """Fetches the listed URLs; no parsing, no items."""

    name = "do-nothing"

    def __init__(self, urls_file: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.urls_file = urls_file

    async def start(self):
        for line in Path(self.urls_file).read_text().splitlines():
            yield scrapy.Request(line, callback=self.parse, dont_filter=True)

    def parse(self, response):
        return None


def settings_args(concurrency: int, stats_file: Path) -> list[str]:
    settings = {"AUTOTHROTTLE_ENABLED": "False", "DOWNLOAD_DELAY": "0", "CONCURRENT_REQUESTS": str(concurrency),
                "CONCURRENT_REQUESTS_PER_DOMAIN": str(concurrency), "LOG_LEVEL": "WARNING",
                "STATS_FILE": str(stats_file), "ROBOTSTXT_OBEY": "False"}
    return [arg for name, value in settings.items() for arg in ("-s", f"{name}={value}")]


def pages_per_second(stats_file: Path) -> tuple[float, int]:
    stats = json.loads(stats_file.read_text())
    pages = stats["response_received_count"]
    return pages / stats["elapsed_time_seconds"], pages


def run_ours(base_url: str, folder: Path, concurrency: int, n: int) -> tuple[float, int]:
    stats_file = folder / f"ours-{n}.json"
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "djazairess", "-a", f"base_url={base_url}",
                    "-s", f"DATABASE_URL=sqlite:///{folder / f'bench-{n}.db'}",
                    "-s", f"STORE_SPOOL_DIR={folder / 'spool'}", *settings_args(concurrency, stats_file)],
                   cwd=ROOT, check=True)
    return pages_per_second(stats_file)


def run_do_nothing(urls_file: Path, folder: Path, concurrency: int, n: int) -> tuple[float, int]:
    stats_file = folder / f"nothing-{n}.json"
    subprocess.run([sys.executable, "-m", "scrapy", "runspider", __file__, "-a", f"urls_file={urls_file}",
                    *settings_args(concurrency, stats_file)], cwd=ROOT, check=True)
    return pages_per_second(stats_file)


def measure(articles: int, repeat: int, concurrency: int, folder: Path) -> dict:
    replica = Replica(tuple(generated_articles(articles, seed=21)), per_page=10, heavy=True, broken_pages={})
    with NginxReplica(replica, folder / "nginx") as site:
        urls_file = folder / "urls.txt"
        urls_file.write_text("\n".join(site.base_url + path for path in site.paths
                                       # the pages the crawl itself asks for (robots.txt is off for both)
                                       if not path.startswith("/fr/author/") and path not in ("/fr/about", "/robots.txt")))
        ours, nothing, pages = [], [], {}
        for n in range(repeat):
            rate, pages["ours"] = run_ours(site.base_url, folder, concurrency, n)
            ours.append(rate)
            rate, pages["do-nothing"] = run_do_nothing(urls_file, folder, concurrency, n)
            nothing.append(rate)
    return {"ours": ours, "nothing": nothing, "pages": pages, "articles": articles, "concurrency": concurrency}


def report(figures: dict) -> str:
    ours, nothing = figures["ours"], figures["nothing"]
    ratios = [a / b for a, b in zip(ours, nothing, strict=True)]
    return "\n".join([
        f"crawl: {figures['articles']} articles (heavy pages) on nginx, concurrency {figures['concurrency']}; "
        f"pages/s, median (min-max)", "",
        f"  do-nothing spider   {statistics.median(nothing):>8.1f}   ({min(nothing):.1f}-{max(nothing):.1f})"
        f"   {figures['pages']['do-nothing']} pages",
        f"  our crawl           {statistics.median(ours):>8.1f}   ({min(ours):.1f}-{max(ours):.1f})"
        f"   {figures['pages']['ours']} pages", "",
        f"  ours / do-nothing   {statistics.median(ratios):>7.0%}    ({min(ratios):.0%}-{max(ratios):.0%})"
        "   (target >= 60%)",
    ])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        print(report(measure(args.articles, args.repeat, args.concurrency, Path(folder))))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Fleet mode: several worker processes share one crawl through Redis (scrapy-redis) and
store into one PostgreSQL database."""

from __future__ import annotations

import importlib.metadata
import json
import signal
import subprocess
import time
import tomllib

import pytest
from sqlalchemy import func, select

from storage import articles
from tests.conftest import REDIS_TEST_URL, ROOT, require_service, temporary_postgres_database
from tests.fleetrun import FleetRun, wait_for
from tests.replica import ARTICLES, BROKEN_PAGES, Replica, ReplicaServer
from tests.replica.generate import generated_articles
from tests.test_crawl import query

pytestmark = pytest.mark.crawl


def fleet_replica() -> Replica:
    """32 hand-written and 300 generated articles, ten per listing page."""
    return Replica(ARTICLES + tuple(generated_articles(300)), per_page=10)


@pytest.fixture
def fleet(fleet_name, tmp_path):
    with temporary_postgres_database() as database_url:
        run = FleetRun(REDIS_TEST_URL, fleet_name, database_url, tmp_path)
        try:
            yield run
        finally:
            run.stop()


def stored_urls(database_url: str) -> list[str]:
    return [row["url"] for row in query(database_url, select(articles.c.url))]


def article_hits(server: ReplicaServer, replica: Replica) -> dict[str, int]:
    paths = [a.path for a in replica.articles] + list(replica.broken_pages)
    return {path: server.hits.get(path, 0) for path in paths}


def test_three_workers_share_one_crawl_and_fetch_each_article_once(fleet) -> None:
    replica = fleet_replica()
    with ReplicaServer(replica, delay=0.01) as server:
        # workers that find nothing to do wait for work (up to MAX_IDLE_TIME_BEFORE_CLOSE)
        workers = fleet.start_workers(3, MAX_IDLE_TIME_BEFORE_CLOSE="10")
        wait_for(lambda: fleet.state().status()["workers_alive"] == 3, timeout=60, what="3 workers joined")
        time.sleep(1)
        assert all(w.process.poll() is None for w in workers)
        seeded = fleet.seed(f"base_url={server.base_url}")
        assert seeded.returncode == 0, seeded.stderr
        codes = fleet.wait(timeout=300)
        hits = article_hits(server, replica)

    logs = "\n".join(w.log[-3000:] for w in workers)
    assert codes == [0, 0, 0], logs
    stats = [w.stats for w in workers]
    assert [s["finish_reason"] for s in stats] == ["finished"] * 3
    fetched = [s.get("discovery/article_pages_fetched", 0) for s in stats]
    # every article page fetched exactly once across the fleet, by the workers' own count …
    assert sum(fetched) == len(replica.articles) + len(BROKEN_PAGES)
    # … and by the server's
    assert set(hits.values()) == {1}, {p: n for p, n in hits.items() if n != 1}
    assert sum(n > 0 for n in fetched) >= 2, fetched  # the work was shared
    assert not any(s.get("fleet/unacknowledged") for s in stats)

    urls = stored_urls(fleet.database_url)
    assert len(urls) == len(set(urls))  # no duplicate rows
    assert set(urls) == {server.base_url + a.path for a in replica.articles}
    status = fleet.status()  # `scrapy fleet --json`
    assert status["workers_alive"] == status["in_flight"] == status["requests_pending"] == status["seeds_pending"] == 0
    assert status["requests_seen"] >= len(replica.articles)
    assert status["crawl"]["arguments"]["base_url"] == server.base_url
    assert {s["fleet/crawl"] for s in stats} == {status["crawl"]["id"]}  # each joined it (kept in crawl_runs)


def test_a_killed_worker_loses_nothing(fleet) -> None:
    replica = fleet_replica()
    total = len(replica.articles) + len(BROKEN_PAGES)
    fleet.settings["FLEET_WORKER_TIMEOUT"] = "4"
    with ReplicaServer(replica, delay=0.03) as server:
        seeded = fleet.seed(f"base_url={server.base_url}")
        assert seeded.returncode == 0, seeded.stderr
        workers = fleet.start_workers(3)
        state = fleet.state()

        def busy_victim():
            assert all(w.process.poll() is None for w in workers), "\n".join(w.log[-3000:] for w in workers)
            if sum(article_hits(server, replica).values()) < total // 2:
                return None
            holding = [w for w in state.status()["workers"] if w["alive"] and w["in_flight"] > 0]
            return max(holding, key=lambda w: w["in_flight"], default=None)

        victim = wait_for(busy_victim, timeout=120, every=0.05, what="a worker holding requests half-way")
        killed = next(w for w in workers if w.process.pid == victim["pid"])
        killed.process.send_signal(signal.SIGKILL)
        killed.process.wait(10)
        held = state.server.zcard(state.keys.in_flight(victim["id"]))
        assert held >= 1
        survivors = [w for w in workers if w is not killed]
        codes = fleet.wait(survivors, timeout=300)
        assert codes == [0, 0], "\n".join(w.log[-3000:] for w in survivors)
        # what the dead worker held went back to the queue, once …
        assert sum(w.stats.get("fleet/requests_reclaimed", 0) for w in survivors) == held
        urls = stored_urls(fleet.database_url)
        assert set(urls) == {server.base_url + a.path for a in replica.articles}  # … and was done

        # a follow-up run: a new crawl seeds at once (nothing is left of the old one) and
        # completes the set – here there is nothing left to find, and nothing is stored twice
        follow_up = fleet.seed(f"base_url={server.base_url}")
        assert follow_up.returncode == 0, follow_up.stderr
        [last] = fleet.start_workers(1)
        assert fleet.wait([last], timeout=300) == [0], last.log[-3000:]
    urls = stored_urls(fleet.database_url)
    assert len(urls) == len(set(urls))
    assert set(urls) == {server.base_url + a.path for a in replica.articles}
    assert last.stats.get("discovery/article_pages_fetched", 0) == len(BROKEN_PAGES)  # only the unstorable page


def test_sigterm_hands_work_back_and_another_worker_finishes_it(fleet) -> None:
    replica = fleet_replica()
    with ReplicaServer(replica, delay=0.05) as server:
        assert fleet.seed(f"base_url={server.base_url}").returncode == 0
        [first] = fleet.start_workers(1, CONCURRENT_REQUESTS_PER_DOMAIN="4")
        wait_for(lambda: sum(article_hits(server, replica).values()) >= 40, timeout=120, what="40 articles fetched")
        first.process.send_signal(signal.SIGTERM)
        assert fleet.wait([first], timeout=120) == [0], first.log[-3000:]
        assert first.stats["finish_reason"] == "shutdown"
        status = fleet.state().status()
        assert status["workers_alive"] == status["in_flight"] == 0  # left, holding nothing
        assert status["requests_pending"] > 0  # the rest of the crawl waits in Redis

        [second] = fleet.start_workers(1)
        assert fleet.wait([second], timeout=300) == [0], second.log[-3000:]
        hits = article_hits(server, replica)
    assert set(hits.values()) == {1}, {p: n for p, n in hits.items() if n != 1}  # nothing fetched twice
    assert first.stats["discovery/article_pages_fetched"] + second.stats["discovery/article_pages_fetched"] \
        == len(replica.articles) + len(BROKEN_PAGES)
    urls = stored_urls(fleet.database_url)
    assert sorted(urls) == sorted(server.base_url + a.path for a in replica.articles)


class ThrowawayRedis:
    """A Redis server of the test's own, persisting to its folder, that a test stops and starts."""

    def __init__(self, folder) -> None:
        import shutil

        from tests.replica.static import free_port

        binary = shutil.which("redis-server")
        require_service("redis-server", binary is not None, "the Redis server binary is not installed")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run([self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
                        "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "yes"],
                       check=True, capture_output=True)
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                                        text=True).stdout.strip() == "PONG", timeout=20, what="redis-server")

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown"], capture_output=True, check=False)


@pytest.fixture
def own_redis(tmp_path):
    server = ThrowawayRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("outage", ["short", "too long"])
def test_a_redis_outage(outage, own_redis, tmp_path) -> None:
    """Redis goes away mid-crawl. For a while, the worker works on what it has in hand and keeps
    what it cannot send; when Redis is back, the crawl carries on. Past FLEET_REDIS_OUTAGE_SECONDS
    the worker stops with exit status 3, and the next worker reclaims what it held – the pages
    whose links never reached Redis among them. Either way: every article once in the database."""
    replica = Replica(ARTICLES + tuple(generated_articles(150)), per_page=10)
    database_url = f"sqlite:///{tmp_path / 'outage.db'}"
    run = FleetRun(own_redis.url, "outage", database_url, tmp_path,
                   settings={"FLEET_REDIS_OUTAGE_SECONDS": "30" if outage == "short" else "2",
                             "FLEET_WORKER_TIMEOUT": "3", "CONCURRENT_REQUESTS_PER_DOMAIN": "2"})
    try:
        with ReplicaServer(replica, delay=0.1) as server:
            assert run.seed(f"base_url={server.base_url}").returncode == 0
            [first] = run.start_workers(1)
            wait_for(lambda: len(server.hits) > 40, timeout=60, what="40 pages fetched")
            own_redis.stop()
            time.sleep(6)
            own_redis.start()
            code = run.wait([first], timeout=120)
            if outage == "short":
                assert code == [0], first.log[-3000:]
                assert first.stats["finish_reason"] == "finished" and first.stats["fleet/redis_errors"] >= 1
                assert "Redis answers again" in first.log
            else:
                assert code == [3], first.log[-3000:]
                assert first.stats["finish_reason"] == "redis_unavailable"
                assert first.stats["fleet/requests_lost"] >= 1  # links found during the outage …
                [second] = run.start_workers(1)  # the same crawl: reclaims what the first one held
                assert run.wait([second], timeout=120) == [0], second.log[-3000:]
                # … and the pages they came from, never acknowledged, were held: fetched again
                assert second.stats["fleet/requests_reclaimed"] >= 1
    finally:
        run.stop()
    urls = stored_urls(database_url)
    assert len(urls) == len(set(urls))
    assert set(urls) == {server.base_url + a.path for a in replica.articles}
    if outage == "short":
        assert set(article_hits(server, replica).values()) == {1}  # nothing fetched twice


def test_seed_refuses_while_a_crawl_has_work(fleet) -> None:
    first = fleet.seed("base_url=http://127.0.0.1:9", "newspapers=elwatan,lnr", "since=2024-01-01")
    assert first.returncode == 0, first.stderr
    seeded = json.loads(first.stdout)
    # home, feed, then each newspaper's listing and feed
    assert seeded["seeds"] == 6 and seeded["arguments"]["newspapers"] == ["elwatan", "lnr"]
    again = fleet.seed("base_url=http://127.0.0.1:9")
    assert again.returncode == 4 and "still has 6 requests pending" in again.stderr
    forced = fleet.seed("base_url=http://127.0.0.1:9", force=True)
    assert forced.returncode == 0, forced.stderr
    status = fleet.status()
    assert status["seeds_pending"] == 2 and status["crawl"]["id"] == json.loads(forced.stdout)["crawl"]
    assert fleet.seed("since=yesterday").returncode == 2  # a bad argument is refused before Redis is touched


def test_seed_status_and_workers_need_redis(tmp_path) -> None:
    run = FleetRun("redis://127.0.0.1:1/0", "nowhere", f"sqlite:///{tmp_path / 'x.db'}", tmp_path)
    refused = run.seed("base_url=http://127.0.0.1:9")
    assert refused.returncode == 3 and "does not answer" in refused.stderr
    [worker] = run.start_workers(1)
    assert run.wait([worker], timeout=60) == [3]
    assert "scrapy crawl: Redis at redis://127.0.0.1:1/0 does not answer" in worker.log
    assert "Traceback" not in worker.log


def test_scrapy_redis_is_pinned_to_the_tested_version() -> None:
    """The fleet leans on scrapy-redis internals (queue encoding, RedisMixin's seed feeding) and
    on Scrapy's engine heartbeat: an upgrade must come with a run of this file."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "scrapy-redis==0.9.1" in project["project"]["dependencies"]
    assert importlib.metadata.version("scrapy-redis") == "0.9.1"
    from scrapy.core.engine import ExecutionEngine
    from scrapy_redis.queue import PriorityQueue
    from scrapy_redis.scheduler import Scheduler
    from scrapy_redis.spiders import RedisMixin

    assert ExecutionEngine._SLOT_HEARTBEAT_INTERVAL == 5.0
    for name in ("setup_redis", "next_requests", "schedule_next_requests", "make_request_from_data"):
        assert callable(getattr(RedisMixin, name))
    assert callable(PriorityQueue._encode_request) and callable(PriorityQueue._decode_request)
    assert Scheduler.from_settings.__func__.__code__.co_varnames[:2] == ("cls", "settings")


def test_dead_workers_requests_go_back_to_the_queue(fleet_name) -> None:
    import redis

    from crawler.fleet import FleetKeys
    from crawler.fleet.state import Fleet

    state = Fleet(redis.Redis.from_url(REDIS_TEST_URL), FleetKeys(fleet_name))
    state.beat("alive", {}, timeout=30)
    state.beat("dead", {}, timeout=0.2)
    state.server.zadd(state.keys.in_flight("dead"), {b"request-a": -5, b"request-b": 0})
    state.server.zadd(state.keys.in_flight("alive"), {b"request-c": 0})
    assert state.work_left() == 3
    time.sleep(0.4)
    assert state.reclaim_dead() == {"dead": 2}
    assert state.reclaim_dead() == {}  # once only
    assert state.worker_ids() == ["alive"]
    assert state.server.zrange(state.keys.requests, 0, -1, withscores=True) == [(b"request-a", -5.0), (b"request-b", 0.0)]
    assert state.hand_back("alive") == 1 and state.work_left() == 3

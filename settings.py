"""Scrapy settings of djazairess-crawler. Every value can be overridden with ``-s NAME=VALUE``.

The defaults are polite to the live site: robots.txt obeyed, AutoThrottle on, a
descriptive User-Agent, two requests at a time per domain.
"""

import os

from crawler import logsafety

logsafety.install()  # before Scrapy logs its settings: DATABASE_URL's password is masked everywhere

BOT_NAME = "djazairess"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"  # `scrapy crawl` exits non-zero when the database stayed down

# -- storage --------------------------------------------------------------------------------
# SQLite by default; PostgreSQL with DATABASE_URL=postgresql+psycopg://user@host/dbname
DATABASE_URL = os.environ.get("DATABASE_URL", "sqlite:///articles.db")
DATABASE_AUTO_MIGRATE = True  # bring the schema to the latest Alembic revision before storing
STORE_BATCH_SIZE = 200  # rows per upsert batch
STORE_FLUSH_SECONDS = 5.0  # a partial batch is written once it is this old
STORE_RETRY_TIMES = 5  # a failing batch is retried with backoff (0.5 s, 1 s, 2 s, …) …
STORE_RETRY_BACKOFF = 0.5
STORE_SPOOL_DIR = "spool"  # … then spooled here, and stored first by the next run
STORE_SQLITE_BUSY_TIMEOUT = 30.0  # seconds a SQLite write waits for another writer's lock

# -- the pipeline: one stage per job, in this order -----------------------------------------
ITEM_PIPELINES = {
    "pipelines.decode.DecodeStage": 100,
    "pipelines.extract.ExtractStage": 200,
    "pipelines.clean.CleanStage": 300,
    "pipelines.dates.DatesStage": 400,
    "pipelines.validate.ValidateStage": 500,
    "pipelines.store.StoreStage": 900,
}

# -- politeness -------------------------------------------------------------------------------
USER_AGENT = "djazairess-crawler/0.1 (research news archive; +https://github.com/djazairess-crawler)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.5
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 3  # 500, 502, 503, 504, 522, 524, 408 and 429 are retried
RETRY_AFTER_MAX = 60  # seconds of Retry-After honoured; a longer wait is left to the next run
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.RetryAfterMiddleware": 550,  # Scrapy's retries + Retry-After
}
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
# Scrapy starts this many asyncio workers for *every* response's output; an article page
# yields one item and a listing a few dozen requests: 100 (the default) is pure overhead.
CONCURRENT_ITEMS = 16

# -- resumable jobs ------------------------------------------------------------------------------
# With -s JOBDIR=DIR a crawl stopped by Ctrl-C or killed (even SIGKILL) resumes where it stopped.
SCHEDULER = "crawler.frontier.DurableScheduler"
DUPEFILTER_CLASS = "crawler.frontier.DurableDupeFilter"
SPIDER_MIDDLEWARES = {"crawler.frontier.FrontierAckMiddleware": 50}

# -- runtime ------------------------------------------------------------------------------------
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
LOG_LEVEL = os.environ.get("SCRAPY_LOG_LEVEL", "INFO")
DEFAULT_DROPITEM_LOG_LEVEL = "WARNING"
TELNETCONSOLE_ENABLED = False  # an open console on a scheduled box is a liability
EXTENSIONS = {
    # Scrapy 2.19's remote-control server (aiohttp + job files in ~/.local/state): not wanted
    # on unattended runs; Scrapyd is how runs are controlled here.
    "scrapy.extensions.remote_control.RemoteControl": None,
    "crawler.extensions.StatsFile": 500,
}
STATS_FILE = None  # e.g. -s STATS_FILE=run-stats.json: the final stats as JSON
FEED_EXPORT_ENCODING = "utf-8"

# -- fleet mode: many workers, one crawl (scrapy-redis) ------------------------------------------
# With REDIS_URL=redis://host:6379/0 the crawl joins a fleet: `scrapy seed djazairess` starts a
# crawl in Redis, and every `scrapy crawl djazairess` with the same REDIS_URL works on it.
REDIS_URL = os.environ.get("REDIS_URL") or None
ADDONS = {"crawler.fleet.FleetAddon": 0}  # swaps in scrapy-redis's scheduler when REDIS_URL is set
FLEET_NAME = os.environ.get("FLEET_NAME") or None  # Redis key prefix; default: the spider's name
MAX_IDLE_TIME_BEFORE_CLOSE = 60  # scrapy-redis: leave after the fleet has been quiet this long (0: never)
FLEET_HEARTBEAT_SECONDS = 5.0  # a worker says it is alive this often …
FLEET_WORKER_TIMEOUT = 30.0  # … and is taken for dead (its requests queued again) after this silence
FLEET_POLL_SECONDS = 1.0  # how often an idle worker looks at the shared queue
FLEET_ORPHAN_SECONDS = 60.0  # an idle worker forgets held requests its store never acknowledged
DISCOVERY_PRIORITY = 0  # request priority of listings and feeds (fleet mode raises it to 1)
FLEET_REDIS_OUTAGE_SECONDS = 300.0  # a worker rides out a Redis outage this long, then stops (exit status 3)

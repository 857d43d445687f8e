"""What ``scrapy seed`` and ``scrapy fleet`` share: one spider name, one fleet in Redis.

(Outside ``crawler/commands``: Scrapy would list a base class found there as a command.)"""

from __future__ import annotations

import sys

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from crawler.fleet.state import Fleet, FleetUnavailable, connect


class FleetCommand(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[options] <spider>"

    def spider_name(self, args: list[str]) -> str:
        if len(args) != 1:
            raise UsageError("give exactly one spider name")
        return args[0]

    def connect(self, spider_name: str) -> Fleet | None:
        """The fleet; None (exit status 3, the reason on stderr) when Redis is not there."""
        try:
            return connect(self.settings, spider_name)
        except FleetUnavailable as error:
            self.fail(3, str(error))
            return None

    def fail(self, status: int, message: str) -> None:
        print(f"scrapy {self.__module__.rsplit('.', 1)[-1]}: {message}", file=sys.stderr)
        self.exitcode = status

"""``scrapy crawl``, failing fast and loudly where Scrapy would not.

- Bad spider arguments: Scrapy builds the spider inside the running reactor, where a bad
  ``-a since=`` would end as a traceback and a crawl of nothing; checking here turns it
  into a usage error.
- MongoDB unreachable or refusing the credentials: one ERROR line naming the server
  (password masked) and the cause, exit status 1, before any component starts (a failed
  pipeline start inside the crawl cascades into other components' errors).
- A crawl that failed its checks (arabpress.monitors) exits with status 1, so cron,
  ``arabpress schedule --follow`` and scrapyd's job log all show it.
"""

from __future__ import annotations

import argparse
import logging

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiders import Spider

from arabpress.monitors import CHECKS_FAILED, CHECKS_STAT
from arabpress.spiders.arabpress import ArabPressSpider, check_arguments
from arabpress.spiders.reextract import ReextractSpider, options_from_arguments
from arabpress.storage.connection import MongoUnavailable, open_server

logger = logging.getLogger(__name__)

# Exit status of a crawl that could not start or that failed its checks (Scrapy's own for a failed start).
FAILED = 1


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command, with the arabpress spider's arguments and database checked first."""

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        """Parse the options, then check the arguments the arabpress spider will get."""
        super().process_options(args, opts)
        if args and args[0] in (ArabPressSpider.name, ReextractSpider.name):
            assert self.settings is not None
            try:
                if args[0] == ArabPressSpider.name:
                    check_arguments(opts.spargs, self.settings)
                else:
                    options_from_arguments(opts.spargs)
            except ValueError as error:
                raise UsageError(str(error), print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Check the database, run the crawl, and exit non-zero when it failed its checks."""
        self.crawlers: list[Crawler] = []
        if args and args[0] == ArabPressSpider.name and not self.database_ready():
            self.exitcode = FAILED
            return
        super().run(args, opts)
        if any(crawler.stats and crawler.stats.get_value(CHECKS_STAT) == CHECKS_FAILED for crawler in self.crawlers):
            self.exitcode = FAILED

    def _create_crawler(self, spidercls: type[Spider] | str) -> Crawler:
        """Create the crawler as Scrapy does, keeping it to read its checks' verdict once it is done."""
        crawler = super()._create_crawler(spidercls)
        self.crawlers.append(crawler)
        return crawler

    def database_ready(self) -> bool:
        """Return True when storage is off or MongoDB answers; else log one line why not."""
        assert self.settings is not None
        if not self.settings.getbool("MONGO_ENABLED"):
            return True
        try:
            open_server(self.settings).close()
        except MongoUnavailable as error:
            logger.error("crawl not started: %s", error)
            return False
        return True

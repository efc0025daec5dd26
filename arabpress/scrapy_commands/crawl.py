"""``scrapy crawl``, refusing bad spider arguments with one line before anything starts.

Scrapy builds the spider inside the running reactor, where a bad ``-a since=`` would end
as a traceback and a crawl of nothing; checking here turns it into a usage error.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError

from arabpress.spiders.arabpress import ArabPressSpider, check_arguments
from arabpress.spiders.reextract import ReextractSpider, options_from_arguments


class Command(ScrapyCrawlCommand):
    """Scrapy's crawl command, with the arabpress spider's arguments checked first."""

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

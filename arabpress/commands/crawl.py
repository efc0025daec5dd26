"""Crawl the site: ``scrapy crawl arabpress`` with the project's settings, from any folder.

Everything after ``crawl`` goes to ``scrapy crawl arabpress`` as it is (``-a base_url=…``,
``-s NAME=VALUE``, ``--logfile``, ``-h``), and its exit status is the command's. Unlike
``scrapy crawl``, it needs no scrapy.cfg: it works from an installed wheel in any folder.
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy.cmdline import execute

from arabpress.spiders.arabpress import ArabPressSpider

# Options that start with "-" belong to scrapy crawl: this command's parser takes none of its own.
PARSER_OPTIONS: dict[str, Any] = {"prefix_chars": "+", "add_help": False}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Take every argument as one of scrapy crawl's."""
    parser.add_argument("options", nargs=argparse.REMAINDER, help="scrapy crawl's options, e.g. -a base_url=URL")


def run(args: argparse.Namespace) -> int:
    """Run the crawl in this process and return its exit status."""
    try:
        execute(["scrapy", "crawl", ArabPressSpider.name, *args.options])
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0

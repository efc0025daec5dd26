"""Crawl in N processes sharing one frontier in Redis (REDIS_URL), with one progress line."""

from __future__ import annotations

import argparse
from pathlib import Path

from arabpress.commands import CommandError
from arabpress.commands.schedule import parse_pairs
from arabpress.distributed.processes import RedisUnavailable, check_redis, run_crawl
from arabpress.storage.connection import project_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``arabpress crawl``."""
    parser.add_argument("--processes", type=int, default=2, help="crawl processes to run (default 2)")
    for flag, dest, help_text in (
        ("-a", "arguments", "spider argument, e.g. -a base_url=https://… (repeatable)"),
        ("-s", "settings", "Scrapy setting of every process, e.g. -s REDIS_URL=redis://… (repeatable)"),
    ):
        parser.add_argument(flag, dest=dest, metavar="NAME=VALUE", action="append", default=[], help=help_text)
    parser.add_argument(
        "--logdir", default="logs", help="where each crawl's folder of logs and stats goes (default logs)"
    )
    parser.add_argument(
        "--progress",
        type=float,
        metavar="SECONDS",
        help="seconds between progress lines (default: ARABPRESS_PROGRESS_INTERVAL)",
    )


def run(args: argparse.Namespace) -> int:
    """Run the crawl in --processes processes; status 0 when every one ended well, else 1."""
    if args.processes < 1:
        raise CommandError(f"--processes must be at least 1, not {args.processes}")
    arguments = parse_pairs(args.arguments, "-a")
    overrides = parse_pairs(args.settings, "-s")
    settings = project_settings(**dict(overrides))
    if not settings.get("REDIS_URL"):
        raise CommandError("no Redis: set REDIS_URL or give -s REDIS_URL=redis://host:6379/0")
    try:
        check_redis(settings.get("REDIS_URL"))
    except RedisUnavailable as error:
        raise CommandError(str(error)) from None
    interval = args.progress if args.progress is not None else settings.getfloat("ARABPRESS_PROGRESS_INTERVAL")
    return run_crawl(args.processes, arguments, settings, overrides, Path(args.logdir), interval, print)

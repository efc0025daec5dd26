"""Re-extract the stored pages into the articles, without the network (resumable)."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from datetime import datetime

from arabpress.commands import CommandError
from arabpress.console import Progress
from arabpress.reextract import Options, ReextractError, build, iter_lines, parse_day, perform, worker_pool
from arabpress.storage.connection import MongoUnavailable, open_server, project_settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("--since", type=parse_date, help="only pages fetched on or after DATE (YYYY-MM-DD, UTC)")
    parser.add_argument("--url-prefix", help="only articles whose canonical URL starts with this")
    parser.add_argument(
        "--older-than-version", type=int, metavar="V", help="only articles whose extractor_version is below V"
    )
    parser.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    parser.add_argument("--batch-size", type=int, default=100, help="pages per batch and per checkpoint (100)")
    parser.add_argument("--workers", type=int, default=1, help="extraction processes (default 1)")
    parser.add_argument(
        "--progress-interval",
        type=float,
        help="seconds between progress lines off a terminal (ARABPRESS_PROGRESS_INTERVAL)",
    )
    parser.add_argument("--uri", help="MongoDB URI (default: MONGO_URI)")
    parser.add_argument("--database", help="database (default: MONGO_DATABASE)")


def parse_date(value: str) -> datetime:
    """Parse YYYY-MM-DD as midnight UTC."""
    try:
        return parse_day(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def run(args: argparse.Namespace) -> int:
    """Re-extract the selected pages and print the summary; 130 when stopped (run it again to resume)."""
    if args.batch_size < 1 or args.workers < 1:
        raise CommandError("--batch-size and --workers must be at least 1")
    settings = project_settings(MONGO_URI=args.uri, MONGO_DATABASE=args.database)
    interval = args.progress_interval
    if interval is None:
        interval = settings.getfloat("ARABPRESS_PROGRESS_INTERVAL")
    options = Options(args.since, args.url_prefix, args.older_than_version, args.dry_run, args.batch_size, args.workers)
    # Forked now, warm, while this process has no thread (its MongoDB client starts some).
    pool = worker_pool(args.workers, {}) if args.workers > 1 else None
    with pool or contextlib.nullcontext():
        try:
            client = open_server(settings)
        except MongoUnavailable as error:
            raise CommandError(str(error)) from None
        with client:
            job = build(client, settings, options)
            job.pool = pool
            for number in (signal.SIGINT, signal.SIGTERM):
                signal.signal(number, job.request_stop)
            try:
                finished = perform(
                    job,
                    lambda total: Progress(total, "re-extracted", interval),
                    lambda line: print(line, file=sys.stderr),
                )
            except ReextractError as error:
                raise CommandError(str(error)) from None
    for line in iter_lines(job.summary, options.dry_run):
        print(line)
    if not finished:
        print(f"stopped: run the same command again to resume run {job.run_id}", file=sys.stderr)
        return 130
    print(f"run {job.run_id}: articles it changed have crawl_id {job.run_id!r}" if not options.dry_run else "dry run")
    return 0

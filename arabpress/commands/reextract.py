"""Re-extract the stored pages into the articles, without the network (resumable)."""

from __future__ import annotations

import argparse
import signal
import sys
from datetime import UTC, datetime

from pymongo.errors import PyMongoError

from arabpress.commands import CommandError
from arabpress.console import Progress
from arabpress.reextract import Options, ReextractError, Reextraction, iter_lines
from arabpress.storage.connection import (
    MongoUnavailable,
    describe_error,
    max_document_size,
    open_server,
    project_settings,
)
from arabpress.storage.indexes import ensure_article_indexes
from arabpress.storage.pages import PageStore
from arabpress.storage.writer import ArticleWriter


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
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date as YYYY-MM-DD: {value!r}") from None


def run(args: argparse.Namespace) -> int:
    """Re-extract the selected pages and print the summary; 130 when stopped (run it again to resume)."""
    if args.batch_size < 1 or args.workers < 1:
        raise CommandError("--batch-size and --workers must be at least 1")
    settings = project_settings(MONGO_URI=args.uri, MONGO_DATABASE=args.database)
    interval = args.progress_interval
    if interval is None:
        interval = settings.getfloat("ARABPRESS_PROGRESS_INTERVAL")
    options = Options(args.since, args.url_prefix, args.older_than_version, args.dry_run, args.batch_size, args.workers)
    try:
        client = open_server(settings)
    except MongoUnavailable as error:
        raise CommandError(str(error)) from None
    with client:
        database = client[settings.get("MONGO_DATABASE")]
        articles = database[settings.get("MONGO_COLLECTION")]
        ensure_article_indexes(articles)
        size = max_document_size(client)
        store = PageStore(database, settings.get("ARABPRESS_PAGES_COLLECTION"), max_document_size=size)
        writer = ArticleWriter(
            articles,
            max_document_size=size,
            retry_times=settings.getint("MONGO_RETRY_TIMES"),
            retry_backoff=settings.getfloat("MONGO_RETRY_BACKOFF"),
        )
        job = Reextraction(store, articles, database[settings.get("ARABPRESS_REEXTRACT_COLLECTION")], writer, options)
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, job.request_stop)
        try:
            keys = job.start()
            if job.resumed:
                print(f"resuming run {job.run_id} after {job.resumed_from}: {len(keys)} pages left", file=sys.stderr)
            with Progress(len(keys), "re-extracted", interval) as progress:
                finished = job.run(keys, progress)
        except ReextractError as error:
            raise CommandError(str(error)) from None
        except PyMongoError as error:
            raise CommandError(
                f"MongoDB failed ({describe_error(error)}); run the same command again to resume"
            ) from None
    for line in iter_lines(job.summary, options.dry_run):
        print(line)
    if not finished:
        print(f"stopped: run the same command again to resume run {job.run_id}", file=sys.stderr)
        return 130
    print(f"run {job.run_id}: articles it changed have crawl_id {job.run_id!r}" if not options.dry_run else "dry run")
    return 0

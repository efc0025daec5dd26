"""Write the articles of a replay file (kept when MongoDB was away) to MongoDB."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from arabpress.commands import CommandError
from arabpress.storage.connection import MongoUnavailable, max_document_size, open_server, project_settings
from arabpress.storage.replay import ReplayFileError, count_entries, replay
from arabpress.storage.schema import prepare_articles
from arabpress.storage.writer import ArticleWriter


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the replay options."""
    parser.add_argument("file", help="a replay file (MONGO_REPLAY_DIR/<spider>-<crawl id>.jsonl)")
    parser.add_argument("--uri", help="MongoDB URI (default: MONGO_URI)")
    parser.add_argument("--database", help="database (default: MONGO_DATABASE)")
    parser.add_argument("--collection", help="articles collection (default: MONGO_COLLECTION)")
    parser.add_argument("--batch-size", type=int, help="articles per bulk write (default: MONGO_BATCH_SIZE)")


def run(args: argparse.Namespace) -> int:
    """Replay the file with the crawl's upsert rules; print the counts (status 1 if any was rejected)."""
    path = Path(args.file)
    try:
        lines = count_entries(path)
    except ReplayFileError as error:
        raise CommandError(str(error)) from None
    settings = project_settings(MONGO_URI=args.uri, MONGO_DATABASE=args.database, MONGO_COLLECTION=args.collection)
    batch_size = args.batch_size or settings.getint("MONGO_BATCH_SIZE")
    if batch_size < 1:
        raise CommandError(f"--batch-size must be at least 1, not {batch_size}")
    try:
        client = open_server(settings)
    except MongoUnavailable as error:
        raise CommandError(str(error)) from None
    with client:
        collection = client[settings.get("MONGO_DATABASE")][settings.get("MONGO_COLLECTION")]
        # Keyed by _id = URL key, like the crawl writes (an earlier schema is migrated first).
        for warning in prepare_articles(collection):
            print(warning, file=sys.stderr)
        writer = ArticleWriter(
            collection,
            max_document_size=max_document_size(client),
            retry_times=settings.getint("MONGO_RETRY_TIMES"),
            retry_backoff=settings.getfloat("MONGO_RETRY_BACKOFF"),
        )
        try:
            summary = replay(path, writer, batch_size)
        except ReplayFileError as error:  # the file changed since it was checked
            raise CommandError(str(error)) from None
    for url, reason in summary.result.rejected:
        print(f"rejected {url}: {reason}", file=sys.stderr)
    counts = summary.counts()
    print(f"{path}: " + ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items()))
    if summary.not_written:
        raise CommandError(
            f"MongoDB failed ({summary.result.error}): {summary.not_written} of {lines} articles not written;"
            " run the replay again once it is back"
        )
    return 1 if summary.result.rejected else 0

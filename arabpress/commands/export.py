"""Export stored articles from MongoDB as JSON Lines or CSV."""

from __future__ import annotations

import argparse
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TextIO

from pymongo.errors import PyMongoError

from arabpress.commands import CommandError
from arabpress.storage.connection import MongoUnavailable, describe_error, open_server, project_settings, redact_uri
from arabpress.storage.export import FORMATS, export_query, iter_articles, parse_since, write_csv, write_jsonl


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the export options."""
    parser.add_argument("--since", required=True, metavar="DATE", help="articles published on or after DATE (UTC)")
    parser.add_argument("--language", choices=("en", "ar"), help="only articles in this language")
    parser.add_argument("--format", choices=FORMATS, default="jsonl", help="output format (default: jsonl)")
    parser.add_argument("--output", metavar="FILE", help="write here instead of standard output")
    parser.add_argument("--uri", help="MongoDB URI (default: MONGO_URI)")
    parser.add_argument("--database", help="database (default: MONGO_DATABASE)")
    parser.add_argument("--collection", help="articles collection (default: MONGO_COLLECTION)")
    parser.add_argument("--batch-size", type=int, default=500, help="documents per round trip (default: 500)")


def run(args: argparse.Namespace) -> int:
    """Stream the matching articles to the output; print how many to standard error."""
    try:
        since = parse_since(args.since)
    except ValueError as error:
        raise CommandError(f"--since: {error}") from None
    if args.batch_size < 1:
        raise CommandError(f"--batch-size must be at least 1, not {args.batch_size}")
    settings = project_settings(MONGO_URI=args.uri, MONGO_DATABASE=args.database, MONGO_COLLECTION=args.collection)
    try:
        client = open_server(settings)
    except MongoUnavailable as error:
        raise CommandError(str(error)) from None
    output = Path(args.output) if args.output else None
    # Written beside the target and renamed at the end: a failed export leaves no half file.
    partial = output.with_name(output.name + ".part") if output else None
    query = export_query(since, args.language)
    write = write_csv if args.format == "csv" else write_jsonl
    try:
        with client, ExitStack() as stack:
            out: TextIO = sys.stdout
            if partial is not None:
                out = stack.enter_context(partial.open("w", encoding="utf-8", newline=""))
            collection = client[settings.get("MONGO_DATABASE")][settings.get("MONGO_COLLECTION")]
            count = write(iter_articles(collection, query, args.batch_size), out)
        if partial is not None and output is not None:
            partial.replace(output)
    except BaseException as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        if isinstance(error, PyMongoError):
            where = redact_uri(str(settings.get("MONGO_URI")))
            raise CommandError(f"MongoDB at {where} failed during the export: {describe_error(error)}") from None
        if isinstance(error, OSError):
            raise CommandError(f"cannot write {output or 'standard output'}: {error.strerror or error}") from None
        raise
    print(f"exported {count} articles{f' to {output}' if output else ''}", file=sys.stderr)
    return 0

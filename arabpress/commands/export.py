"""Export stored articles from MongoDB as JSON Lines or CSV.

Exit status: 0 when articles were exported, 1 when none matched (the line says how many
the collection holds), 2 on an error.
"""

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

# Exit status when no article matched: a copied command aimed at the wrong database or
# filter must not pass for a successful export.
NONE_MATCHED = 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the export options."""
    parser.add_argument(
        "--since", metavar="DATE", help="only articles published on or after DATE (UTC); default: every article"
    )
    parser.add_argument(
        "--include-undated",
        action="store_true",
        help="with --since, also the articles that have no publication date",
    )
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
        since = parse_since(args.since) if args.since is not None else None
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
    query = export_query(since, args.language, args.include_undated)
    database, collection_name = settings.get("MONGO_DATABASE"), settings.get("MONGO_COLLECTION")
    where = f"{database}.{collection_name} at {redact_uri(str(settings.get('MONGO_URI')))}"
    write = write_csv if args.format == "csv" else write_jsonl
    try:
        with client, ExitStack() as stack:
            out: TextIO = sys.stdout
            if partial is not None:
                out = stack.enter_context(partial.open("w", encoding="utf-8", newline=""))
            collection = client[database][collection_name]
            count = write(iter_articles(collection, query, args.batch_size), out)
            held = collection.estimated_document_count() if count == 0 else count
        if partial is not None and output is not None:
            partial.replace(output)
    except BaseException as error:
        if partial is not None:
            partial.unlink(missing_ok=True)
        if isinstance(error, PyMongoError):
            server = redact_uri(str(settings.get("MONGO_URI")))
            raise CommandError(f"MongoDB at {server} failed during the export: {describe_error(error)}") from None
        if isinstance(error, OSError):
            raise CommandError(f"cannot write {output or 'standard output'}: {error.strerror or error}") from None
        raise
    if count == 0:
        print(f"exported 0 articles: none matched in {where} (it holds {held} articles)", file=sys.stderr)
        return NONE_MATCHED
    print(f"exported {count} articles from {where}{f' to {output}' if output else ''}", file=sys.stderr)
    return 0

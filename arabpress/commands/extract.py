"""Print, as JSON, the article one saved page or URL would store, or a manifest's (no database)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import BinaryIO

from itemadapter import ItemAdapter
from scrapy.http import HtmlResponse

from arabpress.batch import extract_manifest
from arabpress.commands import CommandError
from arabpress.offline import (
    build_pipelines,
    extract_response,
    html_problem,
    json_value,
    make_crawler,
    offline_settings,
)

FETCH_TIMEOUT = 30
# Bytes read at a time from a file or a fetched page, so an oversized one is refused early.
READ_CHUNK = 64 * 1024


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the command's arguments."""
    parser.add_argument("source", nargs="?", help="a saved HTML file, or an http(s) URL to fetch")
    parser.add_argument("--url", help="the page's address, for a saved file (default: its canonical link)")
    parser.add_argument("--content-type", help="the Content-Type the server sent with a saved file")
    parser.add_argument("--manifest", type=Path, help="instead of one page: a JSON-lines list of saved pages")
    parser.add_argument("--output", type=Path, help="with --manifest: the JSON-lines file to write, a line per page")


def run(args: argparse.Namespace) -> int:
    """Extract the page and print the article, or the reason there is none."""
    if args.manifest is not None or args.output is not None:
        return run_manifest(args)
    if args.source is None:
        raise CommandError("give a saved HTML file or URL, or --manifest")
    settings = offline_settings()
    response = load_response(args.source, args.url, args.content_type, settings.getint("DOWNLOAD_MAXSIZE"))
    check_html(response, args.source)
    crawler = make_crawler(settings)
    outcome = extract_response(response, build_pipelines(crawler))
    if outcome.item is None:
        print(outcome.reason, file=sys.stderr)
        return 1
    print(json.dumps(ItemAdapter(outcome.item).asdict(), ensure_ascii=False, indent=2, default=json_value))
    return 0


def load_response(source: str, url: str | None, content_type: str | None, max_size: int = 0) -> HtmlResponse:
    """Read a saved file or fetch a URL into a response Scrapy would build, refusing more than *max_size* bytes."""
    if source.startswith(("http://", "https://")):
        return fetch(source, max_size)
    headers = {"Content-Type": content_type} if content_type else {}
    response = HtmlResponse(url or Path(source).resolve().as_uri(), body=read_file(source, max_size), headers=headers)
    if url is None:
        # Relative links must resolve against the page's own address, which a saved
        # file only knows through its canonical link (or og:url).
        canonical = response.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content").get("")
        if canonical.startswith(("http://", "https://")):
            response = response.replace(url=canonical)
    return response


def read_file(source: str, max_size: int) -> bytes:
    """Return the bytes of the saved file *source*, or raise CommandError (missing, a folder, too large)."""
    path = Path(source)
    if path.is_dir():
        raise CommandError(f"{source} is a directory, not a saved page")
    if not path.is_file():
        raise CommandError(f"no such file: {source}")
    try:
        with path.open("rb") as handle:
            return read_capped(handle, max_size, source)
    except OSError as error:
        raise CommandError(f"cannot read {source}: {error.strerror or error}") from None


def read_capped(stream: BinaryIO, max_size: int, source: str) -> bytes:
    """Read *stream* a chunk at a time; raise CommandError past *max_size* bytes (0: no cap), as the crawl would."""
    chunks = []
    size = 0
    while chunk := stream.read(READ_CHUNK):
        size += len(chunk)
        if max_size and size > max_size:
            raise CommandError(f"{source} is larger than DOWNLOAD_MAXSIZE ({max_size} bytes), which a crawl refuses")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, max_size: int = 0) -> HtmlResponse:
    """Fetch *url* once, keeping the headers that matter for decoding and dates."""
    request = urllib.request.Request(url, headers={"User-Agent": "arabpress extract"})  # noqa: S310 - http(s) only
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as answer:  # noqa: S310 - http(s) only
            body = read_capped(answer, max_size, url)
            headers = {name: answer.headers[name] for name in ("Content-Type", "Date") if answer.headers[name]}
            return HtmlResponse(answer.geturl(), body=body, headers=headers, status=answer.status)
    except urllib.error.HTTPError as error:
        raise CommandError(f"{url} answered HTTP {error.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise CommandError(f"cannot fetch {url}: {reason}") from None


def check_html(response: HtmlResponse, source: str) -> None:
    """Raise CommandError when *response* is not decodable HTML."""
    problem = html_problem(response)
    if problem:
        raise CommandError(f"{source} {problem}")


def run_manifest(args: argparse.Namespace) -> int:
    """Extract every page of a manifest into the output file; 1 when some line could not be read."""
    if args.manifest is None or args.output is None or args.source is not None:
        raise CommandError("--manifest and --output go together, without a page")
    if not args.manifest.is_file():
        raise CommandError(f"no such manifest: {args.manifest}")
    try:
        with args.output.open("w", encoding="utf-8") as output:
            summary = extract_manifest(args.manifest, output)
    except OSError as error:
        raise CommandError(f"cannot write {args.output}: {error.strerror or error}") from None
    print(summary.line(), file=sys.stderr)
    return 1 if summary.bad_lines else 0

"""Crawl the bundled sample site into MongoDB and show what was stored.

The sample site is served on a free 127.0.0.1 port. The articles go to the MongoDB at
MONGO_URI, in a database of the demo's own (emptied first), or, when MONGO_URI is
unset, to a throwaway local server (mongod or FerretDB) that is deleted at exit unless
``--keep`` holds it open. The crawl runs as ``python -m scrapy crawl arabpress`` in a
child process, exactly as a scheduled crawl would.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

from arabpress.commands import CommandError
from arabpress.extensions.progress import drop_reasons
from arabpress.local.mongo import LocalMongo
from arabpress.local.process import ServerStartError, stop
from arabpress.local.site import SiteServer
from arabpress.storage.connection import Client, MongoUnavailable, open_server, project_settings, redact_uri

DEMO_DATABASE = "arabpress_demo"
NO_DATABASE = "no MongoDB: set MONGO_URI or run bash scripts/install-ferretdb.sh"
# How many of the newest articles the summary lists.
NEWEST = 5
SERVER_NAMES = {"ferretdb": "FerretDB", "mongod": "mongod"}
# Signals that end the demo as Ctrl-C (SIGINT) does, with its servers, crawl and temporary
# folder cleaned up: a service manager's stop, a closed terminal.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``arabpress demo``."""
    parser.add_argument(
        "--database",
        default=DEMO_DATABASE,
        help=f"database to write, emptied first (default {DEMO_DATABASE}; never the crawl's own MONGO_DATABASE)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="with the throwaway database (MONGO_URI unset): keep it running until Ctrl-C, to query it",
    )
    parser.add_argument("--timeout", type=float, default=300, help="seconds the crawl may take (default 300)")


class Progress:
    """One status line on stderr: rewritten in place on a terminal, printed on change elsewhere."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.last = ""

    def update(self, text: str) -> None:
        """Show *text* as the current status."""
        if text == self.last:
            return
        self.last = text
        if self.live:
            self.stream.write(f"\r\033[Karabpress demo: {text}")
        else:
            self.stream.write(f"arabpress demo: {text}\n")
        self.stream.flush()

    def done(self) -> None:
        """End the status line."""
        if self.live and self.last:
            self.stream.write("\n")
            self.stream.flush()
        self.last = ""


def run(args: argparse.Namespace) -> int:
    """Serve the sample site, crawl it into MongoDB and print a summary."""
    settings = project_settings()
    collection_name = settings.get("MONGO_COLLECTION")
    uri = os.environ.get("MONGO_URI", "")
    if args.database == settings.get("MONGO_DATABASE"):
        raise CommandError(f"--database {args.database} is the crawl's own database (MONGO_DATABASE): pick another")
    if args.keep and uri:
        raise CommandError(
            "--keep holds the throwaway database open; with MONGO_URI set the articles stay in it anyway"
        )
    if args.timeout <= 0:
        raise CommandError(f"--timeout must be positive, not {args.timeout}")
    progress = Progress()
    with ExitStack() as stack:
        for signum in STOP_SIGNALS:
            stack.callback(signal.signal, signum, signal.signal(signum, interrupt))
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="arabpress-demo-")))
        stack.callback(progress.done)
        throwaway = ""
        if not uri:
            progress.update("starting a throwaway MongoDB-compatible server")
            uri, throwaway = start_local_mongo(stack)
        settings.set("MONGO_URI", uri, priority="cmdline")
        client = stack.enter_context(connect(settings))
        client.drop_database(args.database)
        progress.update("serving the bundled sample site")
        site = stack.enter_context(SiteServer(request_log=workdir / "requests.log"))
        stats = crawl(site, uri, args.database, workdir, progress, args.timeout, stack)
        collection = client[args.database][collection_name]
        progress.done()
        if not print_summary(collection, stats, redact_uri(uri), args.database, throwaway):
            raise CommandError(
                f"the crawl stored no articles: {stats.get('demo_last_error', 'its log shows no error')}"
            )
        print_query_help(uri, args.database, collection_name, throwaway, args.keep)
        if throwaway and args.keep:
            hold_open()
    return 0


def interrupt(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt for a stop signal, so that every cleanup of the demo runs."""
    raise KeyboardInterrupt


def start_local_mongo(stack: ExitStack) -> tuple[str, str]:
    """Start a throwaway server stopped with *stack*; return its URI and kind, or raise CommandError."""
    server = LocalMongo()
    try:
        uri = server.start()
    except FileNotFoundError:
        raise CommandError(NO_DATABASE) from None
    except ServerStartError as error:
        raise CommandError(f"{NO_DATABASE} (the local server did not start: {error})") from None
    stack.callback(server.stop)
    return uri, server.kind


def connect(settings: Any) -> Client:
    """Return a client of the server at MONGO_URI that answered a ping, or raise CommandError."""
    try:
        return open_server(settings)
    except MongoUnavailable as error:
        raise CommandError(str(error)) from None


def crawl(
    site: SiteServer, uri: str, database: str, workdir: Path, progress: Progress, timeout: float, stack: ExitStack
) -> dict[str, Any]:
    """Crawl *site* into *database* in a child process, showing progress; return the crawl's stats."""
    stats_file = workdir / "stats.json"
    log_file = workdir / "crawl.log"
    command = [sys.executable, "-m", "scrapy", "crawl", "arabpress", "-a", f"base_url={site.origin}"]
    for name, value in {
        "AUTOTHROTTLE_ENABLED": "False",  # the site is on this machine: no politeness delay
        "TELNETCONSOLE_ENABLED": "False",
        "ARABPRESS_STATS_FILE": str(stats_file),
        "MONGO_FLUSH_INTERVAL": "1",
    }.items():
        command += ["-s", f"{name}={value}"]
    command += ["--logfile", str(log_file), "--loglevel", "INFO"]
    # The database goes by the environment, not the command line, where ps would show a password.
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "arabpress.settings", "MONGO_ENABLED": "1"}
    env.update(MONGO_URI=uri, MONGO_DATABASE=database)
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stack.callback(stop, process)
    requests_log = workdir / "requests.log"
    while process.poll() is None:
        elapsed = time.monotonic() - started
        if elapsed > timeout:
            raise CommandError(f"the crawl did not finish within {timeout:.0f}s")
        pages = count_lines(requests_log)
        state = f"{pages} pages fetched" if pages else "starting Scrapy"
        progress.update(f"crawling {site.origin}: {state} ({elapsed:.0f}s)")
        time.sleep(0.25)
    assert process.stderr is not None
    errors = process.stderr.read().decode("utf-8", "replace")
    if process.returncode != 0 or not stats_file.is_file():
        reason = last_error(log_file, errors)
        raise CommandError(f"the crawl failed (exit status {process.returncode}): {reason}")
    stats: dict[str, Any] = json.loads(stats_file.read_text(encoding="utf-8"))
    stats["demo_seconds"] = time.monotonic() - started
    stats["demo_pages"] = count_lines(requests_log)
    if stats.get("log_count/ERROR"):
        stats["demo_last_error"] = last_error(log_file, errors)
    return stats


def count_lines(path: Path) -> int:
    """Return the number of lines in *path* (0 when it does not exist yet)."""
    if not path.is_file():
        return 0
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def last_error(log_file: Path, stderr: str) -> str:
    """Return the last ERROR line of the crawl's log (or its stderr), for a one-line message."""
    text = log_file.read_text(encoding="utf-8", errors="replace") if log_file.is_file() else ""
    lines = [line for line in (text + "\n" + stderr).splitlines() if line.strip()]
    errors = [line for line in lines if " ERROR: " in line or line.startswith(("Error", "error"))]
    chosen = errors[-1] if errors else (lines[-1] if lines else "no output")
    return chosen.split(" ERROR: ", 1)[-1].strip()


def print_summary(collection: Any, stats: dict[str, Any], where: str, database: str, throwaway: str) -> int:
    """Print what the crawl stored (counts by language and section, the newest titles, the drops); return the count."""
    documents = list(collection.find({}, {"language": 1, "section": 1, "title": 1, "published_at": 1}))
    kind = f" (a throwaway {SERVER_NAMES.get(throwaway, throwaway)} server, deleted at exit)" if throwaway else ""
    print(f"Stored {len(documents)} articles in {database}.{collection.name} at {where}{kind}.")
    if documents:
        print(f"  by language: {counts(doc.get('language') for doc in documents)}")
        print(f"  by section:  {counts(doc.get('section') for doc in documents)}")
        print("  newest:")
        dated = sorted(documents, key=lambda doc: doc.get("published_at") or datetime.min, reverse=True)
        for doc in dated[:NEWEST]:
            published = doc.get("published_at")
            when = (
                published.strftime("%Y-%m-%d %H:%M UTC") if isinstance(published, datetime) else "(no date)".ljust(20)
            )
            print(f"    {when}  {doc.get('language', '?')}  {doc.get('title', '')}")
    dropped = drop_reasons(stats)
    print(f"  dropped:     {stats.get('item_dropped_count', 0)}{f' ({dropped})' if dropped else ''}")
    print(
        f"Crawled {stats.get('demo_pages', 0)} pages in {stats.get('demo_seconds', 0):.1f}s"
        f" (finish reason: {stats.get('finish_reason', 'unknown')})."
    )
    if stats.get("log_count/ERROR"):
        print(f"The crawl logged {stats['log_count/ERROR']} errors; the last: {stats.get('demo_last_error', '?')}")
    return len(documents)


def counts(values: Any) -> str:
    """Return ``value count`` pairs, most frequent first."""
    counter = Counter(str(value) if value else "(none)" for value in values)
    return ", ".join(f"{value} {count}" for value, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))


def print_query_help(uri: str, database: str, collection: str, throwaway: str, keep: bool) -> None:
    """Tell how to look at the stored articles."""
    shown = redact_uri(uri)
    print("\nQuery it:")
    print(
        f"  python -c \"import pymongo; db = pymongo.MongoClient('{shown}')['{database}'];"
        f" print(db['{collection}'].find_one({{'language': 'ar'}}, {{'title': 1, 'url': 1}}))\""
    )
    print(f"  arabpress export --uri '{shown}' --database {database} --format csv --output articles.csv")
    # docs/querying.md's examples and the commands read these: set, they work as written there.
    print(f"  export MONGO_URI='{shown}' MONGO_DATABASE={database}   # for the examples of docs/querying.md")
    if throwaway and not keep:
        print("The throwaway database is deleted now; run `arabpress demo --keep` to query it before it goes.")


def hold_open() -> None:
    """Wait for Ctrl-C (or SIGTERM, SIGHUP) while the throwaway database stays up."""
    print("The database stays up until you press Ctrl-C.", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("\nStopping the throwaway database.", file=sys.stderr)

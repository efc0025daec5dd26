"""Faults a long crawl meets, each played against a generated site, and what was lost (it must be nothing).

Scenarios (each bounded in time; the database is checked against the site's manifest.json):

  mongo-stop    MongoDB stopped for 30 s in the middle of a crawl, then started again on the
                same data: every article stored once, directly or through `arabpress replay`
  kill-resume   the crawl killed with SIGKILL at a seeded random point and started again with
                the same JOBDIR: no article missing, none twice
  second-crawl  a second scheduled crawl of the unchanged site: article pages fetched again
                (target 0) and its time against the first crawl
  bad-pages     the site with make_site.py --bad-pages: the crawl finishes, each bad page is
                counted under its own stats key, and no good article is lost

The database is a local FerretDB (or mongod) on a fixed data folder and port, so that it
can be stopped and started again. Usage::

    python -m benchmarks.faults                        # every scenario, 300 articles
    python -m benchmarks.faults --scenario bad-pages --articles 2000 --no-write
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pymongo

from arabpress.local.mongo import FERRETDB_HINT, find_binary
from arabpress.local.process import free_port, port_open, start, stop, wait_until
from arabpress.local.site import SiteServer
from benchmarks.run import OUTPUTS, PROJECT_ROOT, RESULTS, ensure_site, machine, scrapy_command, table, write_section

# Small enough for every scenario to run in minutes (--articles for more).
DEFAULT_ARTICLES = 300
DEFAULT_SEED = 1
OUTAGE_SECONDS = 30.0
CRAWL_TIMEOUT = 900.0  # seconds: any crawl still running then is killed and the scenario fails
SCENARIOS = ("mongo-stop", "kill-resume", "second-crawl", "bad-pages")
DATABASE = "arabpress_faults"

# Stats keys that tell what became of each kind of bad page (make_site.py's kinds).
BAD_PAGE_KEYS = {
    "truncated": [
        "arabpress/pages/truncated",
        "downloader/exception_type_count/scrapy.exceptions.ResponseDataLossError",
    ],
    "too_large": ["downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError"],
    "windows_1256": ["arabpress/encoding/detected/cp1256", "arabpress/encoding/detected/windows-1256"],
    "binary": ["arabpress/pages/binary"],
    "redirect_loop": ["downloader/response_status_count/301", "downloader/response_status_count/302"],
    "http_500": ["httperror/response_ignored_status_count/500", "retry/max_reached"],
    "busy": ["arabpress/retry_after/delayed", "retry/reason_count/429 Unknown Status"],
    "invalid_jsonld": ["arabpress/pages/invalid_jsonld"],
}


# Fields of each stored article compared with the manifest's expectations.
CHECKED_FIELDS = ("title", "language", "section", "authors", "published_at")


# --- servers ----------------------------------------------------------------------------------


class RestartableMongo:
    """A local FerretDB (or mongod) whose data folder and port survive a stop and a start."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.kind = "mongod" if find_binary("mongod") else "ferretdb"

    @property
    def uri(self) -> str:
        """Return the server's MongoDB URI."""
        return f"mongodb://127.0.0.1:{self.port}/"

    def command(self) -> list[str]:
        """Return the server's command line, on the same data folder and port every time."""
        binary = find_binary(self.kind)
        if binary is None:
            raise SystemExit(f"no MongoDB-compatible server: {FERRETDB_HINT}")
        data = self.root / "data"
        data.mkdir(parents=True, exist_ok=True)
        if self.kind == "mongod":
            return [binary, "--bind_ip", "127.0.0.1", "--port", str(self.port), "--dbpath", str(data)]
        return [binary, "--handler=sqlite", f"--sqlite-url=file:{data}/", f"--listen-addr=127.0.0.1:{self.port}"]

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        log = self.root / "server.log"
        self.process = start(self.command(), log=log)
        wait_until(lambda: port_open(self.port), self.process, 60, self.kind, log)

    def stop(self) -> None:
        """Stop the server (its data stays)."""
        if self.process is not None:
            stop(self.process)
            self.process = None


@contextmanager
def mongo_server(root: Path) -> Iterator[RestartableMongo]:
    """Yield a started restartable server; stop it afterwards."""
    server = RestartableMongo(root)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def client(uri: str) -> pymongo.MongoClient[dict[str, Any]]:
    """Return a client that gives up quickly when the server is away."""
    return pymongo.MongoClient(uri, serverSelectionTimeoutMS=3000)


def stored(uri: str) -> list[dict[str, Any]]:
    """Return the stored articles' url and the fields the manifest states."""
    projection = dict.fromkeys(("url", *CHECKED_FIELDS), 1) | {"_id": 0}
    with client(uri) as connection:
        return list(connection[DATABASE]["articles"].find({}, projection))


def stored_count(uri: str) -> int:
    """Return how many articles are stored (-1 while the server does not answer)."""
    try:
        with client(uri) as connection:
            return int(connection[DATABASE]["articles"].estimated_document_count())
    except pymongo.errors.PyMongoError:
        return -1


# --- crawls -----------------------------------------------------------------------------------


@dataclass
class Crawl:
    """A crawl process started in the background."""

    workdir: Path
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)

    def wait(self, timeout: float = CRAWL_TIMEOUT) -> int:
        """Wait for the crawl to end (killed after *timeout* seconds); return its exit status."""
        try:
            return self.process.wait(max(timeout - (time.monotonic() - self.started), 1))
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()

    def stats(self) -> dict[str, Any]:
        """Return the crawl's final stats (empty when it did not write them)."""
        path = self.workdir / "stats.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}

    def seconds(self) -> float:
        """Return how long the crawl has run."""
        return time.monotonic() - self.started


def start_crawl(base_url: str, workdir: Path, uri: str, settings: dict[str, str] | None = None) -> Crawl:
    """Start the full crawl of *base_url* into the faults database."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "stats.json").unlink(missing_ok=True)
    merged = {"MONGO_REPLAY_DIR": str(workdir / "replay"), "MONGO_FLUSH_INTERVAL": "1", **(settings or {})}
    env = {**os.environ, "MONGO_ENABLED": "1", "MONGO_URI": uri, "MONGO_DATABASE": DATABASE}
    command = scrapy_command("arabpress", base_url, workdir, merged)
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return Crawl(workdir, process)


def crawl(
    base_url: str, workdir: Path, uri: str, settings: dict[str, str] | None = None
) -> tuple[int, dict[str, Any], float]:
    """Run a full crawl to its end; return its exit status, stats and seconds."""
    running = start_crawl(base_url, workdir, uri, settings)
    status = running.wait()
    return status, running.stats(), running.seconds()


def wait_for(condition: Callable[[], bool], running: Crawl, timeout: float, what: str) -> None:
    """Poll *condition* while the crawl runs; raise when it ends or *timeout* passes first."""
    deadline = time.monotonic() + timeout
    while not condition():
        if running.process.poll() is not None:
            raise RuntimeError(f"the crawl ended before {what}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} within {timeout:.0f} s")
        time.sleep(0.25)


# --- checking ---------------------------------------------------------------------------------


@dataclass
class Check:
    """The stored articles against the manifest."""

    expected: int
    stored: int
    missing: list[str]
    duplicated: list[str]
    unexpected: list[str]
    wrong: list[str]  # "path: field, field" of stored articles whose fields differ from the manifest

    @property
    def lost(self) -> int:
        """Return how many expected articles are missing or wrong."""
        return len(self.missing) + len(self.wrong)

    def line(self) -> str:
        """Say what the database holds against the manifest."""
        parts = [f"{self.stored} stored of {self.expected} expected", f"{len(self.missing)} missing"]
        parts += [f"{len(self.duplicated)} twice", f"{len(self.unexpected)} unexpected"]
        parts += [f"{len(self.wrong)} with a field unlike the manifest ({', '.join(CHECKED_FIELDS)})"]
        examples = (self.missing + self.duplicated + self.unexpected + self.wrong)[:3]
        return ", ".join(parts) + (f" (e.g. {', '.join(examples)})" if examples else "")


def expected_articles(site: Path) -> dict[str, dict[str, Any]]:
    """Return {path: manifest entry} of every article the manifest says a crawl must store."""
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    entries = {entry["path"]: entry for entry in manifest["articles"]}
    return entries | {entry["path"]: entry for entry in manifest["bad_pages"] if entry["expect"] == "article"}


def as_manifest(value: Any) -> Any:
    """Write a stored value as the manifest does (dates in UTC with a Z)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def wrong_fields(document: dict[str, Any], entry: dict[str, Any]) -> list[str]:
    """Return the checked fields of a stored article that differ from its manifest entry."""
    return [name for name in CHECKED_FIELDS if name in entry and as_manifest(document.get(name)) != entry[name]]


def check(uri: str, site: Path) -> Check:
    """Compare the stored articles with the manifest."""
    expected = expected_articles(site)
    documents = stored(uri)
    paths = Counter(urlsplit(document["url"]).path for document in documents)
    by_path = {urlsplit(document["url"]).path: document for document in documents}
    wrong = {path: wrong_fields(by_path[path], entry) for path, entry in expected.items() if path in by_path}
    return Check(
        expected=len(expected),
        stored=len(documents),
        missing=sorted(set(expected) - set(paths)),
        duplicated=sorted(path for path, count in paths.items() if count > 1),
        unexpected=sorted(set(paths) - set(expected)),
        wrong=sorted(f"{path}: {', '.join(fields)}" for path, fields in wrong.items() if fields),
    )


# --- scenarios --------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What one scenario did and what it lost."""

    name: str
    lines: list[str]
    check: Check | None
    passed: bool
    seconds: float

    def verdict(self) -> str:
        """Return the scenario's verdict in words."""
        return "nothing lost" if self.passed else "**FAILED**"


def say(lines: list[str], text: str) -> None:
    """Print a line of a scenario and keep it for the report."""
    print(f"    {text}", flush=True)
    lines.append(text)


# Stats quoted in the scenarios' lines, by the words that name them.
OUTCOME_KEYS = {"items": "item_scraped_count", "errors logged": "log_count/ERROR", "pages": "response_received_count"}
PAGE_KEYS = {
    "pages": "response_received_count",
    "article pages": "arabpress/pages/article",
    "skipped as stored": "arabpress/incremental/skipped",
}
MONGO_KEYS = {"inserted": "mongo/inserted", "unchanged": "mongo/unchanged", "kept for replay": "mongo/replayed_items"}


def summary(stats: dict[str, Any], **keys: str) -> str:
    """Return "value words" for each stats key, e.g. "12 items, 0 errors logged"."""
    return ", ".join(f"{stats.get(key, 0)} {words}" for words, key in keys.items())


def replay_files(workdir: Path) -> list[Path]:
    """Return the replay files a crawl left."""
    return sorted((workdir / "replay").glob("*.jsonl"))


def run_replay(path: Path, uri: str) -> str:
    """Run `arabpress replay` on *path*; return its last output line."""
    command = [sys.executable, "-m", "arabpress.cli", "replay", str(path), "--uri", uri, "--database", DATABASE]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)
    output = (done.stdout + done.stderr).strip().splitlines()
    return f"exit {done.returncode}: {output[-1] if output else ''}"


def mongo_stop(site: Path, work: Path, seed: int) -> Outcome:
    """Stop the database for 30 s in the middle of a crawl, start it again, replay what was kept."""
    lines: list[str] = []
    expected = len(expected_articles(site))
    # One request at a time with a small delay: the crawl lasts long enough to outlive the outage.
    slow = {"CONCURRENT_REQUESTS": "2", "DOWNLOAD_DELAY": "0.2", "MONGO_RETRY_TIMES": "2"}
    with mongo_server(work / "db") as database, SiteServer(site) as server:
        running = start_crawl(server.origin, work / "crawl", database.uri, slow)
        threshold = max(expected // 5, 1)
        wait_for(lambda: stored_count(database.uri) >= threshold, running, 300, f"{threshold} stored articles")
        before = stored_count(database.uri)
        database.stop()
        say(lines, f"stopped {database.kind} after {before} articles stored, {running.seconds():.0f} s into the crawl")
        time.sleep(OUTAGE_SECONDS)
        database.start()
        say(
            lines,
            f"started it again on the same data after {OUTAGE_SECONDS:.0f} s: {stored_count(database.uri)} stored",
        )
        status = running.wait()
        stats = running.stats()
        say(
            lines,
            f"crawl exit {status} ({stats.get('finish_reason')}): " + summary(stats, **OUTCOME_KEYS, **MONGO_KEYS),
        )
        say(lines, f"after the crawl: {check(database.uri, site).line()}")
        for path in replay_files(running.workdir):
            say(lines, f"arabpress replay {path.name}: {run_replay(path, database.uri)}")
        result = check(database.uri, site)
    say(lines, f"in the end: {result.line()}")
    passed = status == 0 and not result.lost and not result.duplicated
    return Outcome("mongo-stop", lines, result, passed, running.seconds())


def kill_resume(site: Path, work: Path, seed: int) -> Outcome:
    """Kill the crawl with SIGKILL at a seeded random point, resume it with the same JOBDIR."""
    lines: list[str] = []
    expected = len(expected_articles(site))
    point = random.Random(seed).randint(expected // 10, expected * 8 // 10)
    jobdir = work / "jobdir"
    started = time.monotonic()
    with mongo_server(work / "db") as database, SiteServer(site) as server:
        running = start_crawl(server.origin, work / "killed", database.uri, {"JOBDIR": str(jobdir)})
        wait_for(lambda: stored_count(database.uri) >= point, running, 300, f"{point} stored articles")
        running.process.send_signal(signal.SIGKILL)
        running.process.wait()
        killed_at = stored_count(database.uri)
        say(lines, f"SIGKILL after {killed_at} articles stored (seeded point {point}), {running.seconds():.0f} s in")
        status, stats, seconds = crawl(server.origin, work / "resumed", database.uri, {"JOBDIR": str(jobdir)})
        say(
            lines,
            f"resumed with the same JOBDIR: exit {status} in {seconds:.0f} s: "
            + summary(stats, **PAGE_KEYS, **MONGO_KEYS),
        )
        result = check(database.uri, site)
    say(lines, f"in the end: {result.line()}")
    passed = status == 0 and not result.lost and not result.duplicated
    return Outcome("kill-resume", lines, result, passed, time.monotonic() - started)


def second_crawl(site: Path, work: Path, seed: int) -> Outcome:
    """Crawl the site twice, unchanged: the second crawl must fetch no article page."""
    lines: list[str] = []
    started = time.monotonic()
    with mongo_server(work / "db") as database, SiteServer(site) as server:
        status, stats, first = crawl(server.origin, work / "first", database.uri)
        say(lines, f"first crawl: exit {status} in {first:.0f} s: " + summary(stats, **PAGE_KEYS, **MONGO_KEYS))
        status2, stats2, second = crawl(server.origin, work / "second", database.uri)
        fetched = int(stats2.get("arabpress/pages/article", 0))
        say(lines, f"second crawl: exit {status2} in {second:.0f} s ({second / first:.0%} of the first): "
                   + summary(stats2, **PAGE_KEYS, **MONGO_KEYS))  # fmt: skip
        result = check(database.uri, site)
    say(lines, f"in the end: {result.line()}")
    passed = status == status2 == 0 and fetched == 0 and not result.lost and not result.duplicated
    return Outcome("second-crawl", lines, result, passed, time.monotonic() - started)


def bad_pages(site: Path, work: Path, seed: int) -> Outcome:
    """Crawl the site with its bad pages: each counted under its own key, no good article lost."""
    lines: list[str] = []
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    with mongo_server(work / "db") as database, SiteServer(site) as server:
        status, stats, seconds = crawl(server.origin, work / "crawl", database.uri)
        say(
            lines,
            f"crawl: exit {status} ({stats.get('finish_reason')}) in {seconds:.0f} s: "
            + summary(stats, **OUTCOME_KEYS),
        )
        stored_paths = {urlsplit(document["url"]).path: document.get("title") for document in stored(database.uri)}
        for kind in dict.fromkeys(entry["kind"] for entry in manifest["bad_pages"]):
            entries = [entry for entry in manifest["bad_pages"] if entry["kind"] == kind]
            counted = {key: stats[key] for key in BAD_PAGE_KEYS.get(kind, []) if key in stats}
            fates = [bad_page_fate(entry, stored_paths) for entry in entries]
            say(lines, f"{kind} ({len(entries)}): {'; '.join(dict.fromkeys(fates))}; stats {counted or 'none'}")
        result = check(database.uri, site)
    say(lines, f"in the end: {result.line()}")
    passed = status == 0 and not result.lost and not result.duplicated and not result.unexpected
    return Outcome("bad-pages", lines, result, passed, seconds)


def bad_page_fate(entry: dict[str, Any], stored_paths: dict[str, Any]) -> str:
    """Say whether a bad page ended as its manifest expects."""
    is_stored = entry["path"] in stored_paths
    if entry["expect"] == "article":
        if not is_stored:
            return "NOT stored (expected stored)"
        return "stored, right title" if stored_paths[entry["path"]] == entry.get("title") else "stored, WRONG title"
    return f"STORED (expected {entry['expect']})" if is_stored else f"not stored, as expected ({entry['expect']})"


RUNNERS: dict[str, Callable[[Path, Path, int], Outcome]] = {
    "mongo-stop": mongo_stop,
    "kill-resume": kill_resume,
    "second-crawl": second_crawl,
    "bad-pages": bad_pages,
}


# --- report -----------------------------------------------------------------------------------


def render(outcomes: Sequence[Outcome], articles: int, seed: int, started: datetime, command: str) -> str:
    """Return the Markdown section of this run."""
    rows = [
        [outcome.name, "<br>".join(outcome.lines), str(outcome.check.lost if outcome.check else "-"),
         str(len(outcome.check.duplicated) if outcome.check else "-"), outcome.verdict(), f"{outcome.seconds:.0f}"]
        for outcome in outcomes
    ]  # fmt: skip
    return "\n".join([
        f"Run of `{command}` on {started:%Y-%m-%d %H:%M} UTC: sites of {articles:,} articles, seed {seed}.",
        "",
        *machine(),
        "",
        table(["scenario", "what happened", "lost", "twice", "verdict", "seconds"], rows),
    ])  # fmt: skip


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.faults", description=__doc__.splitlines()[0] if __doc__ else None
    )
    parser.add_argument(
        "--articles", type=int, default=DEFAULT_ARTICLES, help=f"site size (default {DEFAULT_ARTICLES})"
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the kill point (default 1)")
    parser.add_argument("--scenario", action="append", choices=SCENARIOS, help="run only this scenario (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/RESULTS.md alone")
    return parser.parse_args(argv)  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Run the scenarios and report them; exit 1 when any lost something."""
    args = parse_args(argv)
    if os.environ.get("MONGO_URI"):
        print("faults: MONGO_URI is ignored: the scenarios stop and start a local server of their own", flush=True)
    started = datetime.now(UTC)
    out = OUTPUTS / f"faults-{started:%Y%m%d-%H%M%S}"
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    outcomes = []
    for name in args.scenario or SCENARIOS:
        site = ensure_site(args.articles, bad_pages=name == "bad-pages")
        print(f"{name} ({site.name}):", flush=True)
        work = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=out.parent if out.parent.is_dir() else None))
        try:
            outcome = RUNNERS[name](site, work, args.seed)
        except RuntimeError as error:
            outcome = Outcome(name, [f"scenario broke off: {error}"], None, False, 0.0)
            print(f"    {outcome.lines[0]}", flush=True)
        finally:
            keep = out / name
            keep.mkdir(parents=True, exist_ok=True)
            for log in work.glob("*/crawl.log"):
                shutil.copy(log, keep / f"{log.parent.name}.log")
            shutil.rmtree(work, ignore_errors=True)
        outcomes.append(outcome)
        print(f"  -> {outcome.verdict()}", flush=True)
    command = "python -m benchmarks.faults " + " ".join(argv if argv is not None else sys.argv[1:])
    text = render(outcomes, args.articles, args.seed, started, command.strip())
    print("\n" + text)
    (out / "report.md").write_text(text + "\n", encoding="utf-8")
    if not args.no_write:
        write_section(RESULTS, "faults.py", text)
        print(f"\nwritten to {RESULTS}")
    return 0 if all(outcome.passed for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

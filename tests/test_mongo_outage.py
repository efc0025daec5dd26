"""The database stopped in the middle of a crawl and started again: no article is lost."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from arabpress.cli import main
from arabpress.local.mongo import FERRETDB_HINT, find_binary
from arabpress.local.process import free_port, port_open, start, stop, wait_until
from arabpress.local.site import SiteServer
from arabpress.storage.replay import read_entries
from tests.crawl import CrawlResult, run_crawl
from tests.storage_helpers import client_for


class RestartableMongo:
    """A local mongod or FerretDB that keeps its port and data across stop and start."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.uri = f"mongodb://127.0.0.1:{self.port}/"
        self.process = None
        mongod, ferretdb = find_binary("mongod"), find_binary("ferretdb")
        if mongod is not None:
            self.command = [mongod, "--bind_ip", "127.0.0.1", "--port", str(self.port), "--dbpath", str(root)]
        elif ferretdb is not None:
            (root / "sqlite").mkdir(parents=True)
            self.command = [
                ferretdb,
                "--handler=sqlite",
                f"--sqlite-url=file:{root}/sqlite/",
                f"--listen-addr=127.0.0.1:{self.port}",
                "--log-level=warn",
            ]
        else:
            pytest.fail(f"no MongoDB-compatible server for the outage test: {FERRETDB_HINT}", pytrace=False)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self.process = start(self.command, log=self.root / "server.log")
        wait_until(lambda: port_open(self.port), self.process, 60, "database", self.root / "server.log")

    def stop(self) -> None:
        """Stop the server, keeping its data."""
        if self.process is not None:
            stop(self.process)
            self.process = None

    def crash(self) -> None:
        """Kill the server at once, as a crash or a lost host would, keeping its data.

        (On SIGTERM FerretDB goes on serving the connections already open.)
        """
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@pytest.fixture
def database_server(tmp_path: Path) -> Iterator[RestartableMongo]:
    """A restartable server of the test's own, stopped at the end."""
    server = RestartableMongo(tmp_path / "db")
    server.start()
    yield server
    server.stop()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll *condition* until true, or fail the test after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def stored_count(uri: str, database: str) -> int:
    """Return how many articles are stored (0 while the server cannot be asked)."""
    with client_for(uri) as client:
        return client[database]["articles"].count_documents({})


def test_a_database_outage_mid_crawl_loses_nothing(
    tmp_path: Path, sample_site: SiteServer, database_server: RestartableMongo, capsys: pytest.CaptureFixture[str]
) -> None:
    database = "arabpress_outage"
    replay_dir = tmp_path / "replay"
    settings = {
        "ARABPRESS_INCREMENTAL_ENABLED": "False",
        # Slow enough for the outage to fall in the middle of the crawl.
        "CONCURRENT_REQUESTS": "1",
        "DOWNLOAD_DELAY": "0.15",
        "RANDOMIZE_DOWNLOAD_DELAY": "False",
        "MONGO_BATCH_SIZE": "1",
        "MONGO_RETRY_TIMES": "1",
        "MONGO_RETRY_BACKOFF": "0.1",
        "MONGO_SERVER_SELECTION_TIMEOUT": "0.5",
        "MONGO_SOCKET_TIMEOUT": "2",
        "MONGO_REPLAY_DIR": str(replay_dir),
    }
    env = {"MONGO_ENABLED": "1", "MONGO_URI": database_server.uri, "MONGO_DATABASE": database}
    results: list[CrawlResult] = []
    crawl = threading.Thread(
        target=lambda: results.append(run_crawl(sample_site.origin, tmp_path / "crawl", settings=settings, env=env))
    )
    crawl.start()
    try:
        wait_for(lambda: stored_count(database_server.uri, database) >= 1, 60, "the first stored article")
        database_server.crash()
        wait_for(lambda: any(replay_dir.glob("*.jsonl")), 60, "the replay file")
        database_server.start()
    finally:
        crawl.join(timeout=180)
    assert results, "the crawl did not finish"
    result = results[0]
    assert result.returncode == 0, result.log[-3000:]
    crawl_id = result.stats["arabpress/crawl_id"]

    replay_file = replay_dir / f"arabpress-{crawl_id}.jsonl"
    assert result.stats["mongo/replay_file"] == str(replay_file)
    kept = [entry.url for entry in read_entries(replay_file)]
    assert len(kept) == result.stats["mongo/replayed_items"] >= 1
    assert f"kept in {replay_file} for `arabpress replay`" in result.log
    assert result.stats["mongo/inserted"] + len(kept) == len(result.items)
    assert stored_count(database_server.uri, database) == result.stats["mongo/inserted"]

    # The crawl record says the database does not hold everything yet.
    with client_for(database_server.uri) as client:
        record = client[database]["crawls"].find_one({"crawl_id": crawl_id})
    assert record is not None
    assert record["status"] == "failed"
    assert record["articles"]["not_written"] == len(kept)
    assert record["replay_file"] == str(replay_file)

    assert main(["replay", str(replay_file), "--uri", database_server.uri, "--database", database]) == 0
    assert f"{len(kept)} lines, {len(kept)} inserted" in capsys.readouterr().out
    with client_for(database_server.uri) as client:
        stored = {doc["url"]: doc for doc in client[database]["articles"].find()}
    assert set(stored) == result.urls()
    assert {doc["version"] for doc in stored.values()} == {1}
    assert {doc["crawl_id"] for doc in stored.values()} == {crawl_id}

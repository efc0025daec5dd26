"""Pause and resume: a crawl stopped with Ctrl-C, or killed, and started again with its JOBDIR."""

from __future__ import annotations

import signal
from collections.abc import Callable
from pathlib import Path

from arabpress.local.site import SiteServer
from tests.crawl import run_crawl
from tests.operations import ARTICLE_PATHS, CrawlProcess, mongo_env, requested_paths, stored_paths, wait_for

# Slow enough to be stopped part-way: one request at a time, a quarter second apart; the
# database writes each article within half a second.
SLOW = {"DOWNLOAD_DELAY": "0.25", "CONCURRENT_REQUESTS": "1", "MONGO_FLUSH_INTERVAL": "0.5"}


def interrupt(server: SiteServer, workdir: Path, jobdir: Path, uri: str, database: str, sig: int) -> CrawlProcess:
    """Start a slow crawl with *jobdir*; send it *sig* once it has stored one more article."""
    stored_before = len(stored_paths(uri, database, server.origin))
    crawl = CrawlProcess(server.origin, workdir, {**SLOW, "JOBDIR": str(jobdir)}, mongo_env(uri, database))
    wait_for(lambda: len(stored_paths(uri, database, server.origin)) > stored_before, crawl, 60, "stored article")
    crawl.process.send_signal(sig)
    crawl.wait(60)
    return crawl


def test_a_crawl_stopped_with_ctrl_c_resumes_where_it_stopped(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer], mongo_uri: str, mongo_database: str
) -> None:
    server = serve_site(site_copy)
    env = mongo_env(mongo_uri, mongo_database)
    jobdir = tmp_path / "job"
    # SIGINT once: Scrapy's graceful stop, as one Ctrl-C.
    crawl = interrupt(server, tmp_path / "stopped", jobdir, mongo_uri, mongo_database, signal.SIGINT)
    # Stopped before its end, the crawl fails its finish reason check: exit status 1.
    assert crawl.process.returncode == 1, crawl.log()[-3000:]
    assert crawl.stats()["finish_reason"] == "shutdown"
    assert 'Finished with "shutdown"' in crawl.log().strip().splitlines()[-1]
    stopped_with = stored_paths(mongo_uri, mongo_database, server.origin)
    assert 0 < len(stopped_with) < len(ARTICLE_PATHS)
    before = len(requested_paths(server))

    resumed = run_crawl(server.origin, tmp_path / "resumed", settings={"JOBDIR": str(jobdir)}, env=env)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "Resuming crawl (" in resumed.log
    assert resumed.stats["finish_reason"] == "finished"
    # Every article once in the database, none missing, none twice.
    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)
    # The resumed crawl went on from its queue: what the first run fetched was not fetched again.
    paths = requested_paths(server)
    first_run, second_run = paths[:before], paths[before:]
    assert not (set(first_run) & set(second_run)) - {"/robots.txt"}
    assert "/" in first_run and "/" not in second_run
    assert not (jobdir / "arabpress.running").exists()

    # Finished, it left no queue behind: the next scheduled run with the same JOBDIR starts
    # afresh (reading the start pages again) instead of finding every request already seen.
    assert not (jobdir / "requests.seen").exists()
    before = len(requested_paths(server))
    next_run = run_crawl(server.origin, tmp_path / "next", settings={"JOBDIR": str(jobdir)}, env=env)
    assert next_run.returncode == 0, next_run.log[-3000:]
    assert "Resuming crawl" not in next_run.log
    assert {"/", "/ar/", "/post-sitemap.xml"} <= set(requested_paths(server)[before:])
    assert next_run.stats["arabpress/incremental/skipped"] >= 1


def test_a_killed_crawl_starts_again_without_duplicates_or_gaps(
    tmp_path: Path, site_copy: Path, serve_site: Callable[[Path], SiteServer], mongo_uri: str, mongo_database: str
) -> None:
    server = serve_site(site_copy)
    env = mongo_env(mongo_uri, mongo_database)
    jobdir = tmp_path / "job"
    # Stopped cleanly once, then resumed and killed: the JOBDIR holds the queue state of
    # the clean stop, which no longer matches the queue files the killed run changed.
    crawl = interrupt(server, tmp_path / "stopped", jobdir, mongo_uri, mongo_database, signal.SIGINT)
    assert crawl.process.returncode == 1, crawl.log()[-3000:]  # stopped before its end: checks failed
    crawl = interrupt(server, tmp_path / "killed", jobdir, mongo_uri, mongo_database, signal.SIGKILL)
    assert crawl.process.returncode == -signal.SIGKILL
    killed_with = stored_paths(mongo_uri, mongo_database, server.origin)
    assert len(killed_with) < len(ARTICLE_PATHS)
    assert (jobdir / "arabpress.running").exists()
    before = len(requested_paths(server))

    restarted = run_crawl(server.origin, tmp_path / "restarted", settings={"JOBDIR": str(jobdir)}, env=env)
    assert restarted.returncode == 0, restarted.log[-3000:]
    assert "did not stop cleanly" in restarted.log
    assert restarted.stats["arabpress/jobdir/unclean_stop"] == 1
    assert restarted.stats["finish_reason"] == "finished"
    assert stored_paths(mongo_uri, mongo_database, server.origin) == sorted(ARTICLE_PATHS)
    # It started again from the start pages, and skipped the articles already stored.
    second_run = requested_paths(server)[before:]
    assert "/" in second_run
    assert not set(second_run) & set(killed_with)

"""Crawl the sample site with pages kept, then re-extract them with the site server stopped."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse

from arabpress import cli
from arabpress.local.site import SiteServer
from arabpress.pipelines.cleaning import TextCleaningPipeline
from arabpress.pipelines.validation import ValidationPipeline
from arabpress.reextract import WARM_PAGES, WARM_SITE, KeyOrdered, Options, Reextraction, Summary
from arabpress.rules import EXTRACTOR_VERSION
from arabpress.storage.connection import max_document_size
from arabpress.storage.pages import PageStore, page_key, selection
from arabpress.storage.writer import ArticleWriter
from tests.crawl import PROJECT_ROOT
from tests.storage_helpers import client_for, server_is_ferretdb
from tests.test_mongo_pipeline import ARTICLE_COUNT, EXPECTED, crawl_into

ARTICLES = [page["item"] for page in EXPECTED["pages"] if isinstance(page["item"], dict)]
ENGLISH_COUNT = sum(1 for item in ARTICLES if item["language"] == "en")
ARABIC_COUNT = ARTICLE_COUNT - ENGLISH_COUNT
MARK = " (re-extracted)"
# The same changed rule for child processes, through a sitecustomize module; it also sends
# the process a SIGINT while it re-extracts the article at STOP_AT, and its whole process
# group a SIGTERM at STOP_GROUP_AT.
TITLE_RULE = """\
import os, signal
from itemadapter import ItemAdapter
from arabpress.pipelines.cleaning import TextCleaningPipeline
_original = TextCleaningPipeline.process_item
def _marked(self, item):
    item = _original(self, item)
    ItemAdapter(item)["title"] += " (re-extracted)"
    if os.environ.get("STOP_AT") == ItemAdapter(item)["url"]:
        os.kill(os.getpid(), signal.SIGINT)
    if os.environ.get("STOP_GROUP_AT") == ItemAdapter(item)["url"]:
        os.killpg(0, signal.SIGTERM)
    return item
TextCleaningPipeline.process_item = _marked
"""


def changed_rule(folder: Path) -> str:
    """Write the changed rule into *folder*; return the PYTHONPATH that loads it."""
    (folder / "sitecustomize.py").write_text(TITLE_RULE, encoding="utf-8")
    return f"{folder}{os.pathsep}{PROJECT_ROOT}"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory, mongo_uri: str) -> Iterator[tuple[str, Path]]:
    """A database holding one crawl of the sample site with its pages; the site server is stopped after it."""
    workdir = tmp_path_factory.mktemp("crawl")
    database = f"arabpress_test_reextract_{workdir.name[-8:].replace('-', '_')}"
    with SiteServer(Path(PROJECT_ROOT / "arabpress" / "sample_site")) as server:
        result = crawl_into(server, workdir, mongo_uri, database)
    assert result.returncode == 0, result.log[-3000:]
    yield database, workdir
    with client_for(mongo_uri) as client:
        client.drop_database(database)


@pytest.fixture
def database(crawled: tuple[str, Path], mongo_uri: str) -> Iterator[str]:
    """A fresh copy of the crawled database (articles and pages), dropped after the test."""
    source, _ = crawled
    name = f"{source}_{datetime.now(UTC).strftime('%H%M%S%f')}"
    with client_for(mongo_uri) as client:
        for collection in ("articles", "pages"):
            documents = list(client[source][collection].find())
            client[name][collection].insert_many(documents)
    yield name
    with client_for(mongo_uri) as client:
        client.drop_database(name)


@pytest.fixture
def english_titles_marked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A changed rule: the cleaning pipeline now appends a mark to English titles."""
    original = TextCleaningPipeline.process_item

    def process_item(self: TextCleaningPipeline, item: Any) -> Any:
        item = original(self, item)
        adapter = ItemAdapter(item)
        if adapter.get("language") == "en":
            adapter["title"] += MARK
        return item

    monkeypatch.setattr(TextCleaningPipeline, "process_item", process_item)


def articles_of(uri: str, database: str) -> dict[str, dict[str, Any]]:
    """Return the stored articles by URL."""
    with client_for(uri) as client:
        return {document["url"]: document for document in client[database]["articles"].find()}


def urls_in(articles: dict[str, dict[str, Any]], language: str) -> set[str]:
    """Return the URLs of the articles in *language*."""
    found = {url for url, article in articles.items() if article["language"] == language}
    assert len(found) == (ENGLISH_COUNT if language == "en" else ARABIC_COUNT)
    return found


def reextract(
    uri: str, database: str, *options: str, python_path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``arabpress reextract`` in a child process, off a terminal, like cron (with *python_path*'s rules)."""
    command = [sys.executable, "-m", "arabpress.cli", "reextract", "--uri", uri, "--database", database, *options]
    env = {**os.environ, "PYTHONPATH": python_path} if python_path else None
    return subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)


def test_the_crawl_keeps_one_page_per_article_and_no_other(crawled: tuple[str, Path], mongo_uri: str) -> None:
    database, _ = crawled
    with client_for(mongo_uri) as client:
        pages = {document["_id"]: document for document in client[database]["pages"].find()}
        articles = {document["url"]: document for document in client[database]["articles"].find()}
        store = PageStore(client[database])
        assert set(pages) == {page_key(url) for url in articles}
        for key, page in pages.items():
            article = articles[page["article_url"]]
            assert key == page_key(article["url"])
            assert page["status"] == 200 and page["content_type"].startswith("text/html")
            assert page["fetched_at"] == article["fetched_at"]
            assert page["crawl_id"] == article["crawl_id"]
            assert page["url"] == page["final_url"] == article["fetched_url"]
            body = store.body(page)
            assert body.rstrip().endswith(b"</html>") and 0 < len(page["body"]) < len(body)
            # What the page stored is enough to decode it as the crawl did.
            again = HtmlResponse(page["final_url"], body=body, headers={"Content-Type": page["content_type"]})
            assert again.encoding == page["charset"]
        # The sample site has a page in windows-1256.
        assert {page["charset"] for page in pages.values()} == {"utf-8", "cp1256"}
        # Every article carries the rules' version.
        assert {article["extractor_version"] for article in articles.values()} == {EXTRACTOR_VERSION}


def test_reextract_with_the_site_stopped_changes_nothing_when_the_rules_did_not_change(
    database: str, mongo_uri: str
) -> None:
    before = articles_of(mongo_uri, database)
    done = reextract(mongo_uri, database, "--progress-interval", "0")
    assert done.returncode == 0, done.stderr
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT} re-extracted" in done.stdout
    assert f"articles: 0 changed, {ARTICLE_COUNT} unchanged, 0 new" in done.stdout
    # Plain progress lines off a terminal, no bar.
    assert f"re-extracted: {ARTICLE_COUNT} of {ARTICLE_COUNT} (100%)" in done.stderr and "\r" not in done.stderr
    assert articles_of(mongo_uri, database) == before


def test_a_changed_rule_gives_the_changed_articles_a_new_version_only(
    database: str, mongo_uri: str, english_titles_marked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = articles_of(mongo_uri, database)
    english, arabic = urls_in(before, "en"), urls_in(before, "ar")
    status = cli.main(["reextract", "--uri", mongo_uri, "--database", database, "--batch-size", "3"])
    out = capsys.readouterr().out
    assert status == 0, out
    after = articles_of(mongo_uri, database)
    assert set(after) == set(before)
    run_ids = {after[url]["crawl_id"] for url in english}
    assert len(run_ids) == 1 and run_ids != {before[url]["crawl_id"] for url in english}
    for url in english:
        old, new = before[url], after[url]
        assert new["title"] == old["title"] + MARK
        assert new["version"] == old["version"] + 1
        assert new["updated_at"] > old["updated_at"]
        assert (new["first_seen_at"], new["last_seen_at"]) == (old["first_seen_at"], old["last_seen_at"])
    for url in arabic:
        assert after[url] == before[url]
    assert f"articles: {ENGLISH_COUNT} changed, {ARABIC_COUNT} unchanged, 0 new" in out
    assert f"changed fields: content_hash {ENGLISH_COUNT}, title {ENGLISH_COUNT}" in out
    assert MARK.strip() in out  # an example diff
    # Once more: nothing left to change.
    assert cli.main(["reextract", "--uri", mongo_uri, "--database", database]) == 0
    assert f"articles: 0 changed, {ARTICLE_COUNT} unchanged" in capsys.readouterr().out
    assert articles_of(mongo_uri, database) == after


def test_a_dry_run_reports_and_writes_nothing(
    database: str, mongo_uri: str, english_titles_marked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = articles_of(mongo_uri, database)
    assert cli.main(["reextract", "--uri", mongo_uri, "--database", database, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"articles: {ENGLISH_COUNT} would be changed, {ARABIC_COUNT} unchanged" in out
    assert articles_of(mongo_uri, database) == before
    with client_for(mongo_uri) as client:
        assert client[database]["reextracts"].count_documents({}) == 0


def test_selection_by_url_prefix_and_by_extractor_version(
    database: str, mongo_uri: str, english_titles_marked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    parts = urlsplit(next(iter(articles_of(mongo_uri, database))))
    origin = f"{parts.scheme}://{parts.netloc}"
    assert cli.main(["reextract", "--uri", mongo_uri, "--database", database, "--url-prefix", origin + "/ar/"]) == 0
    out = capsys.readouterr().out
    assert f"pages: {ARABIC_COUNT} selected, {ARABIC_COUNT} re-extracted" in out
    assert "articles: 0 changed" in out
    arguments = ["reextract", "--uri", mongo_uri, "--database", database]
    assert cli.main([*arguments, "--older-than-version", str(EXTRACTOR_VERSION)]) == 0
    out = capsys.readouterr().out
    assert f"{ARTICLE_COUNT} selected, 0 re-extracted, {ARTICLE_COUNT} skipped" in out
    assert cli.main([*arguments, "--since", "2999-01-01"]) == 0
    assert "pages: 0 selected" in capsys.readouterr().out


def test_refused_pages_are_listed_with_their_reason_and_their_articles_kept(
    database: str, mongo_uri: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = articles_of(mongo_uri, database)
    arabic = urls_in(before, "ar")

    def refuse_arabic(self: Any, item: Any) -> Any:
        if ItemAdapter(item).get("language") == "ar":
            raise DropItem("Arabic articles refused by the changed rule")
        return item

    monkeypatch.setattr(ValidationPipeline, "process_item", refuse_arabic)
    assert cli.main(["reextract", "--uri", mongo_uri, "--database", database]) == 0
    out = capsys.readouterr().out
    assert f"{ARABIC_COUNT} refused" in out
    for url in arabic:
        assert f"refused {url}: dropped: Arabic articles refused by the changed rule" in out
    assert articles_of(mongo_uri, database) == before


def run_job(uri: str, database: str, options: Options, stop_after: int | None = None) -> tuple[Reextraction, bool]:
    """Run a re-extraction in this process, requesting a stop after *stop_after* batches; tell if it finished."""
    with client_for(uri) as client:
        db = client[database]
        store = PageStore(db, max_document_size=max_document_size(client))
        writer = ArticleWriter(db["articles"], max_document_size=max_document_size(client))
        job = Reextraction(store, db["articles"], db["reextracts"], writer, options)
        keys = job.start()
        batches = 0

        def progress(count: int) -> None:
            nonlocal batches
            batches += 1
            if batches == stop_after:
                job.request_stop()

        finished = job.run(keys, progress)
    return job, finished


def test_an_interrupted_run_resumes_where_it_stopped(
    database: str, mongo_uri: str, english_titles_marked: None
) -> None:
    options = Options(batch_size=2)
    first, finished = run_job(mongo_uri, database, options, stop_after=2)
    assert not finished
    assert first.summary.pages_read == 4
    second, finished = run_job(mongo_uri, database, options)
    assert finished
    assert second.run_id == first.run_id and second.resumed and second.resumed_from is not None
    summary: Summary = second.summary
    # Nothing twice (pages read would exceed the pages), nothing skipped (fewer changes).
    assert (summary.pages_selected, summary.pages_read) == (ARTICLE_COUNT, ARTICLE_COUNT)
    assert (summary.changed, summary.unchanged) == (ENGLISH_COUNT, ARABIC_COUNT)
    assert summary.field_changes == {"title": ENGLISH_COUNT, "content_hash": ENGLISH_COUNT}
    after = articles_of(mongo_uri, database)
    assert {after[url]["version"] for url in urls_in(after, "en")} == {2}
    assert {after[url]["version"] for url in urls_in(after, "ar")} == {1}
    # A finished run is not resumed: the next one starts afresh and finds nothing to change.
    third, _ = run_job(mongo_uri, database, options)
    assert third.run_id != first.run_id and third.summary.changed == 0


def test_sigint_stops_after_a_batch_and_the_same_command_resumes(database: str, mongo_uri: str, tmp_path: Path) -> None:
    # A title rule changed in the child processes through a sitecustomize module.
    python_path = changed_rule(tmp_path)
    with client_for(mongo_uri) as client:
        pages = list(client[database]["pages"].find({}, {"article_url": 1}).sort("_id", 1))
    # The third page, in the second batch of two: that batch is finished, then the run stops.
    env = {"PYTHONPATH": python_path, "STOP_AT": pages[2]["article_url"]}
    command = [sys.executable, "-m", "arabpress.cli", "reextract", "--uri", mongo_uri, "--database", database]
    command += ["--batch-size", "2", "--progress-interval", "0"]
    first = subprocess.run(
        command, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=120, check=False
    )
    assert first.returncode == 130, first.stderr
    assert "stopped: run the same command again" in first.stderr
    assert f"pages: {ARTICLE_COUNT} selected, 4 re-extracted" in first.stdout
    second = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": env["PYTHONPATH"]},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert second.returncode == 0, second.stderr
    assert f"{ARTICLE_COUNT - 4} pages left" in second.stderr
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT} re-extracted" in second.stdout
    assert f"articles: {ARTICLE_COUNT} changed, 0 unchanged" in second.stdout
    assert {article["version"] for article in articles_of(mongo_uri, database).values()} == {2}
    assert json.dumps(second.stdout)  # printable summary


def test_the_reextract_spider_runs_it_as_a_scrapyd_job_would(database: str, mongo_uri: str, tmp_path: Path) -> None:
    # scrapyd runs `scrapy crawl SPIDER` with the job id in SCRAPY_JOB and the settings in its environment.
    python_path = changed_rule(tmp_path)
    log = tmp_path / "job.log"
    env = {
        **os.environ,
        "PYTHONPATH": python_path,
        "SCRAPY_JOB": "job-42",
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": database,
    }
    command = [sys.executable, "-m", "scrapy", "crawl", "reextract", "-a", "batch_size=3", "-a", "workers=2"]
    command += ["--logfile", str(log)]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False)
    text = log.read_text(encoding="utf-8")
    assert done.returncode == 0, text[-3000:]
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT} re-extracted" in text
    assert f"articles: {ARTICLE_COUNT} changed, 0 unchanged" in text
    assert "'downloader/request_count'" not in text  # no request at all
    after = articles_of(mongo_uri, database)
    assert {(article["crawl_id"], article["version"]) for article in after.values()} == {("job-42", 2)}
    # A bad argument is one usage line, before anything starts.
    refused = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "reextract", "-a", "older_than_version=two"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert refused.returncode == 2 and "older_than_version must be a whole number" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_worker_processes_give_what_one_process_gives(database: str, mongo_uri: str, tmp_path: Path) -> None:
    options = ("--batch-size", "2", "--workers", "2")
    done = reextract(mongo_uri, database, *options, python_path=changed_rule(tmp_path))
    assert done.returncode == 0, done.stderr
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT} re-extracted" in done.stdout
    assert f"articles: {ARTICLE_COUNT} changed, 0 unchanged" in done.stdout
    assert f"changed fields: content_hash {ARTICLE_COUNT}, title {ARTICLE_COUNT}" in done.stdout
    after = articles_of(mongo_uri, database)
    assert {article["version"] for article in after.values()} == {2}
    assert all(article["title"].endswith(MARK) for article in after.values())
    with client_for(mongo_uri) as client:
        run = client[database]["reextracts"].find_one({})
    assert run is not None and run["status"] == "finished" and run["last_key"] == max(after)


def test_a_batch_is_read_by_key_only_while_its_cursor_is_silent_and_nothing_is_left_to_extract(
    database: str, mongo_uri: str
) -> None:
    with client_for(mongo_uri) as client:
        store = PageStore(client[database])
        keys = [document["_id"] for document in store.scan({})]
        assert len(keys) == ARTICLE_COUNT == 7
        gone = keys[4]
        store.pages.delete_one({"_id": gone})  # a page removed since the keys were read
        answered = threading.Event()

        def held() -> Iterator[dict[str, Any]]:
            """The cursor's pages, once the test lets it answer."""
            answered.wait(30)
            yield from store.stream({}, keys[0], keys[-1], 3)

        with ThreadPoolExecutor(1) as opener, ThreadPoolExecutor(1) as asker:
            cursor = KeyOrdered(held(), opener)
            extracting: Future[None] = Future()
            pending = [extracting]
            read = cursor.reader(store.pages, lambda: pending)
            # The cursor silent and a part still being extracted: the batch waits...
            first = asker.submit(read, keys[:2])
            with pytest.raises(FutureTimeout):
                first.result(0.5)
            # ...until nothing is left to extract: then it is read by key, the same documents.
            extracting.set_result(None)
            assert list(first.result(30)) == keys[:2]
            assert all(first.result()[key] == store.pages.find_one({"_id": key}) for key in keys[:2])
            assert cursor.first is not None and not cursor.first.done()
            # Once the cursor answers, from the cursor: the pages of the keys asked, passing
            # over those read by key and those not asked; a page gone is left out.
            pending = [Future()]
            answered.set()
            asked = [keys[3], gone, keys[5]]  # keys[2] not asked
            found = read(asked)
            assert cursor.first is None
            assert list(found) == [keys[3], keys[5]]
            assert all(found[key] == store.pages.find_one({"_id": key}) for key in found)
            assert read(keys[-1:]) == {keys[-1]: store.pages.find_one({"_id": keys[-1]})}
            assert read([]) == {}


def test_an_unreadable_page_is_refused_in_a_worker_and_the_others_are_re_extracted(
    database: str, mongo_uri: str, tmp_path: Path
) -> None:
    with client_for(mongo_uri) as client:
        damaged = client[database]["pages"].find_one_and_update({}, {"$set": {"sha256": "0" * 64}})
    assert damaged is not None
    options = ("--batch-size", "4", "--workers", "2")
    done = reextract(mongo_uri, database, *options, python_path=changed_rule(tmp_path))
    assert done.returncode == 0, done.stderr
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT - 1} re-extracted" in done.stdout
    assert f"articles: {ARTICLE_COUNT - 1} changed, 0 unchanged, 0 new" in done.stdout
    reason = "stored page unreadable: stored bytes do not match their SHA-256"
    assert f"refused {damaged['article_url']}: {reason}" in done.stdout
    after = articles_of(mongo_uri, database)
    assert not after[damaged["article_url"]]["title"].endswith(MARK)
    assert sum(article["title"].endswith(MARK) for article in after.values()) == ARTICLE_COUNT - 1


def test_pages_selected_since_a_day_have_their_articles_read_by_key(
    database: str, mongo_uri: str, english_titles_marked: None, capsys: pytest.CaptureFixture[str]
) -> None:
    before = articles_of(mongo_uri, database)
    arguments = ["reextract", "--uri", mongo_uri, "--database", database, "--since", "2000-01-01"]
    assert cli.main([*arguments, "--batch-size", "3"]) == 0
    out = capsys.readouterr().out
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT} re-extracted" in out
    assert f"articles: {ENGLISH_COUNT} changed, {ARABIC_COUNT} unchanged, 0 new" in out
    after = articles_of(mongo_uri, database)
    assert {url for url in after if after[url]["version"] == 2} == urls_in(before, "en")


def test_the_pages_cursor_walks_the_id_index_on_mongodb_and_reads_the_whole_table_on_ferretdb(
    database: str, mongo_uri: str
) -> None:
    with client_for(mongo_uri) as client:
        store = PageStore(client[database])
        keys = [document["_id"] for document in store.scan({})]
        since = min(document["fetched_at"] for document in store.pages.find())
        query = selection(since, keys[0][: keys[0].index("/", 8) + 1])
        cursor = store.stream(query, keys[1], keys[-2], 2)
        assert [document["_id"] for document in cursor.clone()] == keys[1:-1]
        plan = json.dumps(cursor.explain()["queryPlanner"], default=str)
        if server_is_ferretdb(client):
            # Every document is read and the selection sorted in memory: one cursor per run, not per batch.
            assert "SCAN" in plan and "USING INDEX" not in plan, plan
        else:
            # The _id index in key order, no blocking sort, even with fetched_at indexed.
            assert "IXSCAN" in plan and "_id_" in plan and '"SORT"' not in plan, plan


def test_an_article_whose_url_changed_is_compared_with_the_article_of_its_new_key(
    database: str, mongo_uri: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = articles_of(mongo_uri, database)
    moved, kept = sorted(urls_in(before, "ar"))[:2]
    original = ValidationPipeline.process_item

    def move(self: Any, item: Any) -> Any:
        """The changed rule: one article's canonical URL is now another stored article's."""
        item = original(self, item)
        if ItemAdapter(item)["url"] == moved:
            ItemAdapter(item)["url"] = kept
        return item

    monkeypatch.setattr(ValidationPipeline, "process_item", move)
    assert cli.main(["reextract", "--uri", mongo_uri, "--database", database]) == 0
    out = capsys.readouterr().out
    # The moved page (first in key order) is compared with the article stored under its new
    # key, which it changes; the page of that key then repeats the URL and is refused.
    assert moved < kept
    assert f"articles: 1 changed, {ARTICLE_COUNT - 2} unchanged, 0 new" in out and "1 refused" in out
    assert f"refused {kept}: dropped: already processed in this crawl: {kept}" in out
    counts = next(line for line in out.splitlines() if line.startswith("changed fields: "))
    names = {part.rsplit(" ", 1)[0] for part in counts.removeprefix("changed fields: ").split(", ")}
    assert "title" in names and "url" not in names  # not compared with its old key's article
    after = articles_of(mongo_uri, database)
    assert after[kept]["version"] == before[kept]["version"] + 1 and after[kept]["title"] == before[moved]["title"]
    assert after[moved] == before[moved]


@pytest.mark.parametrize("threaded", [False, True])
def test_workers_are_forked_warm_build_pipelines_of_their_own_and_outlive_a_sigterm(threaded: bool) -> None:
    # A child process of its own (and a session of its own, for the SIGTERM to its group).
    command = [sys.executable, "-m", "tests.worker_probe", *(["threaded"] if threaded else [])]
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, start_new_session=True, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    first = report["first"]
    # A process with no other thread forks the workers itself; one with threads has a fork
    # server fork them. Either ran the warm-up before forking...
    assert (first["forked_by"] == report["probe"]) is not threaded
    assert first["warmed"] is True
    # ...with pipelines of its own: the worker's are new, so the pages the warm-up extracted
    # are articles again, not repeats of the same crawl.
    assert first["outcomes"] == ["article", "article"]
    # A SIGTERM to the whole process group (as a service manager sends) leaves the workers
    # (and the fork server) to the process that started them: none ends, they still answer.
    assert report["ended_by_sigterm"] == 0
    assert report["after_sigterm"]["warmed"] is True


def test_the_stored_articles_cursor_reads_their_stamps_only(database: str, mongo_uri: str) -> None:
    with client_for(mongo_uri) as client:
        db = client[database]
        store = PageStore(db, max_document_size=max_document_size(client))
        writer = ArticleWriter(db["articles"], max_document_size=max_document_size(client))
        job = Reextraction(store, db["articles"], db["reextracts"], writer, Options(dry_run=True))
        keys = job.start()
        with ThreadPoolExecutor(2) as opener:
            _, articles = job._readers(keys, 3, opener)
            stamps = articles(keys[:2]) | articles(keys[2:])
        assert list(stamps) == keys
        assert all(set(stamp) == {"_id", "record_hash", "extractor_version"} for stamp in stamps.values())


def test_sigterm_to_the_process_group_stops_workers_and_all_after_a_batch(
    database: str, mongo_uri: str, tmp_path: Path
) -> None:
    # As a service manager stops a job: SIGTERM to every process of the command's group (its
    # fork server and workers too), sent here by a worker re-extracting the first page.
    with client_for(mongo_uri) as client:
        first_url = client[database]["pages"].find({}, {"article_url": 1}).sort("_id", 1)[0]["article_url"]
    assert first_url not in {WARM_SITE + path for path in WARM_PAGES}  # not met by the fork server's warm-up
    env = {**os.environ, "PYTHONPATH": changed_rule(tmp_path)}
    command = [sys.executable, "-m", "arabpress.cli", "reextract", "--uri", mongo_uri, "--database", database]
    command += ["--batch-size", "2", "--workers", "2"]
    first = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**env, "STOP_GROUP_AT": first_url},
        start_new_session=True,  # a process group of its own: the signal reaches no test process
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert first.returncode == 130, first.stderr
    assert "stopped: run the same command again" in first.stderr and "Traceback" not in first.stderr
    done = int(first.stdout.split(" selected, ")[1].split(" re-extracted")[0])
    assert 0 < done < ARTICLE_COUNT
    second = subprocess.run(
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=180, check=False
    )
    assert second.returncode == 0, second.stderr
    assert f"{ARTICLE_COUNT - done} pages left" in second.stderr
    assert f"pages: {ARTICLE_COUNT} selected, {ARTICLE_COUNT} re-extracted" in second.stdout
    assert f"articles: {ARTICLE_COUNT} changed, 0 unchanged" in second.stdout
    assert {article["version"] for article in articles_of(mongo_uri, database).values()} == {2}


@pytest.mark.parametrize("stamps_read", ["as batches are written", "as batches are handed over"])
def test_a_page_whose_article_is_gone_stores_it_again(
    database: str, mongo_uri: str, capsys: pytest.CaptureFixture[str], stamps_read: str
) -> None:
    # With --older-than-version the stamps go with the pages (to skip by version); without it
    # they are read as each batch is written.
    options = ["--older-than-version", str(EXTRACTOR_VERSION + 1)] if stamps_read.endswith("over") else []
    before = articles_of(mongo_uri, database)
    gone = sorted(before)[2:4]
    with client_for(mongo_uri) as client:
        assert client[database]["articles"].delete_many({"url": {"$in": gone}}).deleted_count == 2
    arguments = ["reextract", "--uri", mongo_uri, "--database", database, "--batch-size", "3", *options]
    assert cli.main(arguments) == 0
    out = capsys.readouterr().out
    assert f"articles: 0 changed, {ARTICLE_COUNT - 2} unchanged, 2 new" in out
    after = articles_of(mongo_uri, database)
    assert set(after) == set(before)
    assert all(after[url]["title"] == before[url]["title"] and after[url]["version"] == 1 for url in gone)

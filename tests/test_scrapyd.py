"""The crawl as operations run it: scrapyd (the project's entrypoint, natively) deploys the egg,
a job scheduled through schedule.json crawls the sample site into MongoDB.

The crawl settings reach the job only through scrapyd's environment, as on a scrapyd
host; the egg carries the project code and nothing else.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pymongo
import pytest
import requests

from arabpress.local.site import SiteServer
from arabpress.storage.connection import project_settings
from tests.scrapydproc import PASSWORD, USERNAME, ScrapydProcess, tool_path

EXPECTED = json.loads((Path(__file__).parent / "data" / "expected.json").read_text(encoding="utf-8"))
PRODUCTION_ORIGIN = EXPECTED["origin"]


def expected_urls(origin: str) -> set[str]:
    """The URLs of the sample site's stored articles, on *origin*."""
    return {
        page["item"]["url"].replace(PRODUCTION_ORIGIN, origin)
        for page in EXPECTED["pages"]
        if isinstance(page["item"], dict)
    }


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scrapyd's state folder, kept across the restart in the last test."""
    return tmp_path_factory.mktemp("scrapyd-home")


@pytest.fixture(scope="module")
def crawl_db(mongo_uri: str) -> Iterator[str]:
    """A database for the scrapyd job, dropped at the end."""
    name = "arabpress_test_scrapyd"
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        client.drop_database(name)
        yield name
        client.drop_database(name)


@pytest.fixture(scope="module")
def scrapyd(home: Path, sample_site: SiteServer, mongo_uri: str, crawl_db: str) -> Iterator[ScrapydProcess]:
    """scrapyd with the crawl settings in its environment, the project deployed by the entrypoint."""
    env = {
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": crawl_db,
        "ARABPRESS_BASE_URL": sample_site.origin,
        "MONGO_ENABLED": "1",
    }
    server = ScrapydProcess(home, env=env)
    server.start()
    yield server
    server.stop()


def test_api_requires_the_credentials(scrapyd: ScrapydProcess) -> None:
    for endpoint in ("daemonstatus.json", "listprojects.json", "listjobs.json?project=arabpress"):
        assert requests.get(scrapyd.url + endpoint, timeout=10).status_code == 401
        assert requests.get(scrapyd.url + endpoint, auth=("operator", "wrong"), timeout=10).status_code == 401
    refused = requests.post(
        scrapyd.url + "schedule.json", data={"project": "arabpress", "spider": "arabpress"}, timeout=10
    )
    assert refused.status_code == 401
    assert scrapyd.api("listjobs.json", project="arabpress")["pending"] == []
    assert scrapyd.api("daemonstatus.json")["status"] == "ok"


def test_project_is_deployed_as_an_egg_of_project_code_only(scrapyd: ScrapydProcess, mongo_uri: str) -> None:
    assert scrapyd.api("listprojects.json")["projects"] == ["arabpress"]
    assert scrapyd.api("listspiders.json", project="arabpress")["spiders"] == ["arabpress", "reextract"]
    eggs = sorted((scrapyd.home / "eggs" / "arabpress").glob("*.egg"))
    assert len(eggs) == 1
    with zipfile.ZipFile(eggs[0]) as egg:
        names = egg.namelist()
        entry_points = egg.read("EGG-INFO/entry_points.txt").decode()
        contents = b"".join(egg.read(name) for name in names if not name.endswith("/"))
    assert "arabpress/spiders/arabpress.py" in names
    assert "[scrapy]\nsettings = arabpress.settings" in entry_points
    # Dependencies are installed on the scrapyd host, not carried in the egg ...
    top_level = {name.split("/", 1)[0] for name in names}
    assert top_level == {"arabpress", "EGG-INFO"}
    # ... and the deployment's settings stay in its environment.
    assert mongo_uri.encode() not in contents
    assert not any(name.startswith("tests/") or name.endswith(".env") for name in names)
    # A job imports the project from the egg, even here where the source tree is installed too.
    probe = (
        "import sys; from scrapyd.runner import activate_egg; activate_egg(sys.argv[1]);"
        " import arabpress; print(arabpress.__file__)"
    )
    imported = subprocess.run(
        [sys.executable, "-c", probe, str(eggs[0])], cwd=scrapyd.home, capture_output=True, text=True, check=True
    )
    assert imported.stdout.strip() == f"{eggs[0]}/arabpress/__init__.py"


def test_scheduled_job_crawls_the_site_into_mongodb(
    scrapyd: ScrapydProcess, sample_site: SiteServer, mongo_uri: str, crawl_db: str
) -> None:
    answer = scrapyd.api(
        "schedule.json", [("project", "arabpress"), ("spider", "arabpress"), ("setting", "AUTOTHROTTLE_ENABLED=False")]
    )
    job_id = answer["jobid"]
    scrapyd.wait_finished(job_id, timeout=120)

    finished = [job for job in scrapyd.api("listjobs.json", project="arabpress")["finished"] if job["id"] == job_id]
    assert len(finished) == 1 and finished[0]["spider"] == "arabpress"
    log = (scrapyd.home / "logs" / "arabpress" / "arabpress" / f"{job_id}.log").read_text(encoding="utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert " ERROR: " not in log, log[-3000:]

    settings = project_settings()
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        articles = list(client[crawl_db][settings.get("MONGO_COLLECTION")].find({}, {"url": 1, "language": 1}))
    assert {article["url"] for article in articles} == expected_urls(sample_site.origin)
    assert len(articles) == 7
    assert sorted(article["language"] for article in articles) == ["ar"] * 3 + ["en"] * 4

    # scrapyd's own feed of the job (items_dir) holds the same articles.
    feed = scrapyd.home / "items" / "arabpress" / "arabpress" / f"{job_id}.jl"
    fed = [json.loads(line) for line in feed.read_text(encoding="utf-8").splitlines()]
    assert {item["url"] for item in fed} == expected_urls(sample_site.origin)


def test_a_reextract_job_re_extracts_the_pages_the_crawl_kept(
    scrapyd: ScrapydProcess, mongo_uri: str, crawl_db: str
) -> None:
    # After the crawl job above: its pages are in the database, the same rules find nothing to change.
    answer = scrapyd.api("schedule.json", [("project", "arabpress"), ("spider", "reextract"), ("batch_size", "3")])
    job_id = answer["jobid"]
    scrapyd.wait_finished(job_id, timeout=120)
    log = (scrapyd.home / "logs" / "arabpress" / "reextract" / f"{job_id}.log").read_text(encoding="utf-8")
    assert "'finish_reason': 'finished'" in log, log[-3000:]
    assert " ERROR: " not in log, log[-3000:]
    assert "pages: 7 selected, 7 re-extracted" in log and "articles: 0 changed, 7 unchanged" in log
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        runs = list(client[crawl_db]["reextracts"].find({}, {"status": 1}))
    assert runs == [{"_id": job_id, "status": "finished"}]


def schedule_and_follow(scrapyd: ScrapydProcess, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run `arabpress schedule --follow` against *scrapyd*, as the crontab does."""
    env = {"PATH": tool_path(), "SCRAPYD_URL": scrapyd.url, "SCRAPYD_USERNAME": USERNAME, "SCRAPYD_PASSWORD": PASSWORD}
    command = [sys.executable, "-m", "arabpress.cli", "schedule", "--follow", "-s", "AUTOTHROTTLE_ENABLED=False"]
    return subprocess.run([*command, *arguments], env=env, capture_output=True, text=True, timeout=240, cwd="/")


def test_follow_exits_with_the_crawl_verdict(scrapyd: ScrapydProcess, mongo_uri: str, crawl_db: str) -> None:
    failed = schedule_and_follow(scrapyd, "-s", "ARABPRESS_MONITOR_MIN_ARTICLES=1000")
    assert failed.returncode == 1, failed.stderr
    job_id = failed.stdout.strip()
    [verdict] = failed.stderr.strip().splitlines()
    assert verdict.startswith(
        f"arabpress schedule: job {job_id} FAILED its checks: Articles/minimum number of articles"
    )
    assert verdict.endswith("fewer than the minimum 1000")
    # The job's log ends with the failed checks, and the crawl's record names them.
    log = (scrapyd.home / "logs" / "arabpress" / "arabpress" / f"{job_id}.log").read_text(encoding="utf-8")
    last = log.strip().splitlines()[-1]
    assert "ERROR: crawl FAILED checks: Articles/minimum number of articles" in last, last
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        record = client[crawl_db]["crawls"].find_one({"crawl_id": job_id})
    assert record is not None and record["status"] == "failed"
    assert record["job"] == job_id
    assert any(check.endswith("fewer than the minimum 1000") for check in record["failed_checks"])

    passed = schedule_and_follow(scrapyd)
    assert passed.returncode == 0, passed.stderr
    assert passed.stderr.strip().splitlines() == [
        f"arabpress schedule: job {passed.stdout.strip()} finished and passed its checks"
    ]


def test_finished_jobs_survive_a_restart(scrapyd: ScrapydProcess) -> None:
    finished = {job["id"] for job in scrapyd.api("listjobs.json", project="arabpress")["finished"]}
    assert finished, "no finished job to look for after the restart"
    versions = scrapyd.api("listversions.json", project="arabpress")["versions"]
    # twistd stops on SIGTERM and then exits by that signal; the entrypoint passes the status on.
    assert scrapyd.stop() == 128 + signal.SIGTERM
    assert "Server Shut Down." in scrapyd.log_text()
    assert (scrapyd.home / "dbs" / "jobs.db").is_file()
    scrapyd.start()  # the same state folder and the same code: nothing new is deployed
    assert {job["id"] for job in scrapyd.api("listjobs.json", project="arabpress")["finished"]} == finished
    assert scrapyd.api("listversions.json", project="arabpress")["versions"] == versions
    assert f"deployed (version {versions[0]}, its code unchanged)" in scrapyd.log_text()

"""The two production paths, each in a fresh virtualenv that holds nothing of this checkout.

- the wheel alone (no extras), as ``pip install arabpress`` gives it: ``arabpress extract``
  run from ``/`` prints the article with the pipelines' ``published_at``, and
  ``scrapy crawl arabpress`` (SCRAPY_SETTINGS_MODULE set) crawls the sample site;
- the scrapyd image's dependency set (``deploy/requirements.py deploy``): scrapyd started
  from it deploys the egg and a job stores the sample site's articles.

The dependencies are downloaded once into a wheelhouse kept in the user's cache folder
(pip caches no index pages here, so resolving alone takes a minute or more) and installed
from it; the wheelhouse is downloaded again when the dependency list changes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pymongo
import pytest

from arabpress.local.site import SiteServer
from tests.crawl import PROJECT_ROOT
from tests.pages import expected_pages, page_file
from tests.scrapydproc import ScrapydProcess

# An Arabic article whose published_at comes from the date pipeline (a Hijri and Gregorian text date).
ARTICLE = "/ar/2026/02/02/saudi-property-market-foreign-buyers/"
INSTALL_TIMEOUT = 900
# Downloading, building and installing take minutes on a busy machine, beyond the suite's default bound.
pytestmark = pytest.mark.timeout(1800)
WHEELHOUSE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "arabpress-tests" / "wheelhouse"


def clean_env() -> dict[str, str]:
    """This environment without what would let a child see this checkout or its venv."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME") and not name.startswith("SCRAPY")
    }


def run(command: list[str], cwd: Path | str, timeout: float = INSTALL_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run *command*; fail the test with its output when it fails."""
    result = subprocess.run(command, cwd=cwd, env=clean_env(), capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(command)} exited {result.returncode}:\n{result.stderr[-4000:]}"
    return result


def fresh_venv(path: Path) -> Path:
    """Create an empty virtualenv at *path* (from the base interpreter); return its bin folder."""
    run([sys.executable, "-m", "venv", str(path)], cwd=path.parent, timeout=120)
    return path / "bin"


@pytest.fixture(scope="session")
def deploy_requirements(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The scrapyd image's dependency list, as its Dockerfile writes it."""
    path = tmp_path_factory.mktemp("deploy") / "requirements.txt"
    listed = run([sys.executable, str(PROJECT_ROOT / "deploy" / "requirements.py"), "deploy"], cwd=path.parent)
    path.write_text(listed.stdout, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def wheelhouse(deploy_requirements: Path) -> Path:
    """Wheels of every dependency (the deploy set holds the plain install's), downloaded when the list changed."""
    listed = WHEELHOUSE / "requirements.txt"
    # The build backend too: the wheel is built from the wheelhouse alone.
    wanted = deploy_requirements.read_text(encoding="utf-8") + f"\n{build_requirement()}\n"
    if not listed.is_file() or listed.read_text(encoding="utf-8") != wanted:
        WHEELHOUSE.mkdir(parents=True, exist_ok=True)
        listed.unlink(missing_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--dest", str(WHEELHOUSE)]
        run([*command, "-r", str(deploy_requirements), build_requirement()], cwd=WHEELHOUSE)
        listed.write_text(wanted, encoding="utf-8")
    return WHEELHOUSE


def build_requirement() -> str:
    """Return pyproject.toml's build backend requirement (one, setuptools)."""
    [requirement] = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["build-system"][
        "requires"
    ]
    return str(requirement)


def install(bin_dir: Path, wheelhouse: Path, *what: str) -> None:
    """pip install *what* into the venv of *bin_dir*, from the wheelhouse only."""
    command = [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-index", "--find-links"]
    run([*command, str(wheelhouse), *what], cwd=bin_dir.parent)


@pytest.fixture(scope="session")
def wheel(wheelhouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built once for the session (its build backend from the wheelhouse)."""
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--find-links", str(wheelhouse)]
    run([*command, "--wheel-dir", str(out), str(PROJECT_ROOT)], cwd=out)
    [built] = out.glob("arabpress-*.whl")
    return built


def test_the_wheel_alone_extracts_and_crawls_from_any_folder(
    wheel: Path, wheelhouse: Path, tmp_path: Path, sample_site: SiteServer
) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    install(bin_dir, wheelhouse, str(wheel))
    # The page is read from the checkout, the code only from the venv (run from /, no scrapy.cfg).
    result = subprocess.run(
        [str(bin_dir / "arabpress"), "extract", str(page_file(ARTICLE))],
        cwd="/",
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    [expected] = [page["item"] for page in expected_pages() if page["path"] == ARTICLE]
    assert article["published_at"] == expected["published_at"]
    assert article["title"] == expected["title"]
    located = subprocess.run(
        [str(bin_dir / "python"), "-c", "import arabpress, trafilatura; print(arabpress.__file__)"],
        cwd="/",
        env=clean_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    assert located.stdout.startswith(str(tmp_path / "venv")), located.stdout
    # And crawls, with scrapy crawl told the settings module (no scrapy.cfg here; no
    # database either: the feed shows what it would store).
    options = ["-s", "MONGO_ENABLED=False", "-s", "AUTOTHROTTLE_ENABLED=False", "-O", "items.jsonl:jsonlines"]
    crawl = subprocess.run(
        [str(bin_dir / "scrapy"), "crawl", "arabpress", "-a", f"base_url={sample_site.origin}", *options],
        cwd=tmp_path,
        env={**clean_env(), "SCRAPY_SETTINGS_MODULE": "arabpress.settings"},
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert crawl.returncode == 0, crawl.stderr[-3000:]
    items = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(items) == sum(1 for page in expected_pages() if isinstance(page["item"], dict))


def test_the_scrapyd_dependency_set_runs_a_deployed_job(
    deploy_requirements: Path,
    wheelhouse: Path,
    tmp_path: Path,
    sample_site: SiteServer,
    mongo_uri: str,
    mongo_database: str,
) -> None:
    bin_dir = fresh_venv(tmp_path / "venv")
    install(bin_dir, wheelhouse, "-r", str(deploy_requirements))
    env = {
        "MONGO_URI": mongo_uri,
        "MONGO_DATABASE": mongo_database,
        "ARABPRESS_BASE_URL": sample_site.origin,
        "MONGO_ENABLED": "1",
    }
    server = ScrapydProcess(tmp_path / "scrapyd", env=env, bin_dir=bin_dir)
    server.start(timeout=180)
    try:
        job_id = server.api(
            "schedule.json",
            [("project", "arabpress"), ("spider", "arabpress"), ("setting", "AUTOTHROTTLE_ENABLED=False")],
        )["jobid"]
        server.wait_finished(job_id, timeout=180)
        log = (server.home / "logs" / "arabpress" / "arabpress" / f"{job_id}.log").read_text(encoding="utf-8")
    finally:
        server.stop()
    assert "crawl passed checks" in log.strip().splitlines()[-1], log[-3000:]
    # The venv has the dependencies but not the project: the job ran the deployed egg.
    probe = subprocess.run([str(bin_dir / "python"), "-c", "import arabpress"], cwd="/", env=clean_env(), check=False)
    assert probe.returncode != 0
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        stored = client[mongo_database]["articles"].count_documents({})
    expected = sum(1 for page in expected_pages() if isinstance(page["item"], dict))
    assert stored == expected

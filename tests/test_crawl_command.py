"""``arabpress crawl``: scrapy crawl arabpress from any folder, its options passed on, its status kept."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from arabpress.local.site import SiteServer
from tests.operations import ARTICLE_PATHS


def arabpress_crawl(tmp_path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """Run the console script's crawl from *tmp_path*, a folder with no scrapy.cfg, without a database."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(("SCRAPY", "MONGO_"))}
    env["MONGO_ENABLED"] = "0"
    command = [str(Path(sys.executable).parent / "arabpress"), "crawl", *options]
    return subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)


def test_crawls_the_site_from_a_folder_outside_the_checkout(tmp_path: Path, sample_site: SiteServer) -> None:
    result = arabpress_crawl(
        tmp_path,
        "-a",
        f"base_url={sample_site.origin}",
        "-s",
        "AUTOTHROTTLE_ENABLED=False",
        "-O",
        "items.jsonl:jsonlines",
        "--logfile",
        "crawl.log",
    )
    log = (tmp_path / "crawl.log").read_text(encoding="utf-8") if (tmp_path / "crawl.log").exists() else ""
    assert result.returncode == 0, result.stderr + log[-3000:]
    items = [json.loads(line) for line in (tmp_path / "items.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {item["url"].removeprefix(sample_site.origin) for item in items} == ARTICLE_PATHS
    assert all(item["published_at"] for item in items)
    assert log.strip().splitlines()[-1].endswith("crawl passed checks")


def test_a_usage_error_keeps_scrapys_status(tmp_path: Path) -> None:
    result = arabpress_crawl(tmp_path, "-a", "since=last week")
    assert result.returncode == 2
    assert "since" in result.stderr.strip().splitlines()[-1]

"""Run real crawls in a child process and read back what they produced."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parents[1]

# Local runs need no politeness delay; the database is switched on per test.
LOCAL_SETTINGS = {
    "AUTOTHROTTLE_ENABLED": "False",
    "LOG_LEVEL": "INFO",
    "TELNETCONSOLE_ENABLED": "False",
}


@dataclass
class CrawlResult:
    """What one crawl process left behind."""

    returncode: int
    items: list[dict[str, Any]]
    stats: dict[str, Any]
    log: str
    requested: list[str] = field(default_factory=list)

    def urls(self) -> set[str]:
        """Return the URLs of the scraped articles."""
        return {item["url"] for item in self.items}


def run_crawl(
    base_url: str | None,
    workdir: Path,
    *arguments: str,
    settings: dict[str, str] | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 180,
) -> CrawlResult:
    """Crawl *base_url* (None: as configured) with ``scrapy crawl arabpress``; collect items, stats and log."""
    workdir.mkdir(parents=True, exist_ok=True)
    items_file = workdir / "items.jsonl"
    stats_file = workdir / "stats.json"
    log_file = workdir / "crawl.log"
    for stale in (items_file, stats_file):
        stale.unlink(missing_ok=True)
    merged = {**LOCAL_SETTINGS, "ARABPRESS_STATS_FILE": str(stats_file), **(settings or {})}
    command = [sys.executable, "-m", "scrapy", "crawl", "arabpress"]
    if base_url is not None:
        command += ["-a", f"base_url={base_url}"]
    command += ["-O", f"{items_file}:jsonlines", "--logfile", str(log_file)]
    for name, value in merged.items():
        command += ["-s", f"{name}={value}"]
    command += list(arguments)
    child_env = {**os.environ, **(env or {})}
    child_env.setdefault("MONGO_ENABLED", "0")
    completed = subprocess.run(command, cwd=PROJECT_ROOT, env=child_env, timeout=timeout, capture_output=True)
    items = []
    if items_file.exists():
        items = [json.loads(line) for line in items_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    stats = json.loads(stats_file.read_text(encoding="utf-8")) if stats_file.exists() else {}
    log = log_file.read_text(encoding="utf-8") if log_file.exists() else ""
    log += completed.stderr.decode("utf-8", "replace")
    return CrawlResult(completed.returncode, items, stats, log)

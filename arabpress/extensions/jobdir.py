"""Make a JOBDIR safe to resume from after a crawl that was killed rather than stopped.

Scrapy writes the state of its disk queue (``requests.queue/active.json``) only when the
spider closes, and appends seen request fingerprints (``requests.seen``) through a
buffer. After SIGKILL, an out-of-memory kill or a second Ctrl-C, the queue cannot be
read back while part of the seen set can: resuming from it would filter the start pages
as already seen and end the crawl early with articles missing.

This extension leaves a marker file in the JOBDIR while a crawl runs and removes it when
the spider has closed (after the scheduler saved its queue). A crawl that finds the
marker of a crawl that is no longer running discards that scheduler state and starts
again from the start pages; with incremental crawls on, the articles the killed crawl
stored are not fetched again. A clean stop (one Ctrl-C, SIGTERM) resumes as Scrapy does.

A crawl that ran to its end (finish reasons as in arabpress.storage.crawls) leaves no
scheduler state behind, so one JOBDIR can serve every scheduled run: a run resumes what
the last one left unfinished, or starts afresh.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from arabpress.storage.crawls import FINISHED_REASONS

logger = logging.getLogger(__name__)

MARKER = "arabpress.running"
# What Scrapy keeps in a JOBDIR for its scheduler; spider.state is written at close too
# but only after a clean stop, so a stale copy is harmless.
SCHEDULER_STATE = ("requests.queue", "requests.seen")


class JobDirInUse(RuntimeError):
    """Another crawl on this machine is running with the same JOBDIR."""


def process_alive(pid: int) -> bool:
    """Return True when a process with *pid* exists on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def read_marker(path: Path) -> dict[str, Any]:
    """Return the marker's content; an unreadable marker still means an unclean stop."""
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return content if isinstance(content, dict) else {}


class JobDirGuard:
    """Discard the scheduler state a killed crawl left in JOBDIR; mark the running crawl."""

    def __init__(self, crawler: Crawler, jobdir: Path) -> None:
        self.crawler = crawler
        self.jobdir = jobdir
        self.marker = jobdir / MARKER

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobDirGuard:
        """Check the JOBDIR before the scheduler opens it, or raise NotConfigured without one."""
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured  # the usual case: no warning
        guard = cls(crawler, Path(jobdir))
        # Extensions are built before the engine and its scheduler: the state is sound
        # (or gone) by the time the scheduler reads it.
        guard.check()
        guard.mark_running()
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def check(self) -> None:
        """Discard the scheduler state when the last crawl with this JOBDIR did not close."""
        if not self.marker.exists():
            return
        previous = read_marker(self.marker)
        pid = previous.get("pid")
        if previous.get("host") == socket.gethostname() and isinstance(pid, int) and process_alive(pid):
            raise JobDirInUse(
                f"JOBDIR {self.jobdir} is in use by process {pid} (started {previous.get('started')}); "
                f"if no crawl is running, delete {self.marker}"
            )
        discarded = self.discard_scheduler_state()
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("arabpress/jobdir/unclean_stop", 1)
        logger.warning(
            "JOBDIR %s was left by a crawl that did not stop cleanly (started %s, process %s): "
            "its request queue cannot be trusted, so it is discarded (%s) and the crawl starts "
            "again from the start pages",
            self.jobdir,
            previous.get("started", "?"),
            pid if pid is not None else "?",
            ", ".join(discarded) or "nothing to discard",
        )

    def mark_running(self) -> None:
        """Leave the marker that says a crawl is using this JOBDIR."""
        self.jobdir.mkdir(parents=True, exist_ok=True)
        content = {"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(UTC).isoformat()}
        self.marker.write_text(json.dumps(content), encoding="utf-8")

    def spider_closed(self, reason: str) -> None:
        """Remove the marker; forget the scheduler state of a crawl that ran to its end."""
        if reason in FINISHED_REASONS:
            # The next crawl with this JOBDIR (the next scheduled run) starts afresh
            # instead of finding every request already seen.
            self.discard_scheduler_state()
        # The scheduler has saved its queue by now: a stopped crawl can be resumed.
        self.marker.unlink(missing_ok=True)

    def discard_scheduler_state(self) -> list[str]:
        """Delete the scheduler's queue and seen requests from the JOBDIR; return what was there."""
        discarded = [name for name in SCHEDULER_STATE if (self.jobdir / name).exists()]
        for name in discarded:
            path = self.jobdir / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
        return discarded

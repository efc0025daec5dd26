"""Checks of each finished crawl (spidermon), and what a failed check does.

settings.py runs ``CrawlChecks`` when the spider closes (SPIDERMON_SPIDER_CLOSE_MONITORS):

- articles: at least ARABPRESS_MONITOR_MIN_ARTICLES stored, or found unchanged by an
  incremental crawl (a quiet day adds few articles; it is not a failure);
- field coverage: spidermon's FieldCoverageMonitor, SPIDERMON_FIELD_COVERAGE_RULES;
- errors: ERROR log lines per request at most ARABPRESS_MONITOR_MAX_ERROR_RATIO;
- drops: dropped articles per article processed at most ARABPRESS_MONITOR_MAX_DROP_RATIO,
  leaving out the drops that are filtering (ARABPRESS_MONITOR_IGNORED_DROPS) and counting
  the articles an incremental crawl found unchanged as processed;
- finish reason: spidermon's FinishReasonMonitor, SPIDERMON_EXPECTED_FINISH_REASONS.

When a check fails, ``CrawlFailed`` records it in the stats, marks the crawl failed in
the ``crawls`` collection and writes ``crawl FAILED checks: ...`` into the log, again as
its very last line; when all pass, ``CrawlPassed`` says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from scrapy import signals
from scrapy.crawler import Crawler
from spidermon import Monitor, MonitorSuite, monitors
from spidermon.contrib.scrapy.monitors import FieldCoverageMonitor, FinishReasonMonitor
from spidermon.core.actions import Action

from arabpress.storage.connection import client_from_settings
from arabpress.storage.crawls import crawl_id, mark_crawl_failed

logger = logging.getLogger(__name__)

DROP_REASON_PREFIX = "item_dropped_reasons_count/"
# The checks' verdict in the stats: "passed" or "failed" (scrapy crawl's exit status follows it).
CHECKS_STAT = "arabpress/checks"
CHECKS_FAILED = "failed"
# The log's last line says one of these (``arabpress schedule --follow`` reads it).
PASSED_VERDICT = "crawl passed checks"
FAILED_VERDICT = "crawl FAILED checks:"

Named = TypeVar("Named")


def named(name: str) -> Callable[[Named], Named]:
    """Return spidermon's naming decorator, typed: the name shown in the log for a check."""
    decorator: Callable[[Named], Named] = monitors.name(name)
    return decorator


def ratio(part: float, whole: float) -> float:
    """Return *part* / *whole*, 0 when there is no whole."""
    return part / whole if whole else 0.0


def counted_drops(stats: Any, ignored: list[str]) -> int:
    """Return the articles dropped for a failure, leaving out the reasons in *ignored*."""
    total = int(stats.get("item_dropped_count", 0))
    return total - sum(int(stats.get(DROP_REASON_PREFIX + reason, 0)) for reason in ignored)


class CrawlMonitor(Monitor):  # type: ignore[misc]
    """Base of the project's checks: the failure message alone, without unittest's preamble."""

    longMessage = False

    @property
    def crawler(self) -> Crawler:
        """Return the crawler of the crawl being checked."""
        crawler: Crawler = self.data.crawler
        return crawler


@named("Articles")
class ArticleCountMonitor(CrawlMonitor):
    """The crawl found enough articles."""

    @named("minimum number of articles")
    def test_minimum_articles(self) -> None:
        """Stored articles plus those an incremental crawl found unchanged reach the minimum."""
        minimum = self.crawler.settings.getint("ARABPRESS_MONITOR_MIN_ARTICLES")
        stored = int(self.data.stats.get("item_scraped_count", 0))
        unchanged = int(self.data.stats.get("arabpress/incremental/skipped", 0))
        self.assertGreaterEqual(
            stored + unchanged,
            minimum,
            msg=f"{stored} articles stored and {unchanged} unchanged, fewer than the minimum {minimum}",
        )


@named("Errors")
class ErrorRatioMonitor(CrawlMonitor):
    """Few errors for the requests made."""

    @named("error ratio")
    def test_error_ratio(self) -> None:
        """ERROR log lines per request stay within ARABPRESS_MONITOR_MAX_ERROR_RATIO."""
        maximum = self.crawler.settings.getfloat("ARABPRESS_MONITOR_MAX_ERROR_RATIO")
        errors = int(self.data.stats.get("log_count/ERROR", 0))
        requests = int(self.data.stats.get("downloader/request_count", 0))
        # With no request at all, any error is the whole story.
        value = ratio(errors, requests) if requests else float(errors)
        self.assertLessEqual(
            value, maximum, msg=f"{errors} errors for {requests} requests ({value:.1%}), more than {maximum:.1%}"
        )


@named("Drops")
class DropRatioMonitor(CrawlMonitor):
    """Few articles dropped as broken."""

    @named("drop ratio")
    def test_drop_ratio(self) -> None:
        """Dropped articles per article processed stay within ARABPRESS_MONITOR_MAX_DROP_RATIO."""
        settings = self.crawler.settings
        maximum = settings.getfloat("ARABPRESS_MONITOR_MAX_DROP_RATIO")
        drops = counted_drops(self.data.stats, settings.getlist("ARABPRESS_MONITOR_IGNORED_DROPS"))
        stored = int(self.data.stats.get("item_scraped_count", 0))
        # Articles an incremental crawl found unchanged count as processed: a story dropped
        # on every crawl must not fail the quiet crawls that store little else.
        unchanged = int(self.data.stats.get("arabpress/incremental/skipped", 0))
        value = ratio(drops, drops + stored + unchanged)
        self.assertLessEqual(
            value,
            maximum,
            msg=f"{drops} articles dropped, {stored} stored, {unchanged} unchanged ({value:.1%}), "
            f"more than {maximum:.1%}",
        )


def failure_message(error: str) -> str:
    """Return the assertion message of a failed check's traceback, on one line."""
    text = error.strip()
    if "AssertionError:" in text:
        text = text.rsplit("AssertionError:", 1)[1]
    elif text:
        text = text.splitlines()[-1]  # an exception in the check itself: its last line
    return " ".join(text.split())


def failure_lines(result: Any) -> list[str]:
    """Return one line per failed check: its name and its message."""
    return [
        f"{failed.item.name}: {failure_message(str(failed.error or ''))}" for failed in result.monitors_failed_results
    ]


class CrawlFailed(Action):  # type: ignore[misc]
    """Say loudly that the crawl failed its checks: stats, log, crawls collection."""

    def run_action(self) -> None:
        """Record the failures; the log line comes first so a database error cannot hide it."""
        crawler: Crawler = self.data.crawler
        failures = failure_lines(self.result)
        summary = "; ".join(failures) or "a check raised an error"
        assert crawler.stats is not None
        crawler.stats.set_value(CHECKS_STAT, CHECKS_FAILED)
        crawler.stats.set_value("arabpress/checks/failures", failures)
        logger.error("%s %s", FAILED_VERDICT, summary)
        # Scrapy's stats dump follows the spider_closed handlers: repeat the verdict at the very end.
        crawler.signals.connect(
            FinalVerdict(f"{FAILED_VERDICT} {summary}", logging.ERROR).log, signals.engine_stopped, weak=False
        )
        record_failure(crawler, failures)


class CrawlPassed(Action):  # type: ignore[misc]
    """Record that the crawl passed its checks."""

    def run_action(self) -> None:
        """Set the verdict in the stats and the log."""
        crawler: Crawler = self.data.crawler
        assert crawler.stats is not None
        crawler.stats.set_value(CHECKS_STAT, "passed")
        logger.info("%s", PASSED_VERDICT)
        crawler.signals.connect(FinalVerdict(PASSED_VERDICT, logging.INFO).log, signals.engine_stopped, weak=False)


class FinalVerdict:
    """Log the checks' verdict once more when the engine stops, after Scrapy's stats dump."""

    def __init__(self, message: str, level: int) -> None:
        self.message = message
        self.level = level

    def log(self) -> None:
        """Log the verdict."""
        logger.log(self.level, "%s", self.message)


def record_failure(crawler: Crawler, failures: list[str]) -> None:
    """Mark the crawl failed in the crawls collection, with its failed checks, when MongoDB is on."""
    settings = crawler.settings
    if not settings.getbool("MONGO_ENABLED"):
        return
    client = client_from_settings(settings)
    try:
        collection = client[settings["MONGO_DATABASE"]][settings["MONGO_CRAWLS_COLLECTION"]]
        crawl = crawl_id(crawler)
        if not mark_crawl_failed(collection, crawl, failures):
            logger.warning("no document for crawl %s in %s to mark failed", crawl, collection.full_name)
    finally:
        client.close()


class CrawlChecks(MonitorSuite):  # type: ignore[misc]
    """Every check of a finished crawl, with the actions for failure and success."""

    monitors = [  # noqa: RUF012 - spidermon's declarative class attributes
        ArticleCountMonitor,
        FieldCoverageMonitor,
        ErrorRatioMonitor,
        DropRatioMonitor,
        FinishReasonMonitor,
    ]
    monitors_failed_actions = [CrawlFailed]  # noqa: RUF012
    monitors_passed_actions = [CrawlPassed]  # noqa: RUF012

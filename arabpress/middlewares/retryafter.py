"""Retry 429 and 503 answers no sooner than their Retry-After header asks.

Scrapy's RetryMiddleware retries a retryable status at once, whatever Retry-After says
(no well-kept library adds it), so a busy server sees the same request again within
milliseconds and usually answers 429 again until the retries run out. This subclass
makes the same retry decision and, when the response carries Retry-After (seconds or an
HTTP date), waits that long before handing the retry back, capped by
ARABPRESS_RETRY_AFTER_MAX_DELAY (0: retry at once, as Scrapy does).

The wait is an asynchronous sleep: the reactor goes on with every other request. The
delayed request keeps one of the CONCURRENT_REQUESTS places while it waits, which is
what a server that asks to slow down wants. It replaces RetryMiddleware in
DOWNLOADER_MIDDLEWARES (settings.py). Stats: ``arabpress/retry_after/delayed``,
``.../seconds`` (total waited, rounded) and ``.../capped``.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.asyncio import sleep

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

STATS_PREFIX = "arabpress/retry_after"


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Return the wait a Retry-After value asks for (delta-seconds or HTTP date), or None if unreadable."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # HTTP dates are GMT; an obsolete form may lack the zone
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class RetryAfterMiddleware(RetryMiddleware):
    """RetryMiddleware that waits what Retry-After asks (capped) before each retry."""

    def __init__(self, settings: BaseSettings, max_delay: float) -> None:
        super().__init__(settings)
        self.max_delay = max_delay

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        """Build the middleware from the RETRY_* settings and ARABPRESS_RETRY_AFTER_MAX_DELAY."""
        middleware = cls(crawler.settings, max(crawler.settings.getfloat("ARABPRESS_RETRY_AFTER_MAX_DELAY"), 0.0))
        middleware.crawler = crawler
        return middleware

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        """Return the retry request after the wait Retry-After asks for, else what RetryMiddleware returns."""
        result = super().process_response(request, response)
        if not isinstance(result, Request) or self.max_delay <= 0:
            return result
        asked = retry_after_seconds(response.headers.get(b"Retry-After"))
        if not asked:
            return result
        delay = min(asked, self.max_delay)
        stats = self.crawler.stats
        assert stats is not None
        stats.inc_value(f"{STATS_PREFIX}/delayed")
        stats.inc_value(f"{STATS_PREFIX}/seconds", round(delay))
        if asked > self.max_delay:
            stats.inc_value(f"{STATS_PREFIX}/capped")
        logger.info("%s answered %d with Retry-After %gs: retrying in %gs", request.url, response.status, asked, delay)
        await sleep(delay)
        return result

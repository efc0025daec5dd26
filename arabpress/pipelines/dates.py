"""Set published_at and modified_at from the raw date strings, as aware UTC datetimes.

published_date is the publication day as the page states it (its own zone; a date-only
value stays that day) and published_precision says whether the page gave a day, minutes
or seconds. Visible text is read in the day/month order of the page's declared language.
Raw strings and their sources stay as extracted. A date that cannot be read, lies in
the future or is too old becomes None (the article is kept), is counted under
``arabpress/dates/...`` and logged once with the article's URL.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from arabpress.dates import DateNormalizer, DateResult

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

# Item field prefixes: <prefix>_raw and <prefix>_source are read, <prefix>_at is set.
DATE_FIELDS = ("published", "modified")
STATS_PREFIX = "arabpress/dates"


class DateNormalizationPipeline:
    """Normalize the article's dates, with the response's Date header as the reference."""

    def __init__(self, crawler: Crawler, normalizer: DateNormalizer) -> None:
        self.crawler = crawler
        self.normalizer = normalizer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DateNormalizationPipeline:
        """Build the pipeline from the ARABPRESS_TIMEZONE and ARABPRESS_DATES_* settings."""
        settings = crawler.settings
        if not settings.getbool("ARABPRESS_DATES_ENABLED"):
            raise NotConfigured("ARABPRESS_DATES_ENABLED is off")
        normalizer = DateNormalizer(
            timezone=str(settings["ARABPRESS_TIMEZONE"]),
            future_tolerance=timedelta(seconds=settings.getfloat("ARABPRESS_DATES_FUTURE_TOLERANCE")),
            min_year=settings.getint("ARABPRESS_DATES_MIN_YEAR"),
        )
        return cls(crawler, normalizer)

    def process_item(self, item: Any) -> Any:
        """Set the ``*_at`` date fields of *item*."""
        adapter = ItemAdapter(item)
        reference = adapter.get("fetched_at") or datetime.now(UTC)
        language = adapter.get("declared_language")
        for prefix in DATE_FIELDS:
            raw, source = adapter.get(f"{prefix}_raw"), adapter.get(f"{prefix}_source")
            result = self.normalizer.normalize(raw, source, reference, language)
            adapter[f"{prefix}_at"] = result.value
            self._record(f"{prefix}_at", result, raw, source, adapter.get("url"))
            if prefix == "published":
                adapter["published_date"] = result.day.isoformat() if result.day else None
                adapter["published_precision"] = result.precision
        return item

    def _record(self, field: str, result: DateResult, raw: str | None, source: str | None, url: str | None) -> None:
        """Count the path and the problem of one date; log a date that was there but is unusable."""
        stats = self.crawler.stats
        if result.path is not None:
            stats.inc_value(f"{STATS_PREFIX}/{result.path}")
        if result.problem is None:
            return
        if result.problem == "missing":
            stats.inc_value(f"{STATS_PREFIX}/missing/{field}")
            return
        if result.problem == "unparsable":
            stats.inc_value(f"{STATS_PREFIX}/unparsable")
        else:
            stats.inc_value(f"{STATS_PREFIX}/rejected/{result.problem}")
        logger.warning(
            "Date %s set to None (%s): %r from %s on %s",
            field,
            result.problem,
            raw,
            source,
            url,
            extra={"spider": self.crawler.spider},
        )

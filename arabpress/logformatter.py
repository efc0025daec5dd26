"""Log formatting: a dropped article is one line naming its reason and URL."""

from __future__ import annotations

from typing import Any

from scrapy import logformatter
from scrapy.http import Response
from scrapy.spiders import Spider
from twisted.python.failure import Failure


class ArabPressLogFormatter(logformatter.LogFormatter):
    """Scrapy's formatter, without the whole article in each drop message."""

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        """Log a drop as ``Dropped (Reason): message`` at the drop's level."""
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped (%(reason)s): %(exception)s"
        result["args"] = {"reason": type(exception).__name__, "exception": exception}
        return result

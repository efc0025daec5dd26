"""Count HTML pages that declare no charset, and skip binary bodies served as HTML.

Scrapy 2.19 reads a page whose encoding nothing declares (no charset in Content-Type, no
BOM, no ``<meta charset>``) as UTF-8 when it is valid UTF-8 and otherwise asks
charset-normalizer, so an Arabic page saved in windows-1256 is read correctly; this
middleware only makes that visible: ``arabpress/encoding/detected/<encoding>``, and
``arabpress/encoding/undetected`` when nothing could be inferred.

A body holding NUL bytes is no HTML whatever its Content-Type says (an image or an
archive behind a misconfigured server): decoding it would give the spider a page of
garbage, so it is counted under ``arabpress/pages/binary`` and dropped (IgnoreRequest).
Set ARABPRESS_ENCODING_ENABLED to False to switch both off.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

BINARY_STAT = "arabpress/pages/binary"
DETECTED_STAT = "arabpress/encoding/detected"
UNDETECTED_STAT = "arabpress/encoding/undetected"
# Encodings whose text holds NUL bytes (w3lib's names).
WIDE_ENCODINGS = ("utf-16", "utf-32")


class BinaryPage(IgnoreRequest):
    """The body of a page served as HTML holds NUL bytes: it is not text."""


def is_binary(body: bytes) -> bool:
    """Tell whether *body* holds a NUL byte, which no HTML page in UTF-8 or an 8-bit encoding has."""
    return b"\x00" in body


def declared_encoding(response: Response) -> str | None:
    """Return the encoding the response declares: BOM, Content-Type charset or <meta>, else None."""
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
    return (
        read_bom(response.body)[0]
        or http_content_type_encoding(content_type)
        or html_body_declared_encoding(response.body)
    )


class EncodingMiddleware:
    """Drop binary bodies served as HTML; count the encodings inferred for undeclared pages."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        """Build the middleware, or raise NotConfigured when ARABPRESS_ENCODING_ENABLED is off."""
        if not crawler.settings.getbool("ARABPRESS_ENCODING_ENABLED"):
            raise NotConfigured("ARABPRESS_ENCODING_ENABLED is off")
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Response:
        """Return *response*, or raise BinaryPage for a binary body; count an inferred encoding."""
        if not isinstance(response, HtmlResponse):
            return response
        stats = self.crawler.stats
        assert stats is not None
        # UTF-8 pages of the site declare their charset: the check stops at the header.
        declared = declared_encoding(response)
        if is_binary(response.body) and not (declared or "").startswith(WIDE_ENCODINGS):
            stats.inc_value(BINARY_STAT)
            logger.warning("binary body served as HTML, skipped: %s", response.url)
            raise BinaryPage(f"binary body served as HTML: {response.url}")
        if declared is None:
            inferred = response.encoding if response.body else None
            if inferred:
                stats.inc_value(f"{DETECTED_STAT}/{inferred}")
                logger.info("no charset declared, read as %s: %s", inferred, response.url)
            else:
                stats.inc_value(UNDETECTED_STAT)
        return response

"""Load the bundled sample site's saved pages as Scrapy responses, as the site would serve them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import HtmlResponse

from arabpress.sitesrv import DEFAULT_CONTENT_TYPE, PRODUCTION_ORIGIN, SAMPLE_SITE, load_json_map

PROJECT = Path(__file__).resolve().parent.parent
PAGES = SAMPLE_SITE / "pages"
EXPECTED = PROJECT / "tests" / "data" / "expected.json"


@cache
def content_types() -> dict[str, str]:
    """The Content-Type headers of the paths that are not ``text/html; charset=utf-8``."""
    return load_json_map(SAMPLE_SITE / "content-types.json")


def page_file(path: str) -> Path:
    """Return the saved file for a URL path (``/x/y/`` is ``pages/x/y/index.html``)."""
    relative = urlsplit(path).path.strip("/")
    candidate = PAGES / relative
    return candidate / "index.html" if not relative or candidate.is_dir() else candidate


def load_sample_response(path: str, origin: str = PRODUCTION_ORIGIN) -> HtmlResponse:
    """Return the page at ``path`` (query allowed) as the site serves it from ``origin``; 404 page if absent."""
    url_path = urlsplit(path).path
    file = page_file(path)
    status = 200 if file.is_file() else 404
    body = file.read_bytes() if status == 200 else (SAMPLE_SITE / "404.html").read_bytes()
    # Like the test server: the production origin is replaced byte for byte everywhere.
    body = body.replace(PRODUCTION_ORIGIN.encode("ascii"), origin.encode("ascii"))
    content_type = content_types().get(url_path, DEFAULT_CONTENT_TYPE) if status == 200 else DEFAULT_CONTENT_TYPE
    return HtmlResponse(url=origin + path, status=status, body=body, headers={"Content-Type": content_type})


def expected_pages() -> list[dict[str, Any]]:
    """Return what every sample page must yield (tests/data/expected.json ``pages``)."""
    pages: list[dict[str, Any]] = json.loads(EXPECTED.read_text(encoding="utf-8"))["pages"]
    return pages

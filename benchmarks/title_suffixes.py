"""Share of extracted titles that still end with the site's name, on a folder of real pages.

The folder is a benchmark kit: a ``manifest.jsonl`` of ``{"id", "file", "url"}`` lines whose
files are gzip-compressed saved pages. Each page goes through the project's offline
extraction (``arabpress.offline``, what ``arabpress extract`` runs). A title counts as
suffixed when it ends with a separator followed by the page's ``og:site_name``, its host,
its registered domain or that domain's main label (``- CNNArabic.com``, ``| Gizmodo``).
The check is written here, apart from the extractor's own rules, so that it measures them.

Two figures: over the articles the extraction yields (``items``), and over every page read
as an article whatever its kind (``pages``: what a crawl would store once more page kinds
are accepted). Usage::

    python -m benchmarks.title_suffixes KIT_FOLDER [--no-write] [--list]
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import tldextract
from scrapy.http import HtmlResponse

from arabpress.extract import ArticlePage
from arabpress.extract.metatags import site_name
from arabpress.offline import build_pipelines, extract_response, make_crawler
from benchmarks.run import RESULTS, write_section

# Every separator a title puts before a site name, Latin, Arabic and CJK forms; spaces optional.
SEPARATOR = r"(?:[-–—―|｜丨:：·•・»«›‹/~～_]|\sـ\s)"
# The public suffix list bundled with tldextract: no network access.
DOMAINS = tldextract.TLDExtract(suffix_list_urls=())


@dataclass
class Count:
    """Titles seen and titles that end with a site name, with the offenders."""

    titles: int = 0
    suffixed: list[str] = field(default_factory=list)

    def line(self, label: str) -> str:
        """Return the figure as one line."""
        share = len(self.suffixed) / self.titles if self.titles else 0.0
        return f"- {label}: {len(self.suffixed)} of {self.titles} titles ({share:.1%}) end with a site name"


def site_names(url: str, page_site_name: str | None) -> list[str]:
    """Return the names a title may end with: og:site_name, host, registered domain, main label."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    parts = DOMAINS(host)
    names = [page_site_name or "", host, parts.top_domain_under_public_suffix, parts.domain]
    return [name for name in names if name]


def ends_with_site_name(title: str, names: list[str]) -> bool:
    """Tell whether *title* ends with a separator followed by one of *names*."""
    return any(re.search(rf"{SEPARATOR}\s*{re.escape(name)}\s*$", title, re.IGNORECASE) for name in names)


def measure(kit: Path) -> tuple[Count, Count, int]:
    """Return the counts over yielded articles and over every page, and the number of pages."""
    pipelines = build_pipelines(make_crawler())
    items, pages, total = Count(), Count(), 0
    for line in (kit / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        total += 1
        body = gzip.decompress((kit / entry["file"]).read_bytes())
        response = HtmlResponse(entry["url"], body=body)
        names = site_names(entry["url"], site_name(response.selector))
        title = ArticlePage(response.selector, response.url).title
        if title:
            pages.titles += 1
            if ends_with_site_name(title, names):
                pages.suffixed.append(f"{entry['id']}: {title}")
        outcome = extract_response(response, pipelines)
        item_title = outcome.item.get("title") if outcome.item is not None else None
        if item_title:
            items.titles += 1
            if ends_with_site_name(item_title, names):
                items.suffixed.append(f"{entry['id']}: {item_title}")
    return items, pages, total


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.title_suffixes", description=__doc__.splitlines()[0])
    parser.add_argument("kit", type=Path, help="the folder holding manifest.jsonl and the pages")
    parser.add_argument("--list", action="store_true", help="also print each title that ends with a site name")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/RESULTS.md alone")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the kit and report the figures."""
    args = parse_args(argv)
    if not (args.kit / "manifest.jsonl").is_file():
        print(f"no manifest.jsonl in {args.kit}", file=sys.stderr)
        return 2
    # The pipelines log each date they reject; only the figures matter here.
    logging.disable(logging.WARNING)
    items, pages, total = measure(args.kit)
    text = "\n".join(
        [
            f"Run of `python -m benchmarks.title_suffixes KIT` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
            f"{total} pages.",
            "",
            items.line("articles yielded"),
            pages.line("every page read as an article"),
        ]
    )
    print(text)
    if args.list:
        for offender in sorted(set(items.suffixed) | set(pages.suffixed)):
            print(f"  {offender}")
    if not args.no_write:
        write_section(RESULTS, "title_suffixes.py", text)
        print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

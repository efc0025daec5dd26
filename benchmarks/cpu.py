"""CPU per page of what the arabpress spider adds to bare Scrapy, without the engine.

Every page of a generated site goes, as an ``HtmlResponse``, through the bare spider's
``parse`` and through the arabpress spider's ``parse_page`` (page kind, extraction, links);
each article item then goes through the pipelines but storage. The figures are process CPU
time per page (``time.process_time``), so other jobs on the machine barely move them. Run::

    python -m benchmarks.cpu benchmarks/site/articles-500 [--repeat 3] [--profile out.prof]

``--profile`` writes a cProfile of the extraction and pipeline passes.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from scrapy import Item, Request
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler, load_object
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from arabpress.spiders.arabpress import ArabPressSpider
from benchmarks.bare_spider import BareSpider

PIPELINES = (
    "arabpress.pipelines.cleaning.TextCleaningPipeline",
    "arabpress.pipelines.validation.ValidationPipeline",
    "arabpress.pipelines.dates.DateNormalizationPipeline",
    "arabpress.pipelines.since.SinceFilterPipeline",
    "arabpress.pipelines.duplicates.DuplicatesPipeline",
    "arabpress.pipelines.fingerprint.FingerprintPipeline",
)


def site_pages(site: Path) -> list[tuple[str, bytes]]:
    """Return the URL and the bytes of every HTML page of a generated site."""
    origin = json.loads((site / "manifest.json").read_text(encoding="utf-8"))["origin"]
    pages = []
    for path in sorted((site / "pages").rglob("index.html")):
        relative = path.parent.relative_to(site / "pages").as_posix()
        pages.append((f"{origin}/{relative}/" if relative != "." else f"{origin}/", path.read_bytes()))
    return pages


def responses(pages: Iterable[tuple[str, bytes]]) -> list[HtmlResponse]:
    """Build fresh responses (a response caches its parsed selector)."""
    return [HtmlResponse(url, body=body, encoding="utf-8", request=Request(url)) for url, body in pages]


def cpu_ms(run: Callable[[], Any], count: int) -> float:
    """Run once and return its CPU milliseconds per unit of *count*."""
    started = time.process_time()
    run()
    return (time.process_time() - started) * 1000 / count


def extract(spider: ArabPressSpider, batch: list[HtmlResponse]) -> list[Item]:
    """Run the spider's page callback over every response; return the items."""
    return [out for response in batch for out in spider.parse_page(response) if isinstance(out, Item)]


def process(pipelines: list[Any], items: list[Item]) -> None:
    """Run every item through the pipelines in order, as Scrapy does (a drop ends an item)."""
    for item in items:
        try:
            for pipeline in pipelines:
                item = pipeline.process_item(item)
        except DropItem:
            continue


def one_run(pages: list[tuple[str, bytes]], bare: BareSpider, crawler: Crawler) -> tuple[dict[str, float], int]:
    """Measure each pass once over fresh responses; return the figures and the article count."""
    spider = crawler.spider
    assert isinstance(spider, ArabPressSpider)
    batch = responses(pages)
    figures = {"parse only": cpu_ms(lambda: [r.selector for r in batch], len(batch))}
    # Both spiders get unparsed responses: each pays the decoding and the parse, as in a crawl.
    unparsed = responses(pages)
    bare.requested.clear()
    figures["bare spider"] = cpu_ms(lambda: [list(bare.parse(r)) for r in unparsed], len(unparsed))
    fresh = responses(pages)
    items: list[Item] = []
    # As at a crawl's start: no article requested yet (the spider drops links to those it has).
    spider.requested_articles.clear()
    figures["arabpress spider"] = cpu_ms(lambda: items.extend(extract(spider, fresh)), len(fresh))
    # Fresh pipelines: the duplicates filter remembers the URLs of the previous run.
    pipelines = [build_from_crawler(load_object(path), crawler) for path in PIPELINES]
    figures["pipelines"] = cpu_ms(lambda: process(pipelines, items), len(fresh))
    return figures, len(items)


def measure(site: Path, repeat: int, profile: Path | None) -> dict[str, float]:
    """Return the CPU per page of each pass, the best of *repeat* runs."""
    pages = site_pages(site)
    base_url = "/".join(pages[0][0].split("/", 3)[:3])
    settings = Settings()
    settings.setmodule("arabpress.settings", priority="project")
    settings.set("ARABPRESS_BASE_URL", base_url)
    install_reactor(settings["TWISTED_REACTOR"])  # the crawler checks for one; no engine runs
    crawler = get_crawler(ArabPressSpider, settings.copy_to_dict())
    crawler.spider = ArabPressSpider.from_crawler(crawler)
    bare = BareSpider(base_url=base_url)
    best: dict[str, float] = {}
    profiler = cProfile.Profile() if profile else None
    articles = 0
    for _ in range(repeat):
        if profiler:
            profiler.enable()
        figures, articles = one_run(pages, bare, crawler)
        if profiler:
            profiler.disable()
        for name, value in figures.items():
            best[name] = min(best.get(name, value), value)
    best["added by the spider"] = best["arabpress spider"] - best["bare spider"]
    best["pages"] = len(pages)
    best["articles"] = articles
    if profiler and profile:
        profiler.dump_stats(profile)
    return best


def main(argv: list[str] | None = None) -> None:
    """Print the CPU per page of each pass."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a folder made by benchmarks/make_site.py")
    parser.add_argument("--repeat", type=int, default=3, help="runs; the best is kept (default 3)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the extraction and pipelines here")
    arguments = parser.parse_args(argv)
    figures = measure(arguments.site, arguments.repeat, arguments.profile)
    for name, value in figures.items():
        print(f"{name:>22}: {value:.3f}" if isinstance(value, float) else f"{name:>22}: {value}")


if __name__ == "__main__":
    main()

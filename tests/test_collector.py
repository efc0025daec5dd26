"""The garbage collector settings of the crawl process."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from arabpress.extensions.collector import GarbageCollector


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    """Leave the test process's collector as it was."""
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def extension(**settings: object) -> GarbageCollector:
    """Build the extension with *settings* over the project's."""
    return GarbageCollector.from_crawler(get_crawler(scrapy.Spider, {"ARABPRESS_GC_FREEZE": True, **settings}))


def test_the_crawl_start_freezes_start_up_objects_and_spaces_out_collections() -> None:
    gc.unfreeze()
    collector = extension(ARABPRESS_GC_THRESHOLD=5000)
    assert gc.get_freeze_count() == 0
    collector.spider_opened()
    assert gc.get_freeze_count() > 1000  # this process's modules and test machinery at least
    assert gc.get_threshold()[0] == 5000


def test_a_threshold_of_zero_keeps_pythons_own() -> None:
    before = gc.get_threshold()
    extension(ARABPRESS_GC_THRESHOLD=0).spider_opened()
    assert gc.get_threshold() == before


def test_both_off_leaves_the_collector_alone() -> None:
    with pytest.raises(NotConfigured):
        extension(ARABPRESS_GC_FREEZE=False, ARABPRESS_GC_THRESHOLD=0)


def test_a_negative_threshold_is_refused() -> None:
    with pytest.raises(ValueError, match="ARABPRESS_GC_THRESHOLD must be 0 or more, not -1"):
        extension(ARABPRESS_GC_THRESHOLD=-1)

"""Compute what storage compares between crawls: a content hash and a word count."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

# A word is a run of non-space characters holding a letter or digit of any script, so
# "Iran-backed" is one word, Arabic words count, and a lone dash does not.
WORD_CHARACTER = re.compile(r"\w")


def content_hash(title: str, body: str) -> str:
    """Return the SHA-256 hex digest of the cleaned title and body."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def word_count(body: str) -> int:
    """Return the number of words in *body*."""
    runs = body.split()
    # Most runs start with a letter or digit; only the others are searched for one (half
    # the time of matching every word with a regex).
    return len(runs) - len([run for run in runs if not run[0].isalnum() and WORD_CHARACTER.search(run) is None])


class FingerprintPipeline:
    """Set content_hash and word_count from the cleaned title and body."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FingerprintPipeline:
        """Build the pipeline for *crawler*."""
        return cls()

    def process_item(self, item: Any) -> Any:
        """Add the fingerprint fields to *item*."""
        adapter = ItemAdapter(item)
        title = str(adapter.get("title") or "")
        body = str(adapter.get("body") or "")
        adapter["content_hash"] = content_hash(title, body)
        adapter["word_count"] = word_count(body)
        return item

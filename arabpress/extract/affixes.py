"""Title segments a site puts around its headlines, learned from its own pages during a crawl.

Each article page reports the segments its titles carry around the headline: those that
``<title>`` or og:title add to a headline the page confirms (its ``<h1>``), and the last
segment of a title it could not confirm. A segment reported by ``min_pages`` pages of the
same host is the site's ("| World | Foo News Network"): from then on it is removed from the
ends of that host's unconfirmed titles. A crawl keeps one store, shared by its pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

Side = Literal["before", "after"]
# Segments seen on a single page are forgotten past this many per host and side: every
# unconfirmed title reports one, and a long crawl must not keep them all.
MAX_CANDIDATES = 5_000


@dataclass
class SiteAffixes:
    """Counts of title segments per host and side; those seen on ``min_pages`` pages are learned."""

    min_pages: int = 3
    counts: dict[tuple[str, Side], Counter[str]] = field(default_factory=dict)
    learned_keys: dict[tuple[str, Side], set[str]] = field(default_factory=dict)

    def observe(self, host: str, side: Side, keys: list[str]) -> None:
        """Count the segments (their name keys) one page shows on one side of its headline."""
        counter = self.counts.setdefault((host, side), Counter())
        learned = self.learned_keys.setdefault((host, side), set())
        for key in set(keys) - learned:
            counter[key] += 1
            if counter[key] >= self.min_pages:
                learned.add(key)
                del counter[key]
        if len(counter) > MAX_CANDIDATES:
            for key in [key for key, count in counter.items() if count == 1]:
                del counter[key]

    def learned(self, host: str, side: Side) -> frozenset[str]:
        """Return the segment keys learned for *host* on *side* of the headline."""
        return frozenset(self.learned_keys.get((host, side), ()))

"""Signals the project's components send one another through ``crawler.signals``."""

from __future__ import annotations

# Sent by MongoPipeline once a batch of articles is written (or kept in the replay file),
# with ``taken_at``: the time.monotonic() at which that batch was taken from the buffer.
# Every article that had passed the pipelines before then is stored by now.
articles_stored = object()

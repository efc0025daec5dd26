"""What a re-extraction worker process starts with, asked from inside one (``python -m tests.worker_probe``).

The child process starts the worker pool as ``arabpress reextract`` does, so its fork server
is this run's, and prints what its one worker reports as JSON.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from arabpress import reextract
from arabpress.storage.pages import Page


def warm_page(path: str) -> Page:
    """Return the sample page the warm-up extracts under *path*, as a stored page."""
    url = reextract.WARM_SITE + path
    body = (reextract.SAMPLE_PAGES / path / "index.html").read_bytes()
    content_type = "text/html; charset=utf-8"
    now = datetime.now(UTC)
    return Page(url, url, url, 200, content_type, "utf-8", now, None, "probe", body)


def started_with() -> dict[str, Any]:
    """Return, in a worker, whether it was forked warm, and what its own pipelines make of the warm pages."""
    outcomes = []
    for path in reextract.WARM_PAGES:
        document, reason = reextract.extract_page(warm_page(path))
        outcomes.append(reason if document is None else "article")
    return {"warmed": reextract.warmed, "outcomes": outcomes}


if __name__ == "__main__":
    with reextract.worker_pool(1, {}) as pool:
        print(json.dumps(pool.submit(started_with).result(timeout=120)))

"""Read stored articles by their keys, one ``{_id: {$in: keys}}`` query per LOOKUP_CHUNK keys.

MongoDB answers an ``$in`` on ``_id`` from the ``_id`` index, one round trip for the whole
chunk; FerretDB 1.x on SQLite does too as built by scripts/install-ferretdb.sh (as released
it reads the whole collection for any ``$in``: docs/storage.md, "FerretDB and MongoDB").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo.collection import Collection

# Keys per query: one round trip for a batch of articles (the writer's 100, the incremental
# crawl's 500), well under the 1,000 keys that the FerretDB build pushes down to its index.
LOOKUP_CHUNK = 500


def find_by_ids(
    collection: Collection[dict[str, Any]], keys: Iterable[str], projection: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Return the stored documents among *keys* (each projected), by key; missing keys are left out."""
    unique = list(dict.fromkeys(keys))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(unique), LOOKUP_CHUNK):
        chunk = unique[start : start + LOOKUP_CHUNK]
        # The whole answer in the first batch (by default it holds 101 documents); one more than
        # the keys, so that the server sees the cursor exhausted and no getMore follows.
        for document in collection.find({"_id": {"$in": chunk}}, projection, batch_size=len(chunk) + 1):
            found[document["_id"]] = document
    return found

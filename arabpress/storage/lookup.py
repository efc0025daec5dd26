"""Read stored articles by their keys, one ``{_id: key}`` query each.

One query per key rather than one ``$in``: a lone ``_id`` equality is the lookup every
MongoDB-compatible server answers from its primary key (FerretDB 1.x on SQLite pushes
down nothing else and reads the whole collection for an ``$in``), and MongoDB answers
each from the ``_id`` index without planning (docs/storage.md, "Differences").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pymongo.collection import Collection


def find_by_ids(
    collection: Collection[dict[str, Any]], keys: Iterable[str], projection: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Return the stored documents among *keys* (each projected), by key; missing keys are left out."""
    found: dict[str, dict[str, Any]] = {}
    for key in dict.fromkeys(keys):
        document = collection.find_one({"_id": key}, projection)
        if document is not None:
            found[key] = document
    return found

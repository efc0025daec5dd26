"""Read stored articles by their keys, one ``{_id: key}`` query each.

One query per key rather than one ``$in``: a lone ``_id`` equality is the only lookup
FerretDB 1.x on SQLite answers from its ``_id`` index (as built by
scripts/install-ferretdb.sh; an ``$in`` reads the whole collection), and MongoDB answers
each from the ``_id`` index without planning (docs/storage.md, "FerretDB and MongoDB").
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

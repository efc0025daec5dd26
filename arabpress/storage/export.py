"""Stream stored articles out of MongoDB as JSON Lines or CSV, one document at a time."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, TextIO

from pymongo.collection import Collection

from arabpress.items import ArticleItem
from arabpress.storage.documents import BOOKKEEPING_FIELDS

FORMATS = ("jsonl", "csv")
# Every field of the item contract, then storage's own, in that order.
CSV_COLUMNS = [*ArticleItem.fields, *BOOKKEEPING_FIELDS]


def parse_since(text: str) -> datetime:
    """Parse a date (YYYY-MM-DD, midnight UTC) or an ISO 8601 time (UTC when it has no zone)."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"not a date (YYYY-MM-DD) or an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def export_query(
    since: datetime | None = None, language: str | None = None, include_undated: bool = False
) -> dict[str, Any]:
    """Return the filter for articles published at or after *since* (every one when None), in *language*.

    With *include_undated*, articles without a publication date match *since* too.
    """
    query: dict[str, Any] = {}
    if since is not None:
        dated = {"published_at": {"$gte": since}}
        # {field: null} matches a null and a missing field alike.
        query = {"$or": [dated, {"published_at": None}]} if include_undated else dated
    if language:
        query["language"] = language
    return query


def iter_articles(
    collection: Collection[dict[str, Any]], query: Mapping[str, Any], batch_size: int
) -> Iterator[dict[str, Any]]:
    """Yield the matching articles oldest first, fetched *batch_size* at a time, without _id."""
    cursor = collection.find(query, {"_id": 0}).sort([("published_at", 1), ("url", 1)]).batch_size(batch_size)
    with cursor:
        yield from cursor


def iso_z(value: datetime) -> str:
    """Format an aware datetime as ISO 8601 in UTC with a Z (milliseconds only when set)."""
    value = value.astimezone(UTC)
    spec = "milliseconds" if value.microsecond else "seconds"
    return value.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def plain(value: Any) -> Any:
    """Return *value* with every datetime in it as an ISO 8601 Z string."""
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, Mapping):
        return {key: plain(child) for key, child in value.items()}
    if isinstance(value, list | tuple):
        return [plain(child) for child in value]
    return value


def write_jsonl(articles: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write one JSON object per line; return how many."""
    count = 0
    for article in articles:
        out.write(json.dumps(plain(article), ensure_ascii=False, default=str) + "\n")
        count += 1
    return count


def csv_cell(value: Any) -> str:
    """Return a CSV cell: text as is, lists and objects as JSON, None as empty."""
    value = plain(value)
    if value is None:
        return ""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def write_csv(articles: Iterable[Mapping[str, Any]], out: TextIO) -> int:
    """Write a header and one row per article (CSV_COLUMNS); return how many rows."""
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    count = 0
    for article in articles:
        writer.writerow([csv_cell(article.get(column)) for column in CSV_COLUMNS])
        count += 1
    return count

"""The indexes of the articles and crawls collections, created by name and idempotently."""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, DESCENDING, TEXT, IndexModel
from pymongo.collection import Collection
from pymongo.errors import OperationFailure

from arabpress.storage.connection import describe_error
from arabpress.storage.documents import TEXT_LANGUAGE_FIELD

TEXT_INDEX = "text_title_subtitle_body"

# Articles are keyed by _id = the URL key (storage/documents.py): the _id index is the
# unique one, and every lookup by URL is an _id lookup.
ARTICLE_INDEXES = [
    IndexModel([("published_at", DESCENDING)], name="published_at"),
    IndexModel([("section", ASCENDING), ("published_at", DESCENDING)], name="section_published_at"),
    IndexModel([("language", ASCENDING), ("published_at", DESCENDING)], name="language_published_at"),
    # "What did section S publish on day D", and every section's articles of a day.
    IndexModel([("published_date", DESCENDING), ("section", ASCENDING)], name="published_date_section"),
    IndexModel([("tags", ASCENDING)], name="tags"),
    IndexModel([("content_hash", ASCENDING)], name="content_hash"),
    # "What changed in the last run" looks articles up by the crawl that changed them.
    IndexModel([("crawl_id", ASCENDING)], name="crawl_id"),
]

# default_language "none": no stemming and no stop words, since MongoDB has no Arabic
# stemmer and the English one would treat the two languages differently. The
# language_override names a field no article has: left at its default ("language"),
# MongoDB would stem "en" articles in English and refuse every "ar" one (code 17262,
# "language override unsupported").
ARTICLE_TEXT_INDEX = IndexModel(
    [("title", TEXT), ("subtitle", TEXT), ("body", TEXT)],
    name=TEXT_INDEX,
    default_language="none",
    language_override=TEXT_LANGUAGE_FIELD,
    weights={"title": 5, "subtitle": 2, "body": 1},
)

CRAWL_INDEXES = [
    IndexModel([("crawl_id", ASCENDING)], name="crawl_id_unique", unique=True),
    IndexModel([("started_at", DESCENDING)], name="started_at"),
]

# Errors that mean an index conflicts with one already there: a real problem to report,
# unlike a server that lacks text indexes altogether.
INDEX_CONFLICT_CODES = frozenset({85, 86})


def create_each(collection: Collection[dict[str, Any]], models: list[IndexModel]) -> None:
    """Create *models* one command each (an index that exists with the same options is left alone).

    One at a time because FerretDB 1.24 drops the connection when one createIndexes
    command names two or more indexes that all exist already.
    """
    for model in models:
        collection.create_indexes([model])


def ensure_article_indexes(collection: Collection[dict[str, Any]]) -> list[str]:
    """Create the article indexes; return one warning per index type the server lacks."""
    create_each(collection, ARTICLE_INDEXES)
    try:
        collection.create_indexes([ARTICLE_TEXT_INDEX])
    except OperationFailure as error:
        if error.code in INDEX_CONFLICT_CODES:
            raise
        return [
            f"MongoDB server has no text indexes ({describe_error(error)}): "
            "full-text search ($text) is unavailable, use $regex (docs/querying.md)"
        ]
    return []


def ensure_crawl_indexes(collection: Collection[dict[str, Any]]) -> None:
    """Create the crawls collection's indexes."""
    create_each(collection, CRAWL_INDEXES)


def has_text_index(collection: Collection[dict[str, Any]]) -> bool:
    """Return True when the collection has the articles' text index."""
    return TEXT_INDEX in collection.index_information()

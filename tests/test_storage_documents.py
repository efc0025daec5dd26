"""The stored form's checks and record hash, against their plain definitions, on generated documents."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import bson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from itemadapter import ItemAdapter

from arabpress.items import ArticleItem
from arabpress.rules import EXTRACTOR_VERSION
from arabpress.storage.documents import (
    BOOKKEEPING_FIELDS,
    BOOKKEEPING_ROOM,
    DATE_FIELDS,
    STAMPED_FIELDS,
    DocumentError,
    article_document,
    article_fields,
    check_document,
    check_keys,
    record_hash,
)

# Surrogates are no UTF-8: the strings of storable documents leave them out.
CHARACTERS = st.characters(blacklist_categories=("Cs",))
KEYS = st.one_of(
    st.sampled_from(["title", "body", "url", "caption", "a.b", "$set", "x\x00y", "", "_id", "version"]),
    st.text(CHARACTERS, max_size=4),
    st.integers(0, 3),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.text(CHARACTERS, max_size=8),
    st.binary(max_size=4),
    # BSON keeps milliseconds.
    st.datetimes(timezones=st.just(UTC)).map(
        lambda moment: moment.replace(microsecond=moment.microsecond // 1000 * 1000)
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(KEYS, inner, max_size=4),
    ),
    max_leaves=20,
)
TEXT_KEYS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="$.\x00"), min_size=1, max_size=6)
STORABLE = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT_KEYS, inner, max_size=4)),
    max_leaves=20,
)


def reference_check_keys(value: Any, path: str = "") -> None:
    """The walk check_keys replaced: every value visited, its path built, whatever its type."""
    if isinstance(value, Mapping):
        for key, child in value.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str) or not key:
                raise DocumentError(f"field name {key!r} under {path or 'the top level'} is empty or not text")
            if key.startswith("$") or "." in key or "\x00" in key:
                raise DocumentError(f"field name {where!r} has '$', '.' or NUL")
            reference_check_keys(child, where)
    elif isinstance(value, list | tuple):
        for index, child in enumerate(value):
            reference_check_keys(child, f"{path}.{index}")


def reference_sorted(value: Any) -> Any:
    """The key sorting record_hash used before: a call for every value."""
    if isinstance(value, Mapping):
        return {key: reference_sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list | tuple):
        return [reference_sorted(child) for child in value]
    return value


def refusal(check: Any, value: Any) -> str | None:
    """Return the message *check* raises for *value*, or None."""
    try:
        check(value)
    except DocumentError as error:
        return str(error)
    return None


@settings(max_examples=500)
@given(st.dictionaries(KEYS, VALUES, max_size=6))
def test_check_keys_refuses_what_the_full_walk_refuses_with_the_same_message(document: dict[Any, Any]) -> None:
    assert refusal(check_keys, document) == refusal(reference_check_keys, document)


@settings(max_examples=300)
@given(st.dictionaries(TEXT_KEYS, STORABLE, max_size=6))
def test_record_hash_is_the_sha256_of_the_sorted_article_fields(fields: dict[str, Any]) -> None:
    expected = hashlib.sha256(bson.encode(reference_sorted(article_fields(fields)))).hexdigest()
    assert record_hash(fields) == expected


def storable(extra: dict[str, Any]) -> dict[str, Any]:
    """Return a keyed article document with the *extra* fields (article fields and bookkeeping)."""
    url = "https://www.arabpress.example/2026/01/01/story/"
    fields = {"fetched_at": datetime(2026, 1, 1, tzinfo=UTC), **extra}
    return {"_id": url, **fields, "url": url, "content_hash": "0" * 64}


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.one_of(TEXT_KEYS, st.sampled_from(["first_seen_at", "version", "crawl_id", "fetched_url", "record_hash"])),
        STORABLE,
        max_size=6,
    ).filter(lambda extra: not {"_id", "url", "content_hash", "fetched_at", "text_search_language"} & set(extra))
)
def test_the_size_limit_applies_to_the_whole_document_and_the_record_hash_comes_back(extra: dict[str, Any]) -> None:
    document = storable(extra)
    size = len(bson.encode(document))
    assert check_document(document, size + BOOKKEEPING_ROOM) == record_hash(document)
    limit = size + BOOKKEEPING_ROOM - 1
    with pytest.raises(DocumentError, match=rf"^{size} bytes, over the server's limit of {limit}$"):
        check_document(document, limit)


def test_a_value_bson_cannot_encode_is_refused_wherever_it_is() -> None:
    for name in ("body", "crawl_id"):
        for value in ({1, 2}, "lone surrogate \ud800"):
            with pytest.raises(DocumentError, match=r"^not storable as BSON: "):
                check_document(storable({name: value}), 16 * 1024 * 1024)


def reference_article_document(item: Any) -> dict[str, Any]:
    """The build article_document replaced: every field read through ItemAdapter."""
    document: dict[str, Any] = {}
    for name, value in ItemAdapter(item).items():
        if name in BOOKKEEPING_FIELDS or name in STAMPED_FIELDS or name == "_id":
            continue
        if name in DATE_FIELDS and isinstance(value, datetime) and value.tzinfo is not None:
            value = value.astimezone(UTC)
        document[name] = value
    document["extractor_version"] = EXTRACTOR_VERSION
    return document


ITEM_VALUES = st.one_of(
    SCALARS,
    st.datetimes(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5))])),
    st.lists(st.text(max_size=3), max_size=2),
)
ITEM_FIELDS = st.dictionaries(
    st.sampled_from(sorted({*ArticleItem.fields, *BOOKKEEPING_FIELDS, *STAMPED_FIELDS, "_id"})),
    ITEM_VALUES,
    max_size=12,
)


@dataclass
class Story:
    """An item that is no mapping, read through ItemAdapter."""

    url: str
    published_at: datetime
    version: int


@settings(max_examples=300)
@given(ITEM_FIELDS)
def test_article_document_keeps_the_fields_in_order_as_the_adapter_walk_did(fields: dict[str, Any]) -> None:
    item = ArticleItem(**{name: value for name, value in fields.items() if name in ArticleItem.fields})
    for source in (fields, item):
        document = article_document(source)
        expected = reference_article_document(source)
        assert document == expected
        assert list(document) == list(expected)
        # Equal datetimes may differ in time zone: each must be converted alike.
        assert [getattr(value, "tzinfo", None) for value in document.values()] == [
            getattr(value, "tzinfo", None) for value in expected.values()
        ]


def test_an_item_that_is_no_mapping_is_read_through_itemadapter() -> None:
    story = Story("https://www.arabpress.example/x/", datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=3))), 7)
    document = article_document(story)
    assert document == reference_article_document(story)
    assert document["published_at"] == datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert document["published_at"].tzinfo is UTC
    assert "version" not in document

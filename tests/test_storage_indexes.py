"""Indexes of the articles and crawls collections, created twice against the real server."""

from __future__ import annotations

from datetime import UTC, datetime

import pymongo
import pytest
from pymongo.errors import OperationFailure

from arabpress.items import ArticleItem
from arabpress.storage.documents import TEXT_LANGUAGE_FIELD, article_document
from arabpress.storage.indexes import (
    ARTICLE_INDEXES,
    ARTICLE_TEXT_INDEX,
    CRAWL_INDEXES,
    TEXT_INDEX,
    ensure_article_indexes,
    ensure_crawl_indexes,
    has_text_index,
)
from tests.storage_helpers import article, client_for, server_is_ferretdb


def test_the_text_index_is_the_same_for_every_language() -> None:
    options = ARTICLE_TEXT_INDEX.document
    assert options["default_language"] == "none"
    # Left at its default, the override is the field "language", which articles have.
    assert options["language_override"] == TEXT_LANGUAGE_FIELD
    assert TEXT_LANGUAGE_FIELD not in ArticleItem.fields
    assert TEXT_LANGUAGE_FIELD not in article_document(article("https://www.arabpress.example/x/"))


def test_article_indexes_are_created_by_name_and_twice_without_error(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        articles.insert_one({"_id": "https://www.arabpress.example/x/", "url": "https://www.arabpress.example/x/"})
        first = ensure_article_indexes(articles)
        second = ensure_article_indexes(articles)
        assert first == second
        info = articles.index_information()
        for model in ARTICLE_INDEXES:
            assert model.document["name"] in info
        assert "url_unique" not in info  # the _id is the unique URL key
        assert info["section_published_at"]["key"] == [("section", 1), ("published_at", -1)]
        assert info["language_published_at"]["key"] == [("language", 1), ("published_at", -1)]
        with pytest.raises(pymongo.errors.DuplicateKeyError):
            articles.insert_one({"_id": "https://www.arabpress.example/x/"})
        if server_is_ferretdb(client):
            # FerretDB has no text indexes: one warning, and the crawl carries on.
            assert len(first) == 1 and "no text indexes" in first[0]
            assert not has_text_index(articles)
            with pytest.raises(OperationFailure):
                list(articles.find({"$text": {"$search": "b"}}))
        else:
            assert first == []
            assert has_text_index(articles)
            # The index as listIndexes returns it.
            text = info[TEXT_INDEX]
            assert text["default_language"] == "none"
            assert text["language_override"] == TEXT_LANGUAGE_FIELD
            assert {name for name, _ in text["key"]} >= {"_fts", "_ftsx"}
            assert set(text["weights"]) == {"title", "subtitle", "body"}


def test_text_search_stores_and_finds_both_languages_alike(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        warnings = ensure_article_indexes(articles)
        english = {"_id": "https://www.arabpress.example/en/", "language": "en", "title": "Markets", "body": "running"}
        arabic = {"_id": "https://www.arabpress.example/ar/", "language": "ar", "title": "الأسواق", "body": "النفط"}
        # MongoDB refused "ar" documents (code 17262) when the override was "language".
        articles.insert_many([english, arabic])
        assert articles.count_documents({}) == 2
        if server_is_ferretdb(client):
            assert warnings and not has_text_index(articles)
            return
        found = [doc["_id"] for doc in articles.find({"$text": {"$search": "النفط"}})]
        assert found == [arabic["_id"]]
        assert [doc["_id"] for doc in articles.find({"$text": {"$search": "running"}})] == [english["_id"]]
        # No stemming for English either: "run" is not "running".
        assert list(articles.find({"$text": {"$search": "run"}})) == []


def test_crawl_indexes_are_created_twice_without_error(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        crawls = client[mongo_database]["crawls"]
        ensure_crawl_indexes(crawls)
        ensure_crawl_indexes(crawls)
        info = crawls.index_information()
        assert {model.document["name"] for model in CRAWL_INDEXES} <= set(info)
        assert info["crawl_id_unique"]["unique"] is True


def test_articles_of_a_day_and_section_are_found_by_the_stated_day(mongo_uri: str, mongo_database: str) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        ensure_article_indexes(articles)
        assert articles.index_information()["published_date_section"]["key"] == [
            ("published_date", -1),
            ("section", 1),
        ]
        days = {"late": "2020-09-24", "next": "2020-09-25"}
        for name, day in days.items():
            # Both start on 23 September in UTC: only published_date tells the pages' days apart.
            stored = article(f"https://www.arabpress.example/{name}/", published_date=day, published_precision="day")
            stored["published_at"] = datetime(2020, 9, 23, 21, 0, tzinfo=UTC)
            articles.insert_one(article_document(stored))
        found = articles.find({"published_date": "2020-09-24", "section": "Economy"}, {"_id": 0, "url": 1})
        assert [doc["url"] for doc in found] == ["https://www.arabpress.example/late/"]
        assert articles.count_documents({"published_date": {"$gte": "2020-09-24", "$lt": "2020-09-26"}}) == 2

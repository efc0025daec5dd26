"""``arabpress export``: stored articles streamed out as JSON Lines or CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from arabpress.cli import main
from arabpress.local.process import free_port
from arabpress.storage.export import CSV_COLUMNS, iso_z, write_jsonl
from arabpress.storage.indexes import ensure_article_indexes
from arabpress.storage.writer import ArticleWriter
from tests.storage_helpers import client_for, entry

URL = "https://www.arabpress.example/"


def at(day: int, hour: int = 12) -> datetime:
    """Return a time in January 2026, UTC."""
    return datetime(2026, 1, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def database(mongo_uri: str, mongo_database: str) -> str:
    """A database holding five articles: English and Arabic, one without a date."""
    articles = [
        entry(URL + "en/old/", published_at=at(10)),
        entry(URL + "en/mid/", published_at=at(20), tags=["Iran", "Syria"], subtitle="A standfirst, with a comma"),
        entry(
            URL + "ar/mid/",
            language="ar",
            title="النفط",
            body="قررت مجموعة أوبك+ الإبقاء على الإنتاج.",
            published_at=at(21),
        ),
        entry(URL + "ar/new/", language="ar", published_at=at(30, 23)),
        entry(URL + "en/undated/", published_at=None),
    ]
    with client_for(mongo_uri) as client:
        collection = client[mongo_database]["articles"]
        ensure_article_indexes(collection)
        assert ArticleWriter(collection).write(articles).inserted == 5
    return mongo_database


def export(uri: str, database: str, *options: str) -> int:
    """Run ``arabpress export`` against *database*."""
    return main(["export", "--uri", uri, "--database", database, "--batch-size", "2", *options])


def test_jsonl_is_oldest_first_with_iso_z_dates(
    mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(mongo_uri, database, "--since", "2026-01-20") == 0
    captured = capsys.readouterr()
    lines = [json.loads(line) for line in captured.out.splitlines()]
    assert [line["url"] for line in lines] == [URL + "en/mid/", URL + "ar/mid/", URL + "ar/new/"]
    assert captured.err == f"exported 3 articles from {database}.articles at {mongo_uri}\n"
    first = lines[0]
    assert "_id" not in first
    assert first["published_at"] == "2026-01-20T12:00:00Z"
    assert first["fetched_at"] == "2026-02-01T09:00:00Z"
    assert first["modified_at"] is None
    assert first["tags"] == ["Iran", "Syria"]
    assert first["version"] == 1
    assert "النفط" in captured.out  # Arabic as text, not \u escapes


def test_language_and_time_filters(mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(mongo_uri, database, "--since", "2026-01-21T12:00:00+03:00", "--language", "ar") == 0
    urls = [json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()]
    assert urls == [URL + "ar/mid/", URL + "ar/new/"]  # 21 Jan 12:00 UTC is after 09:00 UTC
    # None matched: exit status 1, and the line says where it looked.
    assert export(mongo_uri, database, "--since", "2026-01-31", "--language", "ar") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"exported 0 articles: none matched in {database}.articles at {mongo_uri} (it holds 5 articles)\n"
    )


def test_without_since_every_article_is_exported(
    mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(mongo_uri, database) == 0
    captured = capsys.readouterr()
    urls = [json.loads(line)["url"] for line in captured.out.splitlines()]
    assert sorted(urls) == sorted(
        [URL + "en/old/", URL + "en/mid/", URL + "ar/mid/", URL + "ar/new/", URL + "en/undated/"]
    )
    assert captured.err == f"exported 5 articles from {database}.articles at {mongo_uri}\n"


def test_include_undated_adds_the_articles_without_a_date(
    mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert export(mongo_uri, database, "--since", "2026-01-20", "--include-undated") == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(line["url"] for line in lines) == sorted(
        [URL + "en/mid/", URL + "ar/mid/", URL + "ar/new/", URL + "en/undated/"]
    )
    assert [line["published_at"] for line in lines if line["url"] == URL + "en/undated/"] == [None]
    assert export(mongo_uri, database, "--since", "2026-01-31", "--include-undated", "--language", "en") == 0
    assert [json.loads(line)["url"] for line in capsys.readouterr().out.splitlines()] == [URL + "en/undated/"]


def test_a_database_with_no_articles_says_so(mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    empty = database + "_none"
    assert export(mongo_uri, empty) == 1
    assert capsys.readouterr().err == (
        f"exported 0 articles: none matched in {empty}.articles at {mongo_uri} (it holds 0 articles)\n"
    )


def test_csv_to_a_file(tmp_path: Path, mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "out" / "articles.csv"
    output.parent.mkdir()
    assert export(mongo_uri, database, "--since", "2026-01-01", "--format", "csv", "--output", str(output)) == 0
    assert capsys.readouterr().err == f"exported 4 articles from {database}.articles at {mongo_uri} to {output}\n"
    assert [path.name for path in output.parent.iterdir()] == ["articles.csv"]
    with output.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == CSV_COLUMNS
    records = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [record["url"] for record in records] == [
        URL + "en/old/",
        URL + "en/mid/",
        URL + "ar/mid/",
        URL + "ar/new/",
    ]
    mid = records[1]
    assert json.loads(mid["tags"]) == ["Iran", "Syria"]
    assert mid["subtitle"] == "A standfirst, with a comma"
    assert mid["published_at"] == "2026-01-20T12:00:00Z"
    assert mid["modified_at"] == ""
    assert mid["version"] == "1"


def test_a_bad_date_is_one_line(mongo_uri: str, database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert export(mongo_uri, database, "--since", "last tuesday") == 2
    assert capsys.readouterr().err == (
        "arabpress export: --since: not a date (YYYY-MM-DD) or an ISO 8601 time: 'last tuesday'\n"
    )


def test_an_unreachable_server_is_one_line_and_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MONGO_SERVER_SELECTION_TIMEOUT", "0.3")
    port = free_port()
    output = tmp_path / "articles.jsonl"
    status = main(["export", "--since", "2026-01-01", "--uri", f"mongodb://127.0.0.1:{port}/", "--output", str(output)])
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith(f"arabpress export: MongoDB at mongodb://127.0.0.1:{port}/ is unreachable: ")
    assert err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_lines_are_written_as_they_come() -> None:
    def articles() -> Iterator[dict[str, Any]]:
        yield {"url": "a", "published_at": at(1)}
        yield {"url": "b", "published_at": at(2)}
        raise RuntimeError("the cursor broke")

    out = io.StringIO()
    with pytest.raises(RuntimeError):
        write_jsonl(articles(), out)
    assert out.getvalue().splitlines() == [
        '{"url": "a", "published_at": "2026-01-01T12:00:00Z"}',
        '{"url": "b", "published_at": "2026-01-02T12:00:00Z"}',
    ]


def test_iso_z_keeps_milliseconds_only_when_set() -> None:
    assert iso_z(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    assert iso_z(datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"

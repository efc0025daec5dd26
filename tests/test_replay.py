"""``arabpress replay FILE``: the articles a crawl could not write, written later with the same rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from arabpress.cli import main
from arabpress.local.process import free_port
from arabpress.storage.indexes import ensure_article_indexes
from arabpress.storage.replay import ReplayFile, read_entries
from arabpress.storage.writer import ArticleWriter
from tests.storage_helpers import T0, client_for, entry, later

URL = "https://www.arabpress.example/2026/01/31/"


def replay_args(path: Path, uri: str, database: str) -> list[str]:
    """Return the command line that replays *path* into *database*."""
    return ["replay", str(path), "--uri", uri, "--database", database, "--batch-size", "2"]


def test_replay_writes_with_the_crawls_rules_and_twice_changes_nothing(
    tmp_path: Path, mongo_uri: str, mongo_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with client_for(mongo_uri) as client:
        articles = client[mongo_database]["articles"]
        ensure_article_indexes(articles)
        ArticleWriter(articles).write([entry(URL + "same/"), entry(URL + "changed/", body="Old text.")])
    replay = ReplayFile(tmp_path / "arabpress-crawl-2.jsonl")
    seen = later(60)
    replay.append(
        [entry(URL + "new/", seen_at=seen, crawl="crawl-2"), entry(URL + "same/", seen_at=seen, crawl="crawl-2")]
    )
    replay.append([entry(URL + "changed/", body="New text.", seen_at=seen, crawl="crawl-2")])
    assert [e.url for e in read_entries(replay.path)] == [URL + "new/", URL + "same/", URL + "changed/"]

    assert main(replay_args(replay.path, mongo_uri, mongo_database)) == 0
    out = capsys.readouterr().out
    assert (
        out.strip() == f"{replay.path}: 3 lines, 1 inserted, 1 updated, 1 unchanged, 0 stale, 0 rejected, 0 not written"
    )
    with client_for(mongo_uri) as client:
        stored = {doc["url"]: doc for doc in client[mongo_database]["articles"].find()}
    assert set(stored) == {URL + "new/", URL + "same/", URL + "changed/"}
    assert (stored[URL + "new/"]["crawl_id"], stored[URL + "new/"]["first_seen_at"]) == ("crawl-2", seen)
    assert (stored[URL + "same/"]["crawl_id"], stored[URL + "same/"]["last_seen_at"]) == ("crawl-1", seen)
    assert stored[URL + "same/"]["first_seen_at"] == T0
    changed = stored[URL + "changed/"]
    assert (changed["body"], changed["version"], changed["updated_at"]) == ("New text.", 2, seen)

    assert main(replay_args(replay.path, mongo_uri, mongo_database)) == 0
    assert "0 inserted, 0 updated, 3 unchanged" in capsys.readouterr().out
    with client_for(mongo_uri) as client:
        assert client[mongo_database]["articles"].count_documents({"url": URL + "changed/", "version": 2}) == 1


def test_rejected_entries_are_reported_and_the_status_is_one(
    tmp_path: Path, mongo_uri: str, mongo_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = entry(URL + "bad/")
    bad.document["images"] = [{"cap\x00tion": "a NUL in a key"}]
    replay = ReplayFile(tmp_path / "replay.jsonl")
    replay.append([entry(URL + "good/"), bad])
    assert main(replay_args(replay.path, mongo_uri, mongo_database)) == 1
    captured = capsys.readouterr()
    assert "1 inserted" in captured.out and "1 rejected" in captured.out
    assert any(line.startswith(f"rejected {URL}bad/: ") for line in captured.err.splitlines())


def test_a_missing_file_is_one_line(tmp_path: Path, mongo_uri: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "nothing.jsonl"), "--uri", mongo_uri]) == 2
    err = capsys.readouterr().err
    assert err == f"arabpress replay: cannot read {tmp_path / 'nothing.jsonl'}: No such file or directory\n"


def test_a_bad_file_is_one_line_and_writes_nothing(
    tmp_path: Path, mongo_uri: str, mongo_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    replay = ReplayFile(tmp_path / "replay.jsonl")
    replay.append([entry(URL + "first/")])
    with replay.path.open("a", encoding="utf-8") as handle:
        handle.write('{"crawl_id": "x", "article": {"url": "u"}\n')
    assert main(replay_args(replay.path, mongo_uri, mongo_database)) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"arabpress replay: {replay.path}: line 2 is not a replay record: ")
    assert err.count("\n") == 1
    with client_for(mongo_uri) as client:
        assert client[mongo_database]["articles"].count_documents({}) == 0


def test_an_unreachable_server_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    replay = ReplayFile(tmp_path / "replay.jsonl")
    replay.append([entry(URL + "first/")])
    monkeypatch.setenv("MONGO_SERVER_SELECTION_TIMEOUT", "0.3")
    port = free_port()
    assert main(["replay", str(replay.path), "--uri", f"mongodb://127.0.0.1:{port}/"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"arabpress replay: MongoDB at mongodb://127.0.0.1:{port}/ is unreachable: ")
    assert err.count("\n") == 1

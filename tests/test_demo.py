"""`arabpress demo` end to end: the sample site served, crawled in a child process, stored, summarized."""

from __future__ import annotations

import csv
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pymongo
import pytest

from arabpress.local.process import free_port, port_open

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((Path(__file__).parent / "data" / "expected.json").read_text(encoding="utf-8"))


def demo_env(mongo_uri: str | None) -> dict[str, str]:
    """This environment with MONGO_URI set to *mongo_uri*, or unset."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("MONGO_")}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    if mongo_uri is not None:
        env["MONGO_URI"] = mongo_uri
    return env


def demo(*arguments: str, mongo_uri: str | None, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """Run `arabpress demo` in a child process, from a folder outside the project."""
    return subprocess.run(
        [sys.executable, "-m", "arabpress.cli", "demo", *arguments],
        env=demo_env(mongo_uri),
        cwd="/",
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def expected_urls(origin: str) -> set[str]:
    """The sample site's stored article URLs, on *origin*."""
    return {
        page["item"]["url"].replace(EXPECTED["origin"], origin)
        for page in EXPECTED["pages"]
        if isinstance(page["item"], dict)
    }


def test_demo_crawls_into_the_database_at_mongo_uri(mongo_uri: str, mongo_database: str, tmp_path: Path) -> None:
    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        client[mongo_database]["articles"].insert_one({"url": "left over by an earlier demo"})

    result = demo("--database", mongo_database, mongo_uri=mongo_uri)
    assert result.returncode == 0, result.stderr
    out = result.stdout

    # Progress went to stderr while it ran.
    origin_match = re.search(r"crawling (http://127\.0\.0\.1:\d+): \d+ pages fetched", result.stderr)
    assert origin_match, result.stderr
    origin = origin_match.group(1)

    assert f"Stored 7 articles in {mongo_database}.articles at {mongo_uri}." in out
    assert "throwaway" not in out
    assert "  by language: en 4, ar 3\n" in out
    assert "  by section:  Economy 3, اقتصاد 2, Middle East 1, السعودية 1\n" in out
    assert "  dropped:     1 (MissingBody 1)\n" in out
    newest = re.findall(r"^    (\d{4}-\d\d-\d\d \d\d:\d\d UTC)  (en|ar)  (.+)$", out, flags=re.MULTILINE)
    assert len(newest) == 5
    assert newest[0] == (
        "2026-02-02 07:30 UTC",
        "ar",
        "السعودية تفتح سوق العقارات أمام المشترين الأجانب في إصلاح تاريخي",
    )
    assert [when for when, _, _ in newest] == sorted((when for when, _, _ in newest), reverse=True)
    assert "(finish reason: finished)" in out

    with pymongo.MongoClient(mongo_uri, serverSelectionTimeoutMS=5000) as client:
        stored = {doc["url"] for doc in client[mongo_database]["articles"].find({}, {"url": 1})}
    assert stored == expected_urls(origin)

    # The query it suggests works as printed.
    one_liner = re.search(r'^  python -c "(.+)"$', out, flags=re.MULTILINE)
    assert one_liner, out
    queried = subprocess.run([sys.executable, "-c", one_liner.group(1)], capture_output=True, text=True, timeout=60)
    assert queried.returncode == 0, queried.stderr
    assert "'title': " in queried.stdout and f"'url': '{origin}/ar/" in queried.stdout
    export = re.search(r"^  (arabpress export .+)$", out, flags=re.MULTILINE)
    assert export, out
    assert f"--uri '{mongo_uri}' --database {mongo_database} " in export.group(1)
    exported = subprocess.run(
        shlex.split(export.group(1)), env=demo_env(None), cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert exported.returncode == 0, exported.stderr
    with (tmp_path / "articles.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {row["url"] for row in rows} == stored

    # The environment line points the commands (and docs/querying.md's examples) at the demo's database.
    variables = re.search(r"^  export MONGO_URI='([^']+)' MONGO_DATABASE=(\S+)", out, flags=re.MULTILINE)
    assert variables, out
    assert variables.groups() == (mongo_uri, mongo_database)
    env = {**demo_env(None), "MONGO_URI": variables.group(1), "MONGO_DATABASE": variables.group(2)}
    plain = subprocess.run(
        [sys.executable, "-m", "arabpress.cli", "export"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert plain.returncode == 0, plain.stderr
    assert {json.loads(line)["url"] for line in plain.stdout.splitlines()} == stored


def start_demo(tmp_path: Path, *arguments: str) -> subprocess.Popen[str]:
    """Start `arabpress demo` with a throwaway database, its temporary folders under *tmp_path*."""
    env = {**demo_env(None), "TMPDIR": str(tmp_path)}
    return subprocess.Popen(
        [sys.executable, "-m", "arabpress.cli", "demo", *arguments],
        env=env,
        cwd="/",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def read_until(stream: Any, marker: str, timeout: float = 180) -> str:
    """Read lines of *stream* until one holds *marker*; return them."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while not lines or marker not in lines[-1]:
        line = stream.readline()
        assert line, f"demo ended early:\n{''.join(lines)}"
        lines.append(line)
        assert time.monotonic() < deadline
    return "".join(lines)


def close(process: subprocess.Popen[str]) -> None:
    """Kill *process* if it still runs and close its pipes."""
    if process.poll() is None:
        process.kill()
        process.wait()
    for stream in (process.stdout, process.stderr):
        if stream is not None:
            stream.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_demo_with_a_throwaway_database_kept_until_stopped(tmp_path: Path, signum: int) -> None:
    process = start_demo(tmp_path, "--keep")
    try:
        assert process.stdout is not None and process.stderr is not None
        out = read_until(process.stdout, "until you press Ctrl-C")
        assert re.search(
            r"Stored 7 articles in arabpress_demo\.articles at mongodb://127\.0\.0\.1:\d+/ \(a throwaway", out
        )
        assert "deleted at exit" in out
        uri_match = re.search(r"MongoClient\('(mongodb://127\.0\.0\.1:(\d+)/)'\)", out)
        assert uri_match, out
        uri, port = uri_match.group(1), int(uri_match.group(2))
        with pymongo.MongoClient(uri, serverSelectionTimeoutMS=5000) as client:
            assert client["arabpress_demo"]["articles"].count_documents({}) == 7
        assert list(tmp_path.iterdir()), "the demo keeps its database and site under TMPDIR"
        process.send_signal(signum)
        assert process.wait(60) == 0
        errors = process.stderr.read()
        site_match = re.search(r"crawling http://127\.0\.0\.1:(\d+)", errors)
        assert site_match, errors
        assert not port_open(port), "the throwaway database still runs after the demo ended"
        assert not port_open(int(site_match.group(1))), "the site server still runs after the demo ended"
        assert list(tmp_path.iterdir()) == []
    finally:
        close(process)


def test_demo_stopped_mid_crawl_leaves_nothing(tmp_path: Path) -> None:
    process = start_demo(tmp_path)
    try:
        assert process.stderr is not None
        errors = read_until(process.stderr, "crawling http://")
        site_port = int(re.findall(r"crawling http://127\.0\.0\.1:(\d+)", errors)[-1])
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 130
        assert "arabpress demo: interrupted" in process.stderr.read()
        assert not port_open(site_port)
        assert list(tmp_path.iterdir()) == []
    finally:
        close(process)


def test_unreachable_mongo_uri_is_one_line() -> None:
    uri = f"mongodb://127.0.0.1:{free_port()}/"
    started = time.monotonic()
    result = demo(mongo_uri=uri, timeout=60)
    assert time.monotonic() - started < 30
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"arabpress demo: MongoDB at {uri} is unreachable"), result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_bad_options_are_one_line(mongo_uri: str) -> None:
    result = demo("--database", "arabpress", mongo_uri=mongo_uri)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "arabpress demo: --database arabpress is the crawl's own database (MONGO_DATABASE): pick another"
    )
    result = demo("--keep", mongo_uri=mongo_uri)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("arabpress demo: --keep holds the throwaway database open")

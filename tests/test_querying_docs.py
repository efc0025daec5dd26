"""Every example of docs/querying.md, run against a database filled by two crawls of the sample site.

Each example is a pymongo block and a mongosh block: the pymongo block runs here and must
give what the example promises; the mongosh block runs in mongosh and must give the same.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from bson import json_util
from pymongo.errors import OperationFailure

from arabpress.local.site import SiteServer
from arabpress.rules import EXTRACTOR_VERSION
from arabpress.sitesrv import SAMPLE_SITE
from arabpress.storage.indexes import has_text_index
from arabpress.storage.replay import JSON_OPTIONS
from tests.crawl import PROJECT_ROOT, run_crawl
from tests.storage_helpers import client_for

DOC = PROJECT_ROOT / "docs" / "querying.md"
GOLD_PATH = "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
GOLD_SENTENCE = "Spot gold traded above its previous record on Friday"
ARABIC_WORD = "النفط"
# A changed extraction rule, loaded by the re-extraction's Python through sitecustomize.
ARABIC_TITLE_RULE = """\
from itemadapter import ItemAdapter
from arabpress.pipelines.cleaning import TextCleaningPipeline
_original = TextCleaningPipeline.process_item
def _marked(self, item):
    item = _original(self, item)
    if ItemAdapter(item)["language"] == "ar":
        ItemAdapter(item)["title"] += " (مراجعة)"
    return item
TextCleaningPipeline.process_item = _marked
"""


@dataclass
class Example:
    """One example of the doc: its heading, pymongo code and mongosh code."""

    heading: str
    python: str
    mongosh: str

    @property
    def needs_text_index(self) -> bool:
        """Return True for the full-text search variant."""
        return "$text" in self.python


def doc_blocks() -> list[tuple[str, str, str]]:
    """Return (heading, language, code) for every fenced block of the doc, in order."""
    heading = ""
    blocks = []
    for match in re.finditer(r"^## ([^\n]+)$|^```(\w+)\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S):
        if match[1]:
            heading = match[1].strip()
        else:
            blocks.append((heading, match[2], match[3]))
    return blocks


def doc_examples() -> tuple[str, list[Example]]:
    """Return the doc's connection block and its examples (a pymongo block, then its mongosh twin)."""
    blocks = [block for block in doc_blocks() if block[1] in ("python", "js")]
    connect = blocks.pop(0)
    assert (connect[0], connect[1]) == ("Connecting", "python")
    examples = []
    for (heading, language, code), (twin_heading, twin_language, twin) in zip(blocks[::2], blocks[1::2], strict=True):
        assert (language, twin_language, twin_heading) == ("python", "js", heading), heading
        examples.append(Example(heading, code, twin))
    return connect[2], examples


def mongosh_binary() -> str:
    """Return the mongosh command, or skip the test: mongosh is an optional tool (it needs npm)."""
    found = shutil.which("mongosh") or str(PROJECT_ROOT / ".tools" / "mongosh" / "node_modules" / ".bin" / "mongosh")
    if not os.access(found, os.X_OK):
        pytest.skip("mongosh is not installed (optional, needs npm): bash scripts/install-mongosh.sh")
    return found


@dataclass
class Filled:
    """The database the examples run against."""

    uri: str
    database: str
    origin: str


@pytest.fixture(scope="module")
def filled(mongo_uri: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Filled]:
    """Two crawls of a copy of the sample site, the gold story edited in between."""
    root = tmp_path_factory.mktemp("querying")
    site = root / "site"
    shutil.copytree(SAMPLE_SITE, site)
    database = f"arabpress_docs_{uuid.uuid4().hex[:12]}"
    env = {"MONGO_ENABLED": "1", "MONGO_URI": mongo_uri, "MONGO_DATABASE": database}
    settings = {"ARABPRESS_INCREMENTAL_ENABLED": "False", "MONGO_REPLAY_DIR": str(root / "replay")}
    with SiteServer(site) as server:
        first = run_crawl(server.origin, root / "first", settings=settings, env=env)
        assert first.returncode == 0, first.log[-3000:]
        page = site / "pages" / GOLD_PATH.strip("/") / "index.html"
        html = page.read_text(encoding="utf-8")
        page.write_text(html.replace(GOLD_SENTENCE, GOLD_SENTENCE.replace("Friday", "Thursday")), encoding="utf-8")
        second = run_crawl(server.origin, root / "second", settings=settings, env=env)
        assert second.returncode == 0, second.log[-3000:]
    # Then a re-extraction, the site server stopped, with a rule that now marks Arabic titles.
    rule = root / "rule"
    rule.mkdir()
    (rule / "sitecustomize.py").write_text(ARABIC_TITLE_RULE, encoding="utf-8")
    command = [sys.executable, "-m", "arabpress.cli", "reextract", "--uri", mongo_uri, "--database", database]
    done = subprocess.run(
        command,
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": f"{rule}{os.pathsep}{PROJECT_ROOT}"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    yield Filled(mongo_uri, database, server.origin)
    with client_for(mongo_uri) as client:
        client.drop_database(database)


def run_python(connect: str, code: str, filled: Filled) -> Any:
    """Run the connection block then *code* as the doc shows them; return its ``result``."""
    namespace: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MONGO_URI", filled.uri)
        patch.setenv("MONGO_DATABASE", filled.database)
        exec(compile(connect, "docs/querying.md", "exec"), namespace)
    try:
        exec(compile(code, "docs/querying.md", "exec"), namespace)
        return namespace["result"]
    finally:
        namespace["client"].close()


def run_mongosh(code: str, filled: Filled) -> subprocess.CompletedProcess[str]:
    """Run *code* in mongosh against the filled database, printing its value as Extended JSON."""
    script = f"db = db.getSiblingDB({filled.database!r});\n{code}"
    command = [mongosh_binary(), filled.uri, "--quiet", "--norc", "--json=relaxed", "--eval", script]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def articles(filled: Filled) -> list[dict[str, Any]]:
    """Return every stored article."""
    with client_for(filled.uri) as client:
        return list(client[filled.database]["articles"].find({}, {"_id": 0}))


def check_latest_in_section(result: list[dict[str, Any]], filled: Filled) -> None:
    economy = [doc for doc in articles(filled) if doc["section"] == "Economy"]
    assert len(result) == min(10, len(economy)) > 1
    assert [doc["url"] for doc in result] == [
        doc["url"] for doc in sorted(economy, key=lambda doc: (-doc["published_at"].timestamp(), doc["url"]))
    ][:10]
    assert set(result[0]) == {"url", "title", "published_at"}


def check_per_section(result: list[dict[str, Any]], filled: Filled) -> None:
    counts: dict[tuple[str, str], int] = {}
    for doc in articles(filled):
        counts[(doc["section"], doc["language"])] = counts.get((doc["section"], doc["language"]), 0) + 1
    assert {(row["_id"]["section"], row["_id"]["language"]): row["articles"] for row in result} == counts
    assert [row["articles"] for row in result] == sorted((row["articles"] for row in result), reverse=True)


def check_date_range(result: list[dict[str, Any]], filled: Filled) -> None:
    start, end = datetime(2026, 1, 25, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    inside = [doc["url"] for doc in articles(filled) if doc["published_at"] and start <= doc["published_at"] < end]
    assert sorted(doc["url"] for doc in result) == sorted(inside) and len(inside) >= 2
    assert [doc["published_at"] for doc in result] == sorted(doc["published_at"] for doc in result)


def check_arabic_word(result: list[dict[str, Any]], filled: Filled) -> None:
    having = {doc["url"] for doc in articles(filled) if doc["language"] == "ar" and ARABIC_WORD in doc["body"]}
    assert having, "the sample site has an Arabic article about oil"
    assert {doc["url"] for doc in result} == having


def check_last_run(result: list[dict[str, Any]], filled: Filled) -> None:
    assert [(doc["url"], doc["version"]) for doc in result] == [(filled.origin + GOLD_PATH, 2)]


def check_last_reextraction(result: list[dict[str, Any]], filled: Filled) -> None:
    arabic = sorted(doc["url"] for doc in articles(filled) if doc["language"] == "ar")
    assert [doc["url"] for doc in result] == arabic and arabic
    assert {(doc["version"], doc["extractor_version"]) for doc in result} == {(2, EXTRACTOR_VERSION)}


def check_recent_crawls(result: list[dict[str, Any]], filled: Filled) -> None:
    assert [crawl["status"] for crawl in result] == ["finished", "finished"]
    assert result[0]["started_at"] > result[1]["started_at"]
    assert result[0]["articles"]["updated"] == 1 and result[1]["articles"]["new"] == len(articles(filled))


CHECKS: dict[str, Callable[[Any, Filled], None]] = {
    "Latest articles in a section": check_latest_in_section,
    "Articles per section and language": check_per_section,
    "Articles in a date range": check_date_range,
    "Arabic articles with a word": check_arabic_word,
    "What changed in the last run": check_last_run,
    "What a re-extraction changed": check_last_reextraction,
    "Recent crawls": check_recent_crawls,
}


def test_the_doc_has_the_examples_the_data_team_asked_for() -> None:
    _, examples = doc_examples()
    assert {example.heading for example in examples} == set(CHECKS)
    assert sum(example.needs_text_index for example in examples) == 1
    assert all(example.mongosh.rstrip().endswith(".toArray()") for example in examples)


@pytest.mark.parametrize("index", range(len(doc_examples()[1])))
def test_doc_example(index: int, filled: Filled) -> None:
    connect, examples = doc_examples()
    example = examples[index]
    if lacks_text_index(example, filled):
        # FerretDB: no text index, as the doc says; $text fails, and the $regex example
        # (checked by itself) is the way.
        with pytest.raises(OperationFailure):
            run_python(connect, example.python, filled)
        return
    result = run_python(connect, example.python, filled)
    CHECKS[example.heading](result, filled)


@pytest.mark.parametrize("index", range(len(doc_examples()[1])))
def test_doc_example_in_mongosh(index: int, filled: Filled) -> None:
    """The mongosh twin gives what the pymongo example gives (mongosh is optional: see scripts/setup.sh)."""
    mongosh_binary()  # skips first when mongosh is missing
    connect, examples = doc_examples()
    example = examples[index]
    if lacks_text_index(example, filled):
        assert run_mongosh(example.mongosh, filled).returncode != 0
        return
    result = run_python(connect, example.python, filled)
    shell = run_mongosh(example.mongosh, filled)
    assert shell.returncode == 0, shell.stderr[-2000:] or shell.stdout[-2000:]
    assert json_util.loads(shell.stdout, json_options=JSON_OPTIONS) == result


def lacks_text_index(example: Example, filled: Filled) -> bool:
    """Return True when *example* needs the text index and the server has none."""
    if not example.needs_text_index:
        return False
    with client_for(filled.uri) as client:
        return not has_text_index(client[filled.database]["articles"])

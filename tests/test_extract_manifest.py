"""``arabpress extract --manifest``: many saved pages in one process, one JSON line per page out."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from arabpress.cli import main
from tests.pages import expected_pages, page_file

PAGES = {page["path"]: page for page in expected_pages()}
ORIGIN = "https://www.arabpress.example"
GOLD = "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
OPEC = "/2026/01/31/opec-holds-oil-output-steady-amid-member-tensions-and-market-oversupply/"
VIDEO = "/2026/01/30/u-s-central-command-announces-regional-air-exercise-as-iran-unveils-drone-carrier-footage/"


def write_manifest(folder: Path, lines: list[str]) -> Path:
    """Write *lines* as the manifest in *folder* and return its path."""
    manifest = folder / "manifest.jsonl"
    manifest.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return manifest


def entry(page_id: str, file: str, url: str) -> str:
    """Return one manifest line."""
    return json.dumps({"id": page_id, "file": file, "url": url})


def run_batch(capsys: pytest.CaptureFixture[str], manifest: Path, output: Path) -> tuple[int, list[dict], str]:
    """Run the batch in-process and return its status, output lines and stderr."""
    status = main(["extract", "--manifest", str(manifest), "--output", str(output)])
    err = capsys.readouterr().err
    lines = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()] if output.exists() else []
    return status, lines, err


def test_pages_plain_and_gzipped_give_items_and_reasons(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "gold.html.gz").write_bytes(gzip.compress(page_file(GOLD).read_bytes()))
    (pages / "opec.html").write_bytes(page_file(OPEC).read_bytes())
    (pages / "home.html").write_bytes(page_file("/").read_bytes())
    (pages / "video.html").write_bytes(page_file(VIDEO).read_bytes())
    manifest = write_manifest(
        tmp_path,
        [
            entry("gold", "pages/gold.html.gz", ORIGIN + GOLD),
            entry("opec", "pages/opec.html", ORIGIN + OPEC),
            entry("home", "pages/home.html", ORIGIN + "/"),
            entry("video", "pages/video.html", ORIGIN + VIDEO),
        ],
    )
    status, lines, err = run_batch(capsys, manifest, tmp_path / "out.jsonl")
    assert status == 0, err
    assert [line["id"] for line in lines] == ["gold", "opec", "home", "video"]
    gold, opec, home, video = lines
    assert gold["reason"] is None
    assert gold["item"]["title"] == PAGES[GOLD]["item"]["title"]
    assert gold["item"]["body"] == PAGES[GOLD]["item"]["body_equals"]
    assert gold["item"]["published_at"] == PAGES[GOLD]["item"]["published_at"]
    assert opec["item"]["url"] == PAGES[OPEC]["item"]["url"]
    assert home == {"id": "home", "item": None, "reason": "not an article: listing page"}
    assert video == {"id": "video", "item": None, "reason": f"dropped: missing body: {ORIGIN}{VIDEO}"}
    # Every refusal is counted by its reason.
    assert err.strip().splitlines()[-1] == (
        "4 pages: 2 articles, 2 refused (not an article: listing page 1, dropped: MissingBody 1)"
    )


def test_bad_lines_and_pages_are_reported_and_skipped(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "gold.html").write_bytes(page_file(GOLD).read_bytes())
    (tmp_path / "broken.html.gz").write_bytes(gzip.compress(b"<html><body><p>text</p></body></html>")[:20])
    (tmp_path / "image.html").write_bytes(bytes(range(256)) * 40)
    (tmp_path / "huge.html.gz").write_bytes(gzip.compress(b"<html><body>" + b" " * 9_000_000))
    manifest = write_manifest(
        tmp_path,
        [
            "{not json",
            json.dumps({"id": "no-file", "url": ORIGIN + GOLD}),
            entry("missing", "missing.html", ORIGIN + GOLD),
            entry("broken", "broken.html.gz", ORIGIN + GOLD),
            entry("image", "image.html", ORIGIN + GOLD),
            entry("huge", "huge.html.gz", ORIGIN + GOLD),
            "",
            entry("gold", "gold.html", ORIGIN + GOLD),
        ],
    )
    status, lines, err = run_batch(capsys, manifest, tmp_path / "out.jsonl")
    assert status == 1
    assert [line["id"] for line in lines] == ["missing", "broken", "image", "huge", "gold"]
    assert lines[-1]["item"]["title"] == PAGES[GOLD]["item"]["title"]
    assert lines[0]["reason"].startswith(f"cannot read {tmp_path / 'missing.html'}")
    assert lines[1]["reason"].startswith(f"cannot decompress {tmp_path / 'broken.html.gz'}")
    assert lines[2]["reason"] == f"{tmp_path / 'image.html'} is not HTML (binary data)"
    assert lines[3]["reason"] == f"{tmp_path / 'huge.html.gz'} is larger than DOWNLOAD_MAXSIZE (8388608 bytes)"
    reported = err.strip().splitlines()
    assert reported[0].startswith(f"{manifest}:1: not JSON")
    assert reported[1] == f"{manifest}:2: missing or not a string: file"
    assert reported[2].startswith(f"{manifest}:3: cannot read")
    assert reported[-1] == "5 pages: 1 articles, 4 refused (bad page 4); 2 bad manifest lines skipped"


def test_manifest_needs_output_and_no_page(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    manifest = write_manifest(tmp_path, [])
    assert main(["extract", "--manifest", str(manifest)]) == 2
    assert capsys.readouterr().err.strip() == "arabpress extract: --manifest and --output go together, without a page"
    assert main(["extract", "--manifest", str(tmp_path / "none.jsonl"), "--output", str(tmp_path / "o")]) == 2
    assert capsys.readouterr().err.strip() == f"arabpress extract: no such manifest: {tmp_path / 'none.jsonl'}"
    assert main(["extract"]) == 2
    assert capsys.readouterr().err.strip() == "arabpress extract: give a saved HTML file or URL, or --manifest"

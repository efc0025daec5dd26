"""``arabpress extract``: one saved page or URL in, the article as JSON (or one line why not) out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from arabpress.cli import main
from arabpress.local.site import SiteServer
from arabpress.offline import offline_settings
from tests.pages import expected_pages, page_file

PAGES = {page["path"]: page for page in expected_pages()}
GOLD = "/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"
ARABIC_CP1256 = "/ar/2026/01/31/opec-plus-output-steady/"
ARABIC = "/ar/2026/02/02/saudi-property-market-foreign-buyers/"
VIDEO = "/2026/01/30/u-s-central-command-announces-regional-air-exercise-as-iran-unveils-drone-carrier-footage/"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run the command line in-process and return status, stdout and stderr."""
    status = main(["extract", *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_saved_article_prints_the_stored_article(capsys: pytest.CaptureFixture[str]) -> None:
    fetched = "https://www.arabpress.example" + PAGES[GOLD]["fetch_path"]
    status, out, err = run(capsys, str(page_file(GOLD)), "--url", fetched)
    assert status == 0, err
    article = json.loads(out)
    expected = PAGES[GOLD]["item"]
    for field in ("url", "title", "subtitle", "authors", "section", "tags", "related_urls", "published_at"):
        assert article[field] == expected[field], field
    assert article["body"] == expected["body_equals"]


def test_saved_file_without_url_uses_its_own_address(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, str(page_file(GOLD)))
    assert status == 0
    assert json.loads(out)["related_urls"] == PAGES[GOLD]["item"]["related_urls"]


def test_charset_declared_only_in_the_page(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(page_file(ARABIC_CP1256)), "--content-type", "text/html")
    assert status == 0, err
    assert json.loads(out)["title"] == PAGES[ARABIC_CP1256]["item"]["title"]


@pytest.mark.parametrize(
    ("path", "reason"),
    [("/", "not an article: listing page"), ("/about/", "not an article: static page")],
)
def test_page_without_article_exits_1_with_the_reason(
    capsys: pytest.CaptureFixture[str], path: str, reason: str
) -> None:
    status, out, err = run(capsys, str(page_file(path)))
    assert (status, out, err.strip()) == (1, "", reason)


def test_dropped_article_exits_1_with_the_drop(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, str(page_file(VIDEO)))
    assert status == 1
    assert out == ""
    assert err.strip() == f"dropped: missing body: https://www.arabpress.example{VIDEO}"


def test_missing_file_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run(capsys, str(tmp_path / "nope.html"))
    assert status == 2
    assert err.strip() == f"arabpress extract: no such file: {tmp_path / 'nope.html'}"


def test_binary_file_is_not_html(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    binary = tmp_path / "image.html"
    binary.write_bytes(bytes(range(256)) * 40)
    status, _, err = run(capsys, str(binary))
    assert status == 2
    assert err.strip() == f"arabpress extract: {binary} is not HTML (binary data)"


def test_undecodable_bytes_are_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Arabic in windows-1256 while the header claims UTF-8: the bytes are not UTF-8.
    page = tmp_path / "wrong-charset.html"
    page.write_bytes(
        ("<html><body><p>" + "قررت مجموعة أوبك الإبقاء على مستويات الإنتاج " * 20 + "</p></body></html>").encode(
            "cp1256"
        )
    )
    status, _, err = run(capsys, str(page), "--content-type", "text/html; charset=utf-8")
    assert status == 2
    assert err.strip() == f"arabpress extract: {page} has undecodable bytes for encoding utf-8"
    assert err.count("\n") == 1


def test_url_is_fetched(capsys: pytest.CaptureFixture[str], sample_site: SiteServer) -> None:
    status, out, err = run(capsys, sample_site.origin + "/ar/2026/02/02/saudi-property-market-foreign-buyers/")
    assert status == 0, err
    article = json.loads(out)
    assert article["url"] == sample_site.origin + "/ar/2026/02/02/saudi-property-market-foreign-buyers/"
    assert article["published_at"] == "2026-02-02T07:30:00Z"


def test_unreachable_url_is_one_line(capsys: pytest.CaptureFixture[str], sample_site: SiteServer) -> None:
    status, _, err = run(capsys, sample_site.origin + "/no-such-page/")
    assert status == 2
    assert err.strip() == f"arabpress extract: {sample_site.origin}/no-such-page/ answered HTTP 404"


def test_a_directory_is_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, err = run(capsys, str(tmp_path))
    assert status == 2
    assert out == ""
    assert err == f"arabpress extract: {tmp_path} is a directory, not a saved page\n"


def oversized_page(path: Path, size: int) -> Path:
    """Write an HTML page of more than *size* bytes."""
    paragraph = b"<p>" + b"word " * 200 + b"</p>\n"
    path.write_bytes(b"<html><body>" + paragraph * (size // len(paragraph) + 1) + b"</body></html>")
    return path


def test_a_file_over_download_maxsize_is_refused(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cap = offline_settings().getint("DOWNLOAD_MAXSIZE")
    page = oversized_page(tmp_path / "huge.html", cap)
    status, out, err = run(capsys, str(page))
    assert status == 2
    assert out == ""
    assert err == f"arabpress extract: {page} is larger than DOWNLOAD_MAXSIZE ({cap} bytes), which a crawl refuses\n"
    # One byte under the cap is read.
    under = tmp_path / "under.html"
    under.write_bytes(page.read_bytes()[: cap - 1])
    status, _, err = run(capsys, str(under))
    assert "DOWNLOAD_MAXSIZE" not in err


def test_a_url_over_download_maxsize_is_refused(
    capsys: pytest.CaptureFixture[str], site_copy: Path, serve_site: Callable[[Path], SiteServer]
) -> None:
    cap = offline_settings().getint("DOWNLOAD_MAXSIZE")
    oversized_page(site_copy / "pages" / "huge.html", cap)
    server = serve_site(site_copy)
    status, _, err = run(capsys, server.origin + "/huge.html")
    assert status == 2
    assert err == (
        f"arabpress extract: {server.origin}/huge.html is larger than DOWNLOAD_MAXSIZE ({cap} bytes),"
        " which a crawl refuses\n"
    )


def test_the_console_script_finds_the_settings_outside_the_checkout(tmp_path: Path) -> None:
    """Run from a folder with no scrapy.cfg above it: the pipelines still run (published_at is theirs)."""
    arabpress = Path(sys.executable).parent / "arabpress"
    env = {name: value for name, value in os.environ.items() if not name.startswith("SCRAPY")}
    result = subprocess.run(
        [str(arabpress), "extract", str(page_file(ARABIC))],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)
    assert article["published_at"] == "2026-02-02T07:30:00Z"
    assert article["word_count"] > 0

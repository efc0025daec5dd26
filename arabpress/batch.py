"""Extract many saved pages in one process: a manifest of pages in, one JSON line per page out.

Manifest lines are ``{"id", "file", "url"}`` with ``file`` (``.html`` or ``.html.gz``) relative
to the manifest's folder. Each output line is ``{"id", "item", "reason"}``: the item the crawl
would store (``null`` when the page yields none) and, then, the one line saying why. A bad
line or page is reported and skipped; the batch goes on.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.http import HtmlResponse
from tqdm import tqdm

from arabpress.offline import Outcome, build_pipelines, extract_response, html_problem, json_value, make_crawler

if TYPE_CHECKING:
    from collections.abc import Iterator

GZIP_MAGIC = b"\x1f\x8b"


class BadLine(ValueError):
    """A manifest line that names no page to extract."""


class BadPage(ValueError):
    """A page file that cannot be read as HTML."""


@dataclass(frozen=True)
class Entry:
    """One page of the manifest: its id, its file and the address it was fetched from."""

    id: str
    file: Path
    url: str


@dataclass
class Summary:
    """What a batch did: pages by outcome, refusals by reason, and the lines it could not read."""

    articles: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    bad_lines: int = 0

    def line(self) -> str:
        """Return the summary as one line, reasons largest first."""
        reasons = ", ".join(f"{reason} {count}" for reason, count in self.refused.most_common())
        refused = sum(self.refused.values())
        text = f"{self.articles + refused} pages: {self.articles} articles, {refused} refused"
        text += f" ({reasons})" if reasons else ""
        return text + (f"; {self.bad_lines} bad manifest lines skipped" if self.bad_lines else "")


def parse_entry(line: str, folder: Path) -> Entry:
    """Read one manifest line, or raise BadLine saying what is wrong with it."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as error:
        raise BadLine(f"not JSON ({error.msg})") from None
    if not isinstance(value, dict):
        raise BadLine("not a JSON object")
    missing = [name for name in ("id", "file", "url") if not isinstance(value.get(name), str) or not value[name]]
    if missing:
        raise BadLine(f"missing or not a string: {', '.join(missing)}")
    if not value["url"].startswith(("http://", "https://")):
        raise BadLine(f"url is not http(s): {value['url']!r}")
    return Entry(value["id"], folder / value["file"], value["url"])


def read_page(entry: Entry, max_size: int) -> bytes:
    """Return an entry's page bytes (gunzipped when compressed), or raise BadPage."""
    try:
        body = entry.file.read_bytes()
    except OSError as error:
        raise BadPage(f"cannot read {entry.file}: {error.strerror or error}") from None
    if body[:2] == GZIP_MAGIC:
        # Not Scrapy's gunzip: it returns what a cut-off file holds, and a saved page must be whole.
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(body)) as unzipped:
                body = unzipped.read(max_size + 1)
        except (OSError, EOFError) as error:
            raise BadPage(f"cannot decompress {entry.file}: {error}") from None
    if len(body) > max_size:
        raise BadPage(f"{entry.file} is larger than DOWNLOAD_MAXSIZE ({max_size} bytes)")
    return body


def page_response(entry: Entry, body: bytes) -> HtmlResponse:
    """Return the response a crawl would have built for the page, or raise BadPage."""
    # No headers were saved: the page's own charset declaration (else detection) decodes it.
    response = HtmlResponse(entry.url, body=body)
    problem = html_problem(response)
    if problem:
        raise BadPage(f"{entry.file} {problem}")
    return response


def manifest_lines(manifest: Path) -> Iterator[tuple[int, str]]:
    """Yield the numbered non-blank lines of the manifest."""
    with manifest.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            if line.strip():
                yield number, line


def output_line(entry_id: str, outcome: Outcome) -> str:
    """Return one output line for an entry's outcome."""
    item = ItemAdapter(outcome.item).asdict() if outcome.item is not None else None
    return json.dumps({"id": entry_id, "item": item, "reason": outcome.reason}, ensure_ascii=False, default=json_value)


def extract_manifest(manifest: Path, output: IO[str], errors: IO[str] | None = None) -> Summary:
    """Extract every page of *manifest* into *output*, reporting bad lines and pages on *errors* (stderr)."""
    errors = errors or sys.stderr
    crawler = make_crawler()
    pipelines = build_pipelines(crawler)
    max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")
    summary = Summary()
    total = sum(1 for _ in manifest_lines(manifest))
    # A bar on a terminal only (disable=None); redirected runs get the summary line alone.
    with tqdm(total=total, unit="page", file=errors, disable=None, dynamic_ncols=True) as bar:
        for number, line in manifest_lines(manifest):
            bar.update()
            try:
                entry = parse_entry(line, manifest.parent)
            except BadLine as error:
                summary.bad_lines += 1
                bar.write(f"{manifest}:{number}: {error}", file=errors)
                continue
            outcome = extract_entry(entry, pipelines, max_size)
            if outcome.item is None:
                summary.refused[outcome.label or "unknown"] += 1
                if outcome.label == "bad page":
                    bar.write(f"{manifest}:{number}: {outcome.reason}", file=errors)
            else:
                summary.articles += 1
            output.write(output_line(entry.id, outcome) + "\n")
    return summary


def extract_entry(entry: Entry, pipelines: list[Any], max_size: int) -> Outcome:
    """Return what one manifest entry yields; an unreadable page is refused with its reason."""
    try:
        response = page_response(entry, read_page(entry, max_size))
    except BadPage as error:
        return Outcome(None, str(error), "bad page")
    return extract_response(response, pipelines)

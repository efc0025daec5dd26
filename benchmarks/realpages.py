"""Score arabpress on a kit of real pages, with trafilatura and htmldate in the same run.

The kit is a folder with ``manifest.jsonl`` (``{"id", "file", "url"}`` a line), ``truth.json``
and ``score.py`` (the kit's own scorer): ``aeb/…`` pages are scored on their body,
``dates/…`` pages on their publication day. Nothing of the kit is copied into the project.

One process reads every page once and, page by page (so that a busy machine slows all
alike), runs:

  arabpress    the code of ``arabpress extract --manifest``: page bytes and URL in, item out
  trafilatura  ``trafilatura.extract(html, url=url)`` on the page read as UTF-8 text (bodies)
  htmldate     ``find_date(html, original_date=True, extensive_search=True)`` (dates)

It writes each extractor's predictions to benchmarks/out/realpages/, scores them with the
kit's score.py, prints F1, accuracy, refusals and the median extraction time per page, and
writes the tables into benchmarks/RESULTS.md between this script's markers. Usage::

    python -m benchmarks.realpages KIT_DIR [--no-write] [--only aeb]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import htmldate
import trafilatura
from tqdm import tqdm

from arabpress.batch import BadLine, BadPage, Entry, output_line, page_response, parse_entry, read_page
from arabpress.offline import Outcome, build_pipelines, extract_response, make_crawler
from benchmarks.run import OUTPUTS, PROJECT_ROOT, RESULTS, table, write_section

OUT = OUTPUTS / "realpages"
PARTS = ("aeb", "dates")


@dataclass
class Extractor:
    """One extractor of the run: what it is scored on, its prediction lines and its timings."""

    name: str
    parts: tuple[str, ...]
    extract: Callable[[Entry, bytes], dict[str, Any]]
    lines: list[str] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=dict)

    def run(self, entry: Entry, body: bytes) -> None:
        """Extract one page, keeping its prediction line and its time."""
        started = time.perf_counter()
        prediction = self.extract(entry, body)
        elapsed = time.perf_counter() - started
        self.seconds.setdefault(part_of(entry.id), []).append(elapsed)
        self.lines.append(json.dumps({"id": entry.id, **prediction}, ensure_ascii=False))


def part_of(page_id: str) -> str:
    """Return the kit part of a page id ("aeb/KEY" is in "aeb")."""
    return page_id.split("/", 1)[0]


def arabpress_extractor() -> Extractor:
    """The project's extraction and pipelines, as ``arabpress extract --manifest`` runs them."""
    pipelines = build_pipelines(make_crawler())

    def extract(entry: Entry, body: bytes) -> dict[str, Any]:
        try:
            outcome = extract_response(page_response(entry, body), pipelines)
        except BadPage as error:
            outcome = Outcome(None, str(error))
        line: dict[str, Any] = json.loads(output_line(entry.id, outcome))
        return {"item": line["item"], "reason": line["reason"]}

    return Extractor("arabpress", PARTS, extract)


def decode_utf8(body: bytes) -> str:
    """Read a page as UTF-8 text, as the benchmark's own runners read it."""
    return body.decode("utf-8", errors="replace")


def trafilatura_extract(entry: Entry, body: bytes) -> dict[str, Any]:
    """trafilatura's body with its defaults."""
    text = trafilatura.extract(decode_utf8(body), url=entry.url)
    return {"item": {"body": text}, "reason": None} if text else {"item": None, "reason": "no body found"}


def htmldate_extract(entry: Entry, body: bytes) -> dict[str, Any]:
    """htmldate's publication day, searching extensively."""
    # htmldate's evaluation reads the page as UTF-8, else the encoding it detects.
    try:
        html = body.decode("utf-8")
    except UnicodeDecodeError:
        html = htmldate.utils.decode_file(body)
    day = htmldate.find_date(html, original_date=True, extensive_search=True)
    return {"item": {"published_date": day}, "reason": None} if day else {"item": None, "reason": "no date found"}


def load_pages(kit: Path, parts: Sequence[str]) -> list[tuple[Entry, bytes]]:
    """Read every page of the kit's manifest in *parts*, decompressed."""
    manifest = kit / "manifest.jsonl"
    pages = []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = parse_entry(line, kit)
            if part_of(entry.id) in parts:
                pages.append((entry, read_page(entry, 64 * 1024 * 1024)))
        except (BadLine, BadPage) as error:
            print(f"{manifest}:{number}: {error}", file=sys.stderr)
    return pages


def score(kit: Path, name: str, lines: list[str]) -> dict[str, Any]:
    """Write an extractor's predictions and return the kit scorer's numbers."""
    OUT.mkdir(parents=True, exist_ok=True)
    predictions, numbers = OUT / f"{name}.jsonl", OUT / f"{name}.json"
    predictions.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    command = [sys.executable, str(kit / "score.py"), str(predictions), "--truth", str(kit / "truth.json")]
    command += ["--json", str(numbers), "--failures", str(OUT / f"{name}.failures.txt")]
    subprocess.run(command, check=True, capture_output=True, text=True)
    results: dict[str, Any] = json.loads(numbers.read_text(encoding="utf-8"))
    return results


def median_ms(values: list[float]) -> str:
    """Return the median of *values* (seconds) in milliseconds."""
    return f"{statistics.median(values) * 1000:.1f}" if values else "-"


def refusals(part: dict[str, Any]) -> str:
    """Return the refusals by reason, largest first."""
    return "; ".join(f"{reason} {count}" for reason, count in part["refusals"].items()) or "none"


def render(extractors: list[Extractor], results: dict[str, dict[str, Any]], kit: Path, started: datetime) -> str:
    """Return the Markdown section of this run."""
    lines = [
        f"Run of `python -m benchmarks.realpages KIT_DIR` on {started:%Y-%m-%d %H:%M} UTC, the kit's score.py.",
        "",
        f"- Python {platform.python_version()}, trafilatura {version('trafilatura')}, htmldate {version('htmldate')}",
        f"- arabpress at commit {git_head()}; pages run one after the other, every extractor in turn on each",
        "",
    ]
    body_rows, date_rows = [], []
    for extractor in extractors:
        numbers = results[extractor.name]
        if "aeb" in extractor.seconds and "aeb" in numbers:
            aeb = numbers["aeb"]
            scores = [f"{aeb[name]:.3f}" for name in ("f1", "precision", "recall", "accuracy")]
            body_rows.append([extractor.name, *scores, str(aeb["refused"]), median_ms(extractor.seconds["aeb"])])
        if "dates" in extractor.seconds and "dates" in numbers:
            dates = numbers["dates"]
            scores = [f"{dates[name]:.3f}" for name in ("accuracy", "precision", "recall", "f1")]
            counts = [str(dates[name]) for name in ("tp", "fp", "fn", "refused")]
            date_rows.append([extractor.name, *scores, *counts, median_ms(extractor.seconds["dates"])])
    if body_rows:
        header = ["extractor", "F1", "precision", "recall", "accuracy", "refused", "median ms/page"]
        lines += [f"Bodies, {numbers_pages(results, 'aeb')} `aeb/` pages:", "", table(header, body_rows), ""]
    if date_rows:
        header = ["extractor", "accuracy", "precision", "recall", "F1", "TP", "FP", "FN", "refused", "median ms/page"]
        lines += [f"Dates, {numbers_pages(results, 'dates')} `dates/` pages:", "", table(header, date_rows), ""]
    own, ran = results["arabpress"], extractors[0].seconds
    for part in PARTS:
        if part in own and part in ran:
            lines.append(f"- arabpress refusals on `{part}/`: {refusals(own[part])}")
    if "dates" in own and "dates" in ran:
        lines.append(
            "- arabpress's day came from: " + ", ".join(f"{k} {v}" for k, v in own["dates"]["day_from"].items())
        )
    return "\n".join(lines)


def numbers_pages(results: dict[str, dict[str, Any]], part: str) -> int:
    """Return how many pages of *part* the kit has."""
    return int(next(numbers[part]["pages"] for numbers in results.values() if part in numbers))


def git_head() -> str:
    """Return the project's short commit, with "+changes" when the work tree differs from it."""
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    return head.stdout.strip() + (" +changes" if dirty.stdout.strip() else "")


def main(argv: Sequence[str] | None = None) -> int:
    """Run every extractor on the kit, score, print and record the figures."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.realpages", description=__doc__.splitlines()[0])
    parser.add_argument("kit", type=Path, help="the kit folder (manifest.jsonl, truth.json, score.py)")
    parser.add_argument("--only", choices=PARTS, action="append", help="score only this part (repeatable)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave benchmarks/RESULTS.md alone")
    args = parser.parse_args(argv)
    kit: Path = args.kit
    missing = [name for name in ("manifest.jsonl", "truth.json", "score.py") if not (kit / name).is_file()]
    if missing:
        print(f"realpages: {kit} lacks {', '.join(missing)}", file=sys.stderr)
        return 2
    parts = tuple(args.only or PARTS)
    started = datetime.now(UTC)
    pages = load_pages(kit, parts)
    extractors = [
        arabpress_extractor(),
        Extractor("trafilatura", ("aeb",), trafilatura_extract),
        Extractor("htmldate", ("dates",), htmldate_extract),
    ]
    for entry, body in tqdm(pages, unit="page", disable=None):
        for extractor in extractors:
            if part_of(entry.id) in extractor.parts:
                extractor.run(entry, body)
    used = [extractor for extractor in extractors if extractor.lines]
    results = {extractor.name: score(kit, extractor.name, extractor.lines) for extractor in used}
    print(text := render(used, results, kit, started))
    if args.no_write:
        return 0
    write_section(RESULTS, "realpages.py", text)
    print(f"\nwritten to {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

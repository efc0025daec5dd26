"""The replay file: articles that could not be written, kept for ``arabpress replay``.

One JSON object a line, in MongoDB Extended JSON (relaxed: dates as ``{"$date": ...}``)
so that every value comes back with its BSON type::

    {"crawl_id": "...", "seen_at": {"$date": "2026-02-01T10:00:00Z"}, "article": {...}}

Replaying applies the same upsert rules as the crawl, with the crawl's own time and id,
so a replay never overwrites a newer copy and running it twice changes nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bson import json_util
from bson.json_util import JSONOptions

from arabpress.storage.writer import ArticleWriter, BatchResult, Entry

# Aware UTC datetimes on reading, like the database client.
JSON_OPTIONS = JSONOptions(json_mode=json_util.JSONMode.RELAXED, tz_aware=True, tzinfo=UTC)


class ReplayFileError(ValueError):
    """A replay file that is missing or not in the replay format; the message is one line."""


def entry_to_line(entry: Entry) -> str:
    """Return one replay line for *entry*."""
    record = {"crawl_id": entry.crawl_id, "seen_at": entry.seen_at, "article": entry.document}
    return json_util.dumps(record, json_options=JSON_OPTIONS, ensure_ascii=False) + "\n"


def entry_from_line(line: str) -> Entry:
    """Parse one replay line; raise ValueError when it is not one."""
    record = json_util.loads(line, json_options=JSON_OPTIONS)
    if not isinstance(record, dict):
        raise ValueError("not a JSON object")
    article, crawl_id, seen_at = record.get("article"), record.get("crawl_id"), record.get("seen_at")
    if not isinstance(article, dict) or not article.get("url"):
        raise ValueError("no article with a url")
    if not isinstance(crawl_id, str) or not isinstance(seen_at, datetime):
        raise ValueError("no crawl_id and seen_at date")
    return Entry(article, crawl_id, seen_at)


class ReplayFile:
    """Append entries to a replay file, creating it (and its folder) on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0

    def append(self, entries: Sequence[Entry]) -> None:
        """Append *entries* and make sure they reached the disk."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.writelines(entry_to_line(entry) for entry in entries)
            handle.flush()
            os.fsync(handle.fileno())
        self.count += len(entries)


def read_entries(path: Path) -> Iterator[Entry]:
    """Yield the entries of a replay file; raise ReplayFileError at the first bad line."""
    try:
        handle = path.open(encoding="utf-8")
    except OSError as error:
        raise ReplayFileError(f"cannot read {path}: {error.strerror or error}") from None
    with handle:
        number = 0
        try:
            for number, line in enumerate(handle, start=1):  # noqa: B007 - number is used in the error
                if line.strip():
                    yield entry_from_line(line)
        except UnicodeDecodeError:
            raise ReplayFileError(f"{path}: line {number + 1} is not UTF-8 text") from None
        except ValueError as error:
            raise ReplayFileError(f"{path}: line {number} is not a replay record: {error}") from None


@dataclass
class ReplaySummary:
    """The outcome of replaying a file."""

    lines: int
    result: BatchResult
    not_written: int = 0  # entries left unwritten because the server went away

    def counts(self) -> dict[str, int]:
        """Return the counts as a plain dict, for reports."""
        result = self.result
        return {
            "lines": self.lines,
            "inserted": result.inserted,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "stale": result.stale,
            "rejected": len(result.rejected),
            "not_written": self.not_written,
        }


def count_entries(path: Path) -> int:
    """Check every line of a replay file and return how many entries it holds."""
    return sum(1 for _ in read_entries(path))


def replay(path: Path, writer: ArticleWriter, batch_size: int) -> ReplaySummary:
    """Write every entry of the replay file at *path* through *writer*, in batches.

    The file is checked whole before anything is written, so a bad file writes nothing.
    Stops at the first batch that could not be written (the server went away); running
    the replay again later finishes the job.
    """
    summary = ReplaySummary(count_entries(path), BatchResult())
    sent = 0
    batch: list[Entry] = []
    for entry in read_entries(path):
        batch.append(entry)
        if len(batch) >= batch_size:
            sent += len(batch)
            if not _write(writer, batch, summary):
                summary.not_written += summary.lines - sent
                return summary
            batch = []
    if batch:
        _write(writer, batch, summary)
    return summary


def _write(writer: ArticleWriter, batch: Sequence[Entry], summary: ReplaySummary) -> bool:
    """Write one batch into *summary*; return False when part of it could not be written."""
    result = writer.write(batch)
    summary.not_written += len(result.failed)
    result.failed = []
    summary.result.add(result)
    return summary.not_written == 0

"""Compute what storage compares between crawls: a content hash and a word count."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler

# A word is a run of non-space characters holding a letter or digit of any script (re's \w), so
# "Iran-backed" is one word, Arabic words count, and a lone dash does not.
WORD_CHARACTER = re.compile(r"\w")

# Words are counted by C loops rather than one Python step per word (2,800 words an article):
# a single-byte codec gives each character one byte, a byte table keeps a word character as
# "w" and a space as " " and deletes the rest, and each run holding a word character is then
# one "w" after a space. Windows-1256 has the characters of English and Arabic text; a line
# with a character it lacks is counted word by word.
WORD_CODEC = "cp1256"


def byte_classes(codec: str) -> tuple[bytes, bytes]:
    """Return the translate table and the deleted bytes that reduce text in *codec* to "w" and " " marks."""
    table = bytearray(range(256))
    deleted = bytearray()
    for byte in range(256):
        try:
            character = bytes([byte]).decode(codec)
        except UnicodeDecodeError:
            continue  # a byte no character encodes to
        if character.isspace():
            table[byte] = ord(" ")
        elif WORD_CHARACTER.match(character):
            table[byte] = ord("w")
        else:
            deleted.append(byte)
    return bytes(table), bytes(deleted)


WORD_MARKS, NON_WORD_BYTES = byte_classes(WORD_CODEC)


def content_hash(title: str, body: str) -> str:
    """Return the SHA-256 hex digest of the cleaned title and body."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def word_count(body: str) -> int:
    """Return the number of words in *body*."""
    try:
        return marked_words(body.encode(WORD_CODEC))
    except UnicodeEncodeError:
        # No run crosses a line break, so the lines are counted apart, each the fast way if it can.
        return sum(map(line_words, body.split("\n")))


def marked_words(encoded: bytes) -> int:
    """Return the number of words in text encoded with WORD_CODEC."""
    marks = encoded.translate(WORD_MARKS, NON_WORD_BYTES)
    return marks.count(b" w") + marks.startswith(b"w")


def line_words(line: str) -> int:
    """Return the number of words in *line*, one run at a time when WORD_CODEC lacks one of its characters."""
    try:
        return marked_words(line.encode(WORD_CODEC))
    except UnicodeEncodeError:
        runs = line.split()
        # Most runs start with a letter or digit; only the others are searched for one.
        return len(runs) - len([run for run in runs if not run[0].isalnum() and WORD_CHARACTER.search(run) is None])


class FingerprintPipeline:
    """Set content_hash and word_count from the cleaned title and body."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FingerprintPipeline:
        """Build the pipeline for *crawler*."""
        return cls()

    def process_item(self, item: Any) -> Any:
        """Add the fingerprint fields to *item*."""
        adapter = ItemAdapter(item)
        title = str(adapter.get("title") or "")
        body = str(adapter.get("body") or "")
        adapter["content_hash"] = content_hash(title, body)
        adapter["word_count"] = word_count(body)
        return item

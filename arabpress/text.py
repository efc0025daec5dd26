"""Text cleaning for English and Arabic: entities, Unicode forms, spaces, invisible marks, boilerplate.

Quotes and punctuation are kept as published: nothing here straightens or "smartens" them.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from collections.abc import Iterable

# Arabic Presentation Forms-A and -B: NFKC folds them to the plain letters ("\ufefb" -> "لا").
# NFKC is applied to these characters alone so ligatures and fullwidth signs elsewhere stay.
ARABIC_PRESENTATION_FORMS = re.compile("[\ufb50-\ufdff\ufe70-\ufeff]+")

# Characters that carry no text, deleted. ZWNJ (U+200C) is not among them: see STRAY_ZWNJ.
INVISIBLE_CHARACTERS = "".join(
    (
        "\u00ad",  # soft hyphen
        "\u0640",  # tatweel: it only stretches a word
        "\u200b\u200d\u2060\ufeff",  # zero-width space, zero-width joiner, word joiner, BOM
        "\u200e\u200f\u061c",  # left-to-right, right-to-left and Arabic letter marks
        "\u202a\u202b\u202c\u202d\u202e",  # bidirectional embeddings and overrides
        "\u2066\u2067\u2068\u2069",  # bidirectional isolates
    )
)
INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]+")
# Either kind, looked for once: most paragraphs hold neither, and then neither pass runs.
FOLDED_OR_DELETED = re.compile(f"[{INVISIBLE_CHARACTERS}\ufb50-\ufdff\ufe70-\ufeff]")

# ZWNJ is kept inside words: Persian, Urdu and Kurdish names quoted in Arabic text need it to
# keep two letters from joining (as in "می‌خواهم"), so deleting it would respell them. Next
# to a space or at either end it separates nothing, and a run of them counts once.
STRAY_ZWNJ = re.compile(r"(?<!\S)\u200c+|\u200c+(?!\S)")
REPEATED_ZWNJ = re.compile("\u200c{2,}")

# Whitespace other than the plain space (re's \s is str.isspace(), as str.split() uses).
OTHER_SPACE = re.compile(r"[^\S ]")

# Paragraphs of a body are separated by a line holding nothing but spaces.
BLANK_LINE = re.compile(r"\n\s*\n")
PARAGRAPH_SEPARATOR = "\n\n"

# The site's boilerplate, one regex per whole line, matched case-insensitively after cleaning.
BOILERPLATE_LINES: tuple[str, ...] = (
    # Newsletter box.
    "newsletter",
    "النشرة البريدية",
    "subscribe",
    "اشترك",
    # Related-articles header.
    "related articles",
    "مقالات ذات صلة",
    # Audio player: its clock, its close button and the site name it shows; the modal's close sign.
    r"\d{1,2}:\d{2}(?: ?/ ?\d{1,2}:\d{2})?",
    "close",
    "×",
    "arab press",
    # Links to other stories, bare or followed by the linked headline.
    r"read more(?: ?:.*)?",
    r"[اإ]قرأ [أا]يض(?:ا\u064b?|\u064bا)(?: ?:.*)?",
    # Share bars.
    r"share (?:on|via) .*",
    r"share this(?: article| story)?",
    # Ad labels.
    "advertisement",
    "إعلان",
)
# Boilerplate is a short line: a longer paragraph is article text even if a pattern matches it.
BOILERPLATE_MAX_CHARS = 250

# How a description cut short ends: WordPress's "[…]", or a plain ellipsis.
TRUNCATION_MARK = re.compile(r" ?(?:\[(?:…|\.\.\.)\]|…|\.\.\.)$")


def boilerplate_pattern(extra: Iterable[str] = ()) -> re.Pattern[str]:
    """Compile the site's boilerplate lines, and any extra regexes, into one whole-line pattern."""
    alternatives = "|".join(f"(?:{line})" for line in (*BOILERPLATE_LINES, *extra))
    # A header may end with a colon ("Related Articles:").
    return re.compile(rf"(?:{alternatives}) ?:?", re.IGNORECASE)


BOILERPLATE = boilerplate_pattern()


def fold_presentation_forms(text: str) -> str:
    """Replace Arabic presentation forms by the letters they stand for."""
    return ARABIC_PRESENTATION_FORMS.sub(lambda match: unicodedata.normalize("NFKC", match.group()), text)


def fold_spaces(text: str, printable: bool | None = None) -> str:
    """Fold every run of Unicode spaces to one space and trim both ends (*printable*: text.isprintable(), if known)."""
    # A text with single spaces only is returned as is: a C scan, several times faster than split/join.
    # isprintable() is False for every whitespace character but the space (they are separators or
    # controls), and faster still than the regex, which only the other texts need.
    if (
        "  " not in text
        and text[:1] != " "
        and text[-1:] != " "
        and ((text.isprintable() if printable is None else printable) or OTHER_SPACE.search(text) is None)
    ):
        return text
    return " ".join(text.split())


def normalize_characters(text: str) -> str:
    """Fold presentation forms, delete invisible marks, compose to NFC and fold all spaces to one."""
    if text.isascii():
        # No presentation form, invisible mark or ZWNJ, and already NFC: only the spaces remain.
        return fold_spaces(text)
    printable: bool | None = text.isprintable()
    # Every invisible mark but the tatweel is a format character, which is unprintable, and every
    # presentation form starts with the byte EF in UTF-8: a printable text without a tatweel or that
    # byte has nothing to fold or delete, told by C scans cheaper than the regex's.
    plain = printable and "\u0640" not in text and b"\xef" not in text.encode()
    if not plain and FOLDED_OR_DELETED.search(text) is not None:
        text = INVISIBLE.sub("", fold_presentation_forms(text))
        printable = None
    # NFC comes after the deletions: a mark freed from a tatweel may now compose with its letter.
    composed = unicodedata.normalize("NFC", text)
    if composed is not text:
        text, printable = composed, None
    if "\u200c" in text:
        text = STRAY_ZWNJ.sub("", REPEATED_ZWNJ.sub("\u200c", text))
        printable = None
    # str.split() splits on every Unicode space (NBSP, U+2000-U+200A, U+202F, U+205F, U+3000,
    # tabs, newlines), so this also trims and folds runs.
    return fold_spaces(text, printable)


def clean_text(text: str) -> str:
    """Clean one field: entities, Unicode forms, spaces and invisible marks, on one trimmed line."""
    cleaned = normalize_characters(html.unescape(text))
    # Feeds escape twice ("&amp;#8217;") and a deleted mark can complete an entity
    # ("&am\u00adp;"): decoding until nothing changes keeps cleaning idempotent. Every
    # round decodes an entity without adding an "&", or shortens the text, so it ends.
    while "&" in cleaned and (decoded := html.unescape(cleaned)) != cleaned:
        cleaned = normalize_characters(decoded)
    return cleaned


def clean_optional(text: str | None) -> str | None:
    """Clean an optional field, turning a missing or empty value into None."""
    return (clean_text(text) or None) if text is not None else None


def clean_list(values: Iterable[str]) -> list[str]:
    """Clean each value, dropping empty ones and exact repeats, in order of first occurrence."""
    return list(dict.fromkeys(value for value in map(clean_text, values) if value))


def same_text(first: str, second: str) -> bool:
    """Tell whether two cleaned texts are equal, ignoring case (Arabic has none)."""
    return first.casefold() == second.casefold()


def is_boilerplate(paragraph: str, pattern: re.Pattern[str] = BOILERPLATE) -> bool:
    """Tell whether a cleaned paragraph is a whole boilerplate line (newsletter, share bar, ad...)."""
    return len(paragraph) <= BOILERPLATE_MAX_CHARS and pattern.fullmatch(paragraph) is not None


def repeats_opening(subtitle: str, paragraph: str) -> bool:
    """Tell whether a cleaned subtitle only repeats a paragraph, whole or cut short by an ellipsis."""
    if same_text(subtitle, paragraph):
        return True
    shortened = TRUNCATION_MARK.sub("", subtitle)
    return shortened not in ("", subtitle) and paragraph.casefold().startswith(shortened.casefold())


def drop_repeated_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Remove the leading paragraphs that repeat the title."""
    cleaned_title = clean_text(title) if title else ""
    start = 0
    while cleaned_title and start < len(paragraphs) and same_text(paragraphs[start], cleaned_title):
        start += 1
    return paragraphs[start:]


class SiftedParagraphs(NamedTuple):
    """The paragraphs kept after cleaning, and how many were dropped as boilerplate."""

    kept: list[str]
    boilerplate: int


def sift_paragraphs(
    paragraphs: Iterable[str], title: str | None = None, pattern: re.Pattern[str] = BOILERPLATE
) -> SiftedParagraphs:
    """Clean paragraphs, dropping empty and boilerplate ones and a repeat of the title at the top."""
    kept: list[str] = []
    boilerplate = 0
    for paragraph in map(clean_text, paragraphs):
        if not paragraph:
            continue
        if is_boilerplate(paragraph, pattern):
            boilerplate += 1
        else:
            kept.append(paragraph)
    return SiftedParagraphs(drop_repeated_title(kept, title), boilerplate)


def clean_paragraphs(
    paragraphs: Iterable[str], title: str | None = None, pattern: re.Pattern[str] = BOILERPLATE
) -> list[str]:
    """Clean paragraphs, dropping empty and boilerplate ones and a repeat of the title at the top."""
    return sift_paragraphs(paragraphs, title, pattern).kept


def split_paragraphs(body: str) -> list[str]:
    """Split a body into its paragraphs at blank lines."""
    return BLANK_LINE.split(body)


def first_paragraph(body: str) -> str:
    """Return a body's first paragraph (split_paragraphs(body)[0], without splitting the rest)."""
    return BLANK_LINE.split(body, maxsplit=1)[0]


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join paragraphs with one blank line between them."""
    return PARAGRAPH_SEPARATOR.join(paragraphs)


def clean_body(body: str, title: str | None = None, pattern: re.Pattern[str] = BOILERPLATE) -> str:
    """Clean a body: split it at blank lines, clean its paragraphs and join them again."""
    return join_paragraphs(clean_paragraphs(split_paragraphs(body), title, pattern))

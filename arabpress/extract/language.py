"""The article's language: "en" or "ar", from declared tags or by script."""

from __future__ import annotations

import re

SUPPORTED = frozenset({"en", "ar"})
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f]")


def primary_language(tag: str | None) -> str | None:
    """Return the primary subtag of a language tag ("en-US", "ar_SA") when the site publishes in it."""
    if not tag:
        return None
    primary = re.split(r"[-_]", tag.strip(), maxsplit=1)[0].lower()
    return primary if primary in SUPPORTED else None


def language_by_script(text: str) -> str | None:
    """Return "ar" when Arabic letters outnumber Latin ones, "en" for the reverse, None without letters."""
    arabic = len(ARABIC_LETTER.findall(text))
    latin = len(LATIN_LETTER.findall(text))
    if arabic == latin == 0:
        return None
    return "ar" if arabic > latin else "en"

"""The extraction's fast paths give what the plain computations they stand for give."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from arabpress.extract.dom import ASCII_WHITESPACE, fold_whitespace, is_blank

# Spaces of every kind, format characters and letters, as the texts of pages mix them.
PIECES = [" ", "  ", "\t", "\n", "\r", "\f", "\v", "\xa0", "\u2003", "\u200b", "\u200f", "\ufeff", "a", "ب", ".", "1"]
texts = st.one_of(st.text(), st.lists(st.sampled_from(PIECES), max_size=12).map("".join))


@settings(max_examples=500)
@given(texts)
def test_fold_whitespace_is_the_regex_and_strip(text: str) -> None:
    assert fold_whitespace(text) == ASCII_WHITESPACE.sub(" ", text).strip(" ")


@settings(max_examples=500)
@given(texts)
def test_is_blank_tests_every_character(text: str) -> None:
    assert is_blank(text) == all(char.isspace() or unicodedata.category(char) == "Cf" for char in text)

"""URL helpers: tracking removal, same-site checks, permalinks and AMP copies."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from arabpress.urls import (
    amp_to_canonical,
    is_amp_url,
    is_article_url,
    is_same_site,
    is_section_url,
    strip_tracking,
)

SITE = "https://www.arabpress.example"
GOLD = f"{SITE}/2026/01/24/gold-jumps-more-than-8-in-a-week-as-the-dollar-slides-amid-greenland-tariff-dispute/"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{GOLD}?utm_source=homepage&utm_medium=featured&utm_campaign=jan26", GOLD),
        (f"{SITE}/?s=iran&utm_term=x&page=2", f"{SITE}/?s=iran&page=2"),
        (f"{SITE}/a/?fbclid=IwAR0abc", f"{SITE}/a/"),
        (f"{SITE}/a/?gclid=EAIa&b=1", f"{SITE}/a/?b=1"),
        (f"{SITE}/a/?UTM_Source=x&b=1", f"{SITE}/a/?b=1"),
        (f"{SITE}/a/?utm_anything_new=1", f"{SITE}/a/"),
        (f"{SITE}/a/#comments", f"{SITE}/a/"),
        (f"{SITE}/a/?b=1&utm_source=x#top", f"{SITE}/a/?b=1"),
        (f"{SITE}/a/?z=2&a=1&c=3", f"{SITE}/a/?z=2&a=1&c=3"),
        (f"{SITE}/a/?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7&utm_source=x", f"{SITE}/a/?q=%D8%B3%D9%88%D8%B1%D9%8A%D8%A7"),
        (f"{SITE}/a/?flag&utm_source=x", f"{SITE}/a/?flag"),
        (f"{SITE}/a/?utmost=1", f"{SITE}/a/?utmost=1"),
        (f"{SITE}/a/", f"{SITE}/a/"),
        (f"{SITE}/a/?", f"{SITE}/a/"),
    ],
)
def test_strip_tracking(url: str, expected: str) -> None:
    assert strip_tracking(url) == expected


@pytest.mark.parametrize(
    ("url", "base_url", "expected"),
    [
        (GOLD, SITE, True),
        (GOLD, f"{SITE}/", True),
        ("https://WWW.ARABPRESS.EXAMPLE/x/", SITE, True),
        ("https://www.arabpress.example:443/x/", SITE, True),
        ("http://www.arabpress.example/x/", SITE, False),
        ("https://arabpress.example/x/", SITE, False),
        ("https://cdn.arabpress.example/x/", SITE, False),
        ("https://twitter.com/arabpress", SITE, False),
        ("http://127.0.0.1:8123/2026/01/24/x/", "http://127.0.0.1:8123", True),
        ("http://127.0.0.1:8124/2026/01/24/x/", "http://127.0.0.1:8123", False),
        ("http://127.0.0.1/x/", "http://127.0.0.1:8123", False),
    ],
)
def test_is_same_site(url: str, base_url: str, expected: bool) -> None:
    assert is_same_site(url, base_url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (GOLD, True),
        (f"{GOLD}?utm_source=homepage", True),
        (f"{SITE}/ar/2026/02/01/saudi-syria-riyadh-talks/", True),
        (f"{SITE}/ar/2026/02/01/saudi-syria-riyadh-talks", True),
        ("/2022/08/26/what-is-behind-us-clashes-with-iran-backed-fighters-in-syria/", True),
        (f"{GOLD}amp/", False),
        (f"{GOLD}?amp=1", False),
        (f"{GOLD}feed/", False),
        (f"{SITE}/", False),
        (f"{SITE}/ar/", False),
        (f"{SITE}/category/economy/", False),
        (f"{SITE}/2026/01/", False),
        (f"{SITE}/2026/01/24/", False),
        (f"{SITE}/about/", False),
        (f"{SITE}/fr/2026/01/24/slug/", False),
        (f"{SITE}/?s=iran", False),
    ],
)
def test_is_article_url(url: str, expected: bool) -> None:
    assert is_article_url(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{GOLD}amp/", True),
        (f"{GOLD}amp", True),
        (f"{GOLD}?amp", True),
        (f"{GOLD}?amp=1", True),
        (f"{GOLD}?x=1&amp=1", True),
        (GOLD, False),
        (f"{SITE}/2026/01/24/amplifiers-sell-out/", False),
        (f"{GOLD}?ampersand=1", False),
    ],
)
def test_is_amp_url(url: str, expected: bool) -> None:
    assert is_amp_url(url) is expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{GOLD}amp/", GOLD),
        (f"{GOLD}amp", GOLD),
        (f"{GOLD}?amp", GOLD),
        (f"{GOLD}?amp=1", GOLD),
        (f"{GOLD}?x=1&amp=1&y=2", f"{GOLD}?x=1&y=2"),
        (GOLD, GOLD),
        (f"{SITE}/2026/01/24/amplifiers-sell-out/", f"{SITE}/2026/01/24/amplifiers-sell-out/"),
    ],
)
def test_amp_to_canonical(url: str, expected: str) -> None:
    assert amp_to_canonical(url) == expected


def test_amp_to_canonical_gives_an_article_url() -> None:
    assert is_article_url(amp_to_canonical(f"{GOLD}amp/"))


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"{SITE}/", True),
        (f"{SITE}/ar/", True),
        (f"{SITE}/category/middle-east/", True),
        (f"{SITE}/category/middle-east/page/2/", True),
        (f"{SITE}/ar/category/saudi-arabia/", True),
        (GOLD, False),
        (f"{SITE}/about/", False),
        (f"{SITE}/tag/iran/", False),
        (f"{SITE}/category/", False),
    ],
)
def test_is_section_url(url: str, expected: bool) -> None:
    assert is_section_url(url) is expected


# --- properties ---------------------------------------------------------------------

PARAMETER_NAMES = st.sampled_from(["utm_source", "UTM_Medium", "utm_x", "fbclid", "gclid", "page", "s", "lang", "amp"])
PARAMETERS = st.lists(st.tuples(PARAMETER_NAMES, st.text("abc123%", max_size=4)), max_size=6)
FRAGMENTS = st.sampled_from(["", "#comments", "#"])


def with_query(parameters: list[tuple[str, str]], fragment: str = "") -> str:
    """Build a gold-story URL with the given query parameters and fragment."""
    query = "&".join(f"{name}={value}" for name, value in parameters)
    return f"{GOLD}?{query}{fragment}" if query else f"{GOLD}{fragment}"


@given(PARAMETERS, FRAGMENTS)
def test_strip_tracking_keeps_exactly_the_other_parameters(parameters: list[tuple[str, str]], fragment: str) -> None:
    stripped = strip_tracking(with_query(parameters, fragment))
    kept = [(name, value) for name, value in parameters if not name.lower().startswith("utm_")]
    kept = [(name, value) for name, value in kept if name not in {"fbclid", "gclid"}]
    assert stripped == with_query(kept)
    assert strip_tracking(stripped) == stripped


@given(PARAMETERS)
def test_amp_to_canonical_is_never_amp(parameters: list[tuple[str, str]]) -> None:
    for url in (with_query(parameters), with_query(parameters).replace(GOLD, f"{GOLD}amp/")):
        canonical = amp_to_canonical(url)
        assert not is_amp_url(canonical)
        assert canonical.startswith(GOLD)

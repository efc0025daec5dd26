"""The URL key: one form for every spelling of a URL (docs/schema.md, "URL key")."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import scrapy
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.utils.test import get_crawler

from arabpress.urls import url_key

ARABIC = "".join(chr(code) for code in range(0x0621, 0x064B))
SEGMENT_CHARACTERS = ARABIC + "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_~é"

segments = st.lists(
    st.text(SEGMENT_CHARACTERS, min_size=1, max_size=12).filter(lambda text: text not in (".", "..")),
    min_size=1,
    max_size=5,
)
hosts = st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=10), min_size=1, max_size=3)
schemes = st.sampled_from(["http", "https"])
DEFAULT_PORT = {"http": 80, "https": 443}
FINGERPRINTER = get_crawler().request_fingerprinter


def decoded_url(scheme: str, host: list[str], path: list[str]) -> str:
    """Return the URL as an IRI: the path's characters as they are."""
    return f"{scheme}://{'.'.join(host)}.example/{'/'.join(path)}/"


def encoded_url(scheme: str, host: list[str], path: list[str]) -> str:
    """Return the URL as HTTP sends it: the path percent-encoded in UTF-8."""
    encoded = quote("/".join(path), safe="/")
    return f"{scheme}://{'.'.join(host)}.example/{encoded}/"


def percent_lower(text: str) -> str:
    """Return *text* with the hex digits of its percent-escapes in lower case, nothing else changed."""
    parts = text.split("%")
    return parts[0] + "".join("%" + part[:2].lower() + part[2:] for part in parts[1:])


@settings(deadline=None)  # the machine may be busy; the properties are what count
@given(schemes, hosts, segments)
def test_decoded_and_encoded_spellings_give_one_key(scheme: str, host: list[str], path: list[str]) -> None:
    key = url_key(decoded_url(scheme, host, path))
    assert url_key(encoded_url(scheme, host, path)) == key
    assert url_key(percent_lower(encoded_url(scheme, host, path))) == key
    assert key.isascii()


@settings(deadline=None)
@given(schemes, hosts, segments)
def test_case_of_scheme_and_host_default_port_and_fragment_give_one_key(
    scheme: str, host: list[str], path: list[str]
) -> None:
    url = encoded_url(scheme, host, path)
    key = url_key(url)
    authority = f"{'.'.join(host)}.example"
    shouting = url.replace(f"{scheme}://{authority}", f"{scheme.upper()}://{authority.upper()}", 1)
    with_port = url.replace(authority, f"{authority}:{DEFAULT_PORT[scheme]}", 1)
    assert url_key(shouting) == key
    assert url_key(with_port) == key
    assert url_key(url + "#comments") == key
    assert url_key(url.replace("://", "://reader:secret@", 1)) == key


@settings(deadline=None)
@given(schemes, hosts, segments)
def test_the_key_is_stable_and_what_scrapy_requests(scheme: str, host: list[str], path: list[str]) -> None:
    key = url_key(decoded_url(scheme, host, path))
    assert url_key(key) == key
    # Requests are made for the key, so the response's URL and the stored key agree.
    assert scrapy.Request(key).url == key


@settings(deadline=None)
@given(schemes, hosts, segments, segments)
def test_different_paths_keep_different_keys(scheme: str, host: list[str], one: list[str], other: list[str]) -> None:
    same = one == other
    assert (url_key(decoded_url(scheme, host, one)) == url_key(decoded_url(scheme, host, other))) is same


@settings(deadline=None)
@given(st.permutations(["a=1", "b=%D8%B9", "c=", "d=x+y"]))
def test_query_parameters_are_sorted_like_scrapy_s_duplicate_filter(pairs: list[str]) -> None:
    url = "https://www.arabpress.example/2024/01/02/x/?" + "&".join(pairs)
    assert url_key(url) == "https://www.arabpress.example/2024/01/02/x/?a=1&b=%D8%B9&c=&d=x+y"
    assert FINGERPRINTER.fingerprint(scrapy.Request(url)) == FINGERPRINTER.fingerprint(scrapy.Request(url_key(url)))


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (
            "https://www.arabpress.example/ar/2024/01/02/النفط-يرتفع/",
            "https://www.arabpress.example/ar/2024/01/02/%D8%A7%D9%84%D9%86%D9%81%D8%B7-%D9%8A%D8%B1%D8%AA%D9%81%D8%B9/",
        ),
        ("HTTPS://WWW.ArabPress.example:443/a/./b/../c/#x", "https://www.arabpress.example/a/c/"),
        ("http://www.arabpress.example", "http://www.arabpress.example/"),
        ("http://www.arabpress.example:8080/a%2fb/", "http://www.arabpress.example:8080/a%2Fb/"),
        ("https://www.arabpress.example/a/?flag", "https://www.arabpress.example/a/?flag="),
    ],
)
def test_examples_of_the_key(url: str, key: str) -> None:
    assert url_key(url) == key


def test_an_invalid_port_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="Port"):
        url_key("https://www.arabpress.example:99999/a/")

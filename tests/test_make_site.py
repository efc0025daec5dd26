"""The synthetic site generator (benchmarks/make_site.py): layout, links, manifest, changes, bad pages."""

from __future__ import annotations

import json
import re
from collections import deque
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from parsel import Selector

from benchmarks import make_site

ORIGIN = "https://www.arabpress.example"
RIYADH = timezone(timedelta(hours=3))
ARTICLES = 30
SEED = 7
# Small sitemaps and listing pages, so 30 articles still need several of each.
URLS_PER_SITEMAP = 8
TEASERS_PER_PAGE = 4
AR_MONTHS = {name: number for number, name in enumerate(make_site.AR_MONTHS, start=1)}


def generate(out: Path, seed: int = SEED, bad_pages: bool = True) -> Path:
    """Generate a small site into *out* and return *out*."""
    make_site.generate_site(
        out,
        ARTICLES,
        seed,
        bad_pages,
        urls_per_sitemap=URLS_PER_SITEMAP,
        teasers_per_page=TEASERS_PER_PAGE,
        log=lambda line: None,
    )
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One generated site with bad pages, shared by the read-only tests."""
    return generate(tmp_path_factory.mktemp("site"))


def manifest(root: Path) -> dict[str, Any]:
    """The site's manifest.json."""
    data: dict[str, Any] = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    return data


def page_file(root: Path, url_path: str) -> Path:
    """The file served at *url_path*."""
    relative = url_path.lstrip("/")
    return root / "pages" / relative / "index.html" if url_path.endswith("/") else root / "pages" / relative


def page(root: Path, url_path: str) -> Selector:
    """The page at *url_path*, parsed."""
    return Selector(text=page_file(root, url_path).read_text(encoding="utf-8"))


def first(selector: Selector, css: str) -> str:
    """The first match of a CSS query, which must exist."""
    value = selector.css(css).get()
    assert value is not None, css
    return value


def first_xpath(selector: Selector, xpath: str) -> str:
    """The first match of an XPath query, which must exist."""
    value = selector.xpath(xpath).get()
    assert value is not None, xpath
    return value


def local_path(href: str) -> str | None:
    """The site path an href points to (no query), or None for another site."""
    parts = urlsplit(href)
    if parts.scheme and f"{parts.scheme}://{parts.netloc}" != ORIGIN:
        return None
    return parts.path


def tree(root: Path) -> dict[str, bytes]:
    """Every file of a site folder by relative path."""
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def utc(text: str) -> datetime:
    """Parse an ISO 8601 date, Z included."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def visible_date(text: str, language: str) -> datetime:
    """Parse the theme's visible date (Riyadh time) in either language."""
    if language == "en":
        return datetime.strptime(text, "%B %d, %Y at %I:%M %p").replace(tzinfo=RIYADH)
    digits = text.translate(str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789"))
    match = re.fullmatch(r"\S+ (\d{1,2}) (\S+) (\d{4}) - (\d{2}):(\d{2}) ([مص])", digits)
    assert match, text
    hour = int(match[4]) % 12 + (12 if match[6] == "م" else 0)
    return datetime(int(match[3]), AR_MONTHS[match[2]], int(match[1]), hour, int(match[5]), tzinfo=RIYADH)


def json_ld_article(selector: Selector) -> dict[str, Any]:
    """The NewsArticle of a page's JSON-LD, alone or inside @graph."""
    for script in selector.css('script[type="application/ld+json"]::text').getall():
        data = json.loads(script)
        for node in data.get("@graph", [data]):
            if node.get("@type") == "NewsArticle":
                found: dict[str, Any] = node
                return found
    raise AssertionError("no NewsArticle JSON-LD")


def published_on_page(selector: Selector, source: str, language: str) -> datetime:
    """Read the published date from where the page's date source says it is."""
    if source in ("jsonld", "jsonld_graph"):
        return utc(json_ld_article(selector)["datePublished"])
    if source == "meta":
        return utc(first(selector, 'meta[property="article:published_time"]::attr(content)'))
    if source == "microdata":
        return utc(first(selector, '[itemprop="datePublished"]::attr(content)'))
    if source == "time":
        return utc(first(selector, "time.published::attr(datetime)"))
    return visible_date(first(selector, ".posted-on::text").strip(), language)


def body_paragraphs(selector: Selector, read_more: str) -> int:
    """Count what an extractor keeps of the body: paragraphs, subheadings and quotes."""
    count = 0
    for block in selector.css(".entry-content > p, .entry-content > h2, .entry-content > blockquote"):
        text = "".join(block.css("::text").getall()).replace("\xa0", " ").strip()
        if text and not text.startswith(read_more):
            count += 1
    return count


def related_paths(selector: Selector) -> list[str]:
    """The site paths of a page's related-articles list."""
    return [path for href in selector.css("ul.related-list a::attr(href)").getall() if (path := local_path(href))]


# --- determinism ----------------------------------------------------------------------------------


def test_same_seed_and_count_give_identical_bytes(tmp_path: Path) -> None:
    first = tree(generate(tmp_path / "a"))
    second = tree(generate(tmp_path / "b"))
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_another_seed_gives_another_site(tmp_path: Path, site: Path) -> None:
    other = generate(tmp_path / "other", seed=SEED + 1, bad_pages=False)
    paths = {article["path"] for article in manifest(site)["articles"]}
    assert paths.isdisjoint(article["path"] for article in manifest(other)["articles"])


# --- pages and links ------------------------------------------------------------------------------


def test_article_pages_weigh_40_to_80_kb(site: Path) -> None:
    sizes = {a["path"]: page_file(site, a["path"]).stat().st_size for a in manifest(site)["articles"]}
    assert len(sizes) == ARTICLES
    assert {path: size for path, size in sizes.items() if not 40_000 <= size <= 80_000} == {}


def test_every_article_is_reachable_from_the_home_page_by_related_links_alone(site: Path) -> None:
    wanted: set[str] = {article["path"] for article in manifest(site)["articles"]}
    home_links = {local_path(href) for href in page(site, "/").css("a::attr(href)").getall()}
    queue = deque(sorted(wanted & home_links))
    reached = set(queue)
    while queue:
        for path in related_paths(page(site, queue.popleft())):
            if path in wanted and path not in reached:
                reached.add(path)
                queue.append(path)
    assert wanted - reached == set()


def test_related_lists_chain_every_article_in_one_ring() -> None:
    # The ring, not luck with random links, is what makes a site of any size fully reachable.
    model = make_site.build_site(SEED, 200, bad_pages=False)
    ring = model.newest["en"] + model.newest["ar"]
    assert sorted(ring) == list(range(200))
    for position, index in enumerate(ring):
        assert ring[(position + 1) % len(ring)] in model.articles[index].related


def test_related_lists_hold_about_ten_links_some_absolute_some_tracked(site: Path) -> None:
    hrefs = []
    for article in manifest(site)["articles"]:
        selector = page(site, article["path"])
        assert 10 <= len(set(related_paths(selector))) <= 14, article["path"]
        hrefs += selector.css("ul.related-list a::attr(href)").getall()
    assert any(href.startswith(ORIGIN) for href in hrefs)
    assert any(href.startswith("/") for href in hrefs)
    assert any("utm_source=" in href for href in hrefs)


def test_section_listings_page_through_every_article_of_their_section(site: Path) -> None:
    articles = manifest(site)["articles"]
    for language, prefix in (("en", ""), ("ar", "/ar")):
        for section in make_site.SECTIONS:
            expected = {
                a["path"] for a in articles if a["language"] == language and a["section"] == section.name(language)
            }
            listed: list[str] = []
            next_path: str | None = f"{prefix}/category/{section.slug}/"
            while next_path:
                selector = page(site, next_path)
                assert "archive" in first(selector, "body::attr(class)").split()
                teasers = [local_path(h) for h in selector.css("article.teaser h2 a::attr(href)").getall()]
                assert len(teasers) <= TEASERS_PER_PAGE
                listed += [path for path in teasers if path]
                next_path = selector.css("a.next::attr(href)").get()
            assert sorted(listed) == sorted(expected), section.slug


def test_robots_txt_names_the_sitemap_index_and_blocks_wp_admin(site: Path) -> None:
    lines = page_file(site, "/robots.txt").read_text(encoding="utf-8").splitlines()
    assert "Disallow: /wp-admin/" in lines
    assert f"Sitemap: {ORIGIN}/sitemap_index.xml" in lines


def test_sitemaps_list_every_article_once_with_its_lastmod(site: Path) -> None:
    index = Selector(text=page_file(site, "/sitemap_index.xml").read_text(encoding="utf-8"), type="xml")
    index.remove_namespaces()
    listed: dict[str, str] = {}
    sitemap_urls = index.xpath("//sitemap/loc/text()").getall()
    assert len(sitemap_urls) > 2  # both editions need several small sitemaps
    for url in sitemap_urls:
        xml = Selector(text=page_file(site, local_path(url) or "").read_text(encoding="utf-8"), type="xml")
        xml.remove_namespaces()
        entries = xml.xpath("//url")
        assert 0 < len(entries) <= URLS_PER_SITEMAP
        for entry in entries:
            path = local_path(first_xpath(entry, "loc/text()"))
            assert path and path not in listed
            listed[path] = first_xpath(entry, "lastmod/text()")
    expected = {article["path"]: article["lastmod"] for article in manifest(site)["articles"]}
    assert listed == expected
    assert all(utc(lastmod).utcoffset() == timedelta(0) for lastmod in listed.values())


def test_manifest_matches_the_article_pages(site: Path) -> None:
    data = manifest(site)
    for article in data["articles"]:
        selector = page(site, article["path"])
        language = article["language"]
        assert first(selector, "html::attr(lang)").startswith(language)
        assert first(selector, 'link[rel="canonical"]::attr(href)') == ORIGIN + article["path"]
        assert first(selector, "h1.entry-title::text") == article["title"]
        published = published_on_page(selector, article["date_source"], language)
        assert published == utc(article["published_at"]), article["path"]
        assert utc(article["lastmod"]) >= published
        read_more = make_site.THEMES[language].read_more
        assert body_paragraphs(selector, read_more) == article["body_paragraphs"], article["path"]
        lead = "".join(selector.css(".entry-content > p")[0].css("::text").getall())
        assert lead.startswith(article["body_startswith"])
        if article["date_source"] == "text":
            assert article["modified_at"] is None


def test_every_article_page_on_disk_is_in_the_manifest(site: Path) -> None:
    data = manifest(site)
    on_disk = set()
    for file in (site / "pages").rglob("index.html"):
        if b'class="single single-post' in file.read_bytes():
            on_disk.add("/" + str(file.parent.relative_to(site / "pages")) + "/")
    bad = {page["path"] for page in data["bad_pages"]}
    assert on_disk - bad == {article["path"] for article in data["articles"]}


def test_both_editions_date_formats_and_sources_are_all_present(site: Path) -> None:
    articles = manifest(site)["articles"]
    assert {a["language"] for a in articles} == {"en", "ar"}
    assert {a["date_source"] for a in articles} == set(make_site.DATE_SOURCES)


def test_visible_dates_match_the_theme_in_both_languages() -> None:
    moment = datetime(2026, 2, 1, 21, 45, tzinfo=RIYADH)
    assert make_site.visible_date_ar(moment) == "الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م"
    assert make_site.visible_date_en(datetime(2026, 1, 28, 13, 15, tzinfo=UTC)) == ("January 28, 2026 at 4:15 pm")
    assert make_site.visible_date_en(datetime(2026, 1, 28, 0, 5, tzinfo=RIYADH)) == "January 28, 2026 at 12:05 am"


def test_pages_carry_the_theme_markup(site: Path) -> None:
    articles = manifest(site)["articles"]
    for language in ("en", "ar"):
        article = next(a for a in articles if a["language"] == language)
        selector = page(site, article["path"])
        assert {"single", "single-post"} <= set(first(selector, "body::attr(class)").split())
        assert first(selector, ".header-date::text") == make_site.THEMES[language].header_date
        assert selector.css("#primary-menu a")
        assert selector.css("article.post header.entry-header h1.entry-title")
        assert selector.css("article.post .cat-links a")
        assert len(selector.css(".entry-content p")) >= 3
        assert selector.css("aside.newsletter-signup")
        assert selector.css("section.related-posts .tts-player")
        assert len(selector.css("ul.related-list a")) >= 10
        assert selector.css("footer#colophon")
    arabic = next(a for a in articles if a["language"] == "ar")
    html = page(site, arabic["path"]).css("html")
    assert (html.attrib["lang"], html.attrib["dir"]) == ("ar", "rtl")
    assert {"archive", "category"} <= set(first(page(site, "/category/economy/"), "body::attr(class)").split())


def test_json_ld_sits_alone_or_in_a_graph(site: Path) -> None:
    for article in manifest(site)["articles"]:
        if article["date_source"] in ("jsonld", "jsonld_graph"):
            scripts = page(site, article["path"]).css('script[type="application/ld+json"]::text').getall()
            in_graph = any("@graph" in json.loads(script) for script in scripts)
            assert in_graph == (article["date_source"] == "jsonld_graph")


# --- --change -------------------------------------------------------------------------------------


def test_change_rewrites_exactly_k_articles_and_bumps_their_lastmod(tmp_path: Path) -> None:
    root = generate(tmp_path / "site", bad_pages=False)
    before_files, before = tree(root), manifest(root)
    make_site.change_site(root, 5, log=lambda line: None)
    after_files, after = tree(root), manifest(root)

    changed_files = {name for name in before_files if before_files[name] != after_files[name]}
    article_files = {f"pages{a['path']}index.html": a["path"] for a in before["articles"]}
    changed_articles = {article_files[name] for name in changed_files if name in article_files}
    assert len(after["changed"]) == 5
    assert changed_articles == set(after["changed"])
    assert after_files.keys() == before_files.keys()
    assert all(name.endswith(".xml") or name == "manifest.json" for name in changed_files - article_files.keys())

    old = {a["path"]: a for a in before["articles"]}
    for article in after["articles"]:
        previous = old[article["path"]]
        if article["path"] in after["changed"]:
            assert utc(article["lastmod"]) > utc(previous["lastmod"])
            assert article["title"] == previous["title"]
            if article["date_source"] != "text":
                assert utc(article["modified_at"]) == utc(article["lastmod"])
        else:
            assert article == previous
    test_sitemaps_list_every_article_once_with_its_lastmod(root)


def test_change_rounds_are_deterministic_and_each_bumps_the_clock(tmp_path: Path) -> None:
    roots = [generate(tmp_path / name, bad_pages=False) for name in ("a", "b")]
    for root in roots:
        make_site.change_site(root, 3, log=lambda line: None)
    first_round = {a["path"]: a["lastmod"] for a in manifest(roots[0])["articles"]}
    for root in roots:
        make_site.change_site(root, 3, log=lambda line: None)
    assert tree(roots[0]) == tree(roots[1])
    second = manifest(roots[0])
    assert second["change_rounds"] == [3, 3]
    for path in second["changed"]:
        lastmod = next(a["lastmod"] for a in second["articles"] if a["path"] == path)
        assert utc(lastmod) > utc(first_round[path])


# --- bad pages ------------------------------------------------------------------------------------


def bad_pages_by_kind(root: Path) -> dict[str, list[dict[str, Any]]]:
    """The manifest's bad pages grouped by kind."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in manifest(root)["bad_pages"]:
        grouped.setdefault(entry["kind"], []).append(entry)
    return grouped


def test_bad_pages_write_their_responses_json_entries(site: Path) -> None:
    responses = json.loads((site / "responses.json").read_text(encoding="utf-8"))
    bad = bad_pages_by_kind(site)
    assert responses["/loop/a/"] == {"status": 302, "headers": {"Location": "/loop/b/"}}
    assert responses["/loop/b/"] == {"status": 302, "headers": {"Location": "/loop/a/"}}
    entrance = next(p for p in bad["redirect_loop"] if p["path"].startswith("/20"))
    assert responses[entrance["path"]]["headers"]["Location"] == "/loop/a/"
    for entry in bad["http_500"]:
        assert responses[entry["path"]] == {"status": 500}
    for entry in bad["busy"]:
        assert responses[entry["path"]] == {"status": 429, "headers": {"Retry-After": "1"}, "times": 2}
        served_after = page(site, entry["path"])
        assert first(served_after, "h1.entry-title::text") == entry["title"]
    assert {entry["expect"] for entry in bad["busy"]} == {"article"}


def test_bad_page_bodies_are_broken_as_described(site: Path) -> None:
    bad = bad_pages_by_kind(site)
    truncated = page_file(site, bad["truncated"][0]["path"]).read_bytes()
    assert b"</html>" not in truncated
    assert b'class="entry-title"' in truncated
    assert b'<div class="entry-content"' in truncated

    assert page_file(site, bad["too_large"][0]["path"]).stat().st_size > 10 * 1024 * 1024

    binary = page_file(site, bad["binary"][0]["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        binary.decode("utf-8")

    legacy = bad["windows_1256"][0]
    raw = page_file(site, legacy["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert b"charset" not in raw.lower()
    assert first(Selector(text=raw.decode("cp1256")), "h1.entry-title::text") == legacy["title"]
    content_types = json.loads((site / "content-types.json").read_text(encoding="utf-8"))
    assert content_types[legacy["path"]] == "text/html"

    broken = bad["invalid_jsonld"][0]
    selector = page(site, broken["path"])
    script = first(selector, 'script[type="application/ld+json"]::text')
    with pytest.raises(json.JSONDecodeError):
        json.loads(script)
    assert first(selector, "h1.entry-title::text") == broken["title"]
    assert utc(first(selector, "time.published::attr(datetime)")) == utc(broken["published_at"])


def test_bad_pages_are_linked_from_the_home_page_and_related_lists(site: Path) -> None:
    data = manifest(site)
    linked = {entry["path"] for entry in data["bad_pages"] if entry["path"] != "/loop/b/"}
    home = {local_path(href) for href in page(site, "/").css(".trending a::attr(href)").getall()}
    assert home == linked
    from_related = set()
    for article in data["articles"]:
        from_related |= set(related_paths(page(site, article["path"]))) & linked
    assert from_related == linked


def test_bad_pages_say_what_a_crawl_must_make_of_them(site: Path) -> None:
    expected = {
        "truncated": {"truncated"},
        "too_large": {"too_large"},
        "windows_1256": {"article"},
        "binary": {"binary"},
        "redirect_loop": {"redirect_loop"},
        "http_500": {"http_500"},
        "busy": {"article"},
        "invalid_jsonld": {"article"},
    }
    found = {kind: {entry["expect"] for entry in entries} for kind, entries in bad_pages_by_kind(site).items()}
    assert found == expected
    for entries in bad_pages_by_kind(site).values():
        for entry in entries:
            assert entry["path"] not in {a["path"] for a in manifest(site)["articles"]}
            if entry["expect"] == "article":
                assert entry["title"] and entry["published_at"].endswith("Z")

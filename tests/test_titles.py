"""Titles as the page shows them, on small pages written here: each rule, in English, Arabic and Japanese/Chinese."""

from __future__ import annotations

import json

import pytest
import scrapy
from parsel import Selector
from scrapy.http import HtmlResponse

from arabpress.extract import ArticlePage
from arabpress.extract.affixes import SiteAffixes
from arabpress.extract.titles import SiteNames, site_names, strip_site_segments
from arabpress.offline import make_crawler, offline_settings
from arabpress.spiders.arabpress import ArabPressSpider

URL = "https://www.example-news.com/2024/05/01/story/"
HEADLINE = "Rebels seize missile depots near Damascus"
ARABIC_HEADLINE = "معارضون يسيطرون على مخازن للصواريخ بريف دمشق"
JAPANESE_HEADLINE = "バス転落事故で31人死亡"


def page(
    *,
    title: str | None = None,
    og_title: str | None = None,
    headline: str | None = None,
    site_name: str | None = None,
    h1: str | None = None,
    h1_outside: str | None = None,
    section: str | None = None,
    url: str = URL,
    affixes: SiteAffixes | None = None,
) -> ArticlePage:
    """Write a small page with the given title sources and read it as an article."""
    head = [f"<title>{title}</title>"] if title is not None else []
    if og_title is not None:
        head.append(f'<meta property="og:title" content="{og_title}">')
    if site_name is not None:
        head.append(f'<meta property="og:site_name" content="{site_name}">')
    if section is not None:
        head.append(f'<meta property="article:section" content="{section}">')
    if headline is not None:
        document = {"@type": "NewsArticle", "headline": headline}
        head.append(f'<script type="application/ld+json">{json.dumps(document, ensure_ascii=False)}</script>')
    article = f"<article><h1>{h1}</h1><p>Text.</p></article>" if h1 is not None else "<div><p>Text.</p></div>"
    masthead = f"<h1>{h1_outside}</h1>" if h1_outside is not None else ""
    html = f"<html><head>{''.join(head)}</head><body>{masthead}{article}</body></html>"
    return ArticlePage(Selector(text=html), url, affixes)


# --- the headline among the candidates ------------------------------------------------


def test_html_title_with_a_domain_suffix_loses_to_the_headline_it_starts_with() -> None:
    # The CNN Arabic case: og:title and h1 are the headline, <title> adds "- CNNArabic.com".
    article = page(
        title=f"{ARABIC_HEADLINE} - CNNArabic.com",
        og_title=ARABIC_HEADLINE,
        h1=ARABIC_HEADLINE,
        site_name="CNNArabic",
        url="https://arabic.cnn.com/middle-east/article/2013/08/05/syria-rebels",
    )
    assert article.title == ARABIC_HEADLINE


def test_a_longer_title_that_goes_on_after_a_space_is_not_taken() -> None:
    # The AFPBB case: <title> continues the headline with a section and the brand after a CJK colon.
    article = page(og_title=JAPANESE_HEADLINE, title=f"{JAPANESE_HEADLINE} 写真1枚 国際ニュース：AFPBB News")
    assert article.title == JAPANESE_HEADLINE


@pytest.mark.parametrize(
    "cut",
    [f"{HEADLINE[:24]}…", f"{HEADLINE[:24]}...", f"{HEADLINE[:24]} […]", HEADLINE[:23]],
    ids=["ellipsis", "three dots", "excerpt mark", "mid-word"],
)
def test_a_visibly_cut_headline_gives_way_to_the_full_one(cut: str) -> None:
    assert HEADLINE[22:24].isalpha()  # the mid-word case cuts inside "missile"
    assert page(headline=cut, og_title=HEADLINE).title == HEADLINE


def test_a_headline_cut_at_a_word_without_ellipsis_keeps_itself_against_a_longer_title() -> None:
    short = "Rebels seize missile depots"
    assert page(headline=short, og_title=f"{short} near Damascus").title == short


def test_the_article_h1_is_preferred_when_a_structured_title_wraps_it_in_segments() -> None:
    # A section appended to og:title ("| Opinion") is not the site's name, but the h1 shows the headline.
    assert page(og_title=f"{HEADLINE} | Opinion", h1=HEADLINE).title == HEADLINE
    assert page(og_title=f"Opinion | {HEADLINE}", h1=HEADLINE).title == HEADLINE


def test_the_pages_only_h1_counts_when_no_article_element_holds_it() -> None:
    assert page(og_title=f"{HEADLINE} | Opinion", h1_outside=HEADLINE).title == HEADLINE


def test_an_h1_that_does_not_agree_with_the_structured_title_is_not_taken() -> None:
    # A logo in an h1, or a different headline: the structured title stays.
    assert page(og_title=HEADLINE, h1_outside="Example News").title == HEADLINE
    assert page(headline=HEADLINE, h1="Five things to know today").title == HEADLINE


def test_the_h1_completes_a_structured_headline_cut_at_a_word() -> None:
    short = "Rebels seize missile depots"
    assert page(headline=short, h1=HEADLINE).title == HEADLINE


def test_a_candidate_wrapped_in_a_short_segment_gives_way_to_the_bare_headline() -> None:
    assert page(headline=f"{HEADLINE} | World", og_title=HEADLINE).title == HEADLINE


def test_a_kicker_as_long_as_the_headline_is_part_of_it() -> None:
    # "Dear Abby: ..." is one headline, not "Dear Abby" with an appendage.
    full = "Dear Abby: Husband books business class but leaves wife in economy"
    assert page(headline=full, og_title="Dear Abby").title == full


def test_entities_left_in_json_ld_are_decoded_before_comparing() -> None:
    article = page(headline=f"{HEADLINE} &ndash; Example News", site_name="Example News")
    assert article.title == HEADLINE


# --- site names around the headline -------------------------------------------------------

# Latin, then CJK (fullwidth pipe and colon, katakana middle dot, 丨, the underscore), then the Arabic tatweel dash.
SEPARATORS = [" - ", " – ", " — ", "—", " -", " | ", "|", " : ", ": ", " · ", " » ", " « ", " / ", " ~ "]
SEPARATORS += ["｜", "：", "・", "丨", "_", " ـ "]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_a_trailing_site_name_goes_with_any_separator(separator: str) -> None:
    assert page(title=f"{HEADLINE}{separator}Example News", site_name="Example News").title == HEADLINE


@pytest.mark.parametrize("separator", [" | ", " - ", "｜", " ـ "])
def test_a_leading_site_name_goes_too(separator: str) -> None:
    assert page(title=f"Example News{separator}{HEADLINE}", site_name="Example News").title == HEADLINE


@pytest.mark.parametrize(
    ("suffix", "url"),
    [
        ("example-news.com", URL),  # the host
        ("Example-News.com", URL),  # the host, written as the site writes it
        ("www.example-news.com", URL),
        ("Example News", URL),  # the domain's main label, spaced
        ("CNNArabic.com", "https://arabic.cnn.com/world/story"),  # a domain holding the main label
        ("BBC", "https://www.bbc.co.uk/news/world-1"),  # the main label under a two-part suffix
    ],
)
def test_a_domain_or_its_main_label_goes_without_og_site_name(suffix: str, url: str) -> None:
    assert page(title=f"{HEADLINE} | {suffix}", url=url).title == HEADLINE


def test_arabic_title_loses_the_arabic_site_name() -> None:
    article = page(title=f"{ARABIC_HEADLINE} | عرب برس", site_name="عرب برس")
    assert article.title == ARABIC_HEADLINE


def test_chinese_title_loses_the_site_name_after_a_cjk_pipe() -> None:
    headline = "李克强同志遗体在京火化"
    assert page(title=f"{headline}丨搜狐新闻", site_name="搜狐新闻").title == headline


def test_a_site_name_in_guillemets_goes_with_the_dash_before_it() -> None:
    assert page(title=f"{HEADLINE} — «Kommersant»", site_name="Kommersant").title == HEADLINE
    quoted = "Merkel: «Wir schaffen das»"
    assert page(title=f"{quoted} | Kommersant", site_name="Kommersant").title == quoted


def test_the_first_words_of_a_long_site_name_stand_for_it() -> None:
    article = page(title=f"{ARABIC_HEADLINE} | الجزيرة", site_name="الجزيرة نت", url="https://www.aljazeera.net/news/1")
    assert article.title == ARABIC_HEADLINE


def test_the_section_beside_the_site_name_goes_with_it() -> None:
    title = f"{HEADLINE} | Middle East | Example News"
    assert page(title=title, site_name="Example News", section="Middle East").title == HEADLINE


def test_short_sections_after_the_site_name_go_with_it() -> None:
    title = f"{HEADLINE} | Example-News.com - Sport - Fußball"
    assert page(title=title).title == HEADLINE
    # A long segment after the name is no section: the title is left alone.
    long_tail = f"{HEADLINE} | example-news.com - what the minister said about it on Monday"
    assert page(title=long_tail).title == long_tail


def test_a_section_alone_is_kept_without_evidence() -> None:
    # Without the site's name beside it nor pages that share it, "World" may be part of the headline.
    assert page(title=f"{HEADLINE} | World", section="World").title == f"{HEADLINE} | World"


def test_hyphens_inside_words_and_names_do_not_separate() -> None:
    headline = "Self-indicting arrogance in 24/7 news, 2019–2020"
    assert page(title=f"{headline} - AK-Kurier.de", url="https://www.ak-kurier.de/a/1").title == headline


def test_a_title_that_is_only_the_site_name_is_kept() -> None:
    assert page(title="Example News", site_name="Example News").title == "Example News"
    assert page(title="Example News | example-news.com").title in {"Example News", "example-news.com"}


def test_the_publisher_of_json_ld_is_a_site_name() -> None:
    document = {"@type": "NewsArticle", "headline": f"{HEADLINE} - Daily Planet", "publisher": {"name": "Daily Planet"}}
    script = f'<script type="application/ld+json">{json.dumps(document)}</script>'
    article = ArticlePage(Selector(text=f"<html><head>{script}</head><body></body></html>"), URL)
    assert article.title == HEADLINE


def test_site_names_hold_keys_of_names_and_hosts() -> None:
    names = site_names(["Bundesministerium für Bildung und Forschung - BMBF"], ["https://www.bmbf.de/x"])
    assert {"bmbf", "bmbfde", "bundesministeriumfürbildungundforschung"} <= names.keys
    assert names.names("BMBF.de") and names.names("The BMBF") and not names.names("Forschung")


def test_strip_site_segments_leaves_a_headline_without_site_segments_alone() -> None:
    site = SiteNames(keys=frozenset({"examplenews"}), labels=frozenset({"examplenews"}))
    assert strip_site_segments("Iran: talks resume - analysis", site) == "Iran: talks resume - analysis"


# --- segments learned from the site's own pages ---------------------------------------------


def test_a_suffix_confirmed_on_several_pages_is_removed_from_the_sites_other_titles() -> None:
    store = SiteAffixes(min_pages=3)
    suffix = " | World | Foo Broadcasting"  # names the site by no name the pages declare
    for number in range(3):
        headline = f"Story number {number} of the day"
        assert page(title=headline + suffix, h1=headline, affixes=store).title == headline
    host = "www.example-news.com"
    assert {"world", "foobroadcasting"} <= store.learned(host, "after")
    # A page without an h1 to confirm its headline: only the learned segments say what to drop.
    assert page(title=f"{HEADLINE}{suffix}", affixes=store).title == HEADLINE
    assert page(title=f"{HEADLINE}{suffix}").title == f"{HEADLINE}{suffix}"


def test_a_trailing_segment_shared_by_unconfirmed_titles_is_learned_after_enough_pages() -> None:
    store = SiteAffixes(min_pages=3)
    titles = [page(title=f"Story {word} today ・ Foo Shimbun", affixes=store).title for word in ("one", "two", "three")]
    assert titles[:2] == ["Story one today ・ Foo Shimbun", "Story two today ・ Foo Shimbun"]
    assert titles[2] == "Story three today"
    assert page(title="Story four today ・ Foo Shimbun", affixes=store).title == "Story four today"


def test_a_prefix_confirmed_on_several_pages_is_learned_on_its_side() -> None:
    store = SiteAffixes(min_pages=2)
    for headline in ("The first story of the day", "The second story of the day"):
        assert page(og_title=f"Analysis | {headline}", h1=headline, affixes=store).title == headline
    assert page(og_title=f"Analysis | {HEADLINE}", affixes=store).title == HEADLINE
    assert page(og_title=f"{HEADLINE} | Analysis", affixes=store).title == f"{HEADLINE} | Analysis"


def test_learned_segments_stay_with_their_host() -> None:
    store = SiteAffixes(min_pages=2)
    for headline in ("The first story of the day", "The second story of the day"):
        assert page(title=f"{headline} | Foo Broadcasting", h1=headline, affixes=store).title == headline
    assert page(title=f"{HEADLINE} | Foo Broadcasting", affixes=store).title == HEADLINE
    other = "https://other.example/2024/05/01/story/"
    assert page(title=f"{HEADLINE} | Foo Broadcasting", affixes=store, url=other).title.endswith("Foo Broadcasting")


def test_a_confirmed_headline_keeps_a_segment_the_site_also_appends() -> None:
    store = SiteAffixes(min_pages=1)
    assert page(title="Story one | Live", h1="Story one", affixes=store).title == "Story one"
    assert "live" in store.learned("www.example-news.com", "after")
    # The h1 shows "Live" as part of this headline: what the page shows wins.
    assert page(title="Breaking | Live", h1="Breaking | Live", affixes=store).title == "Breaking | Live"


def test_the_store_forgets_segments_seen_once_past_its_bound() -> None:
    store = SiteAffixes(min_pages=2)
    for number in range(5_100):
        store.observe("a.example", "after", [f"segment{number}"])
    assert sum(len(counter) for counter in store.counts.values()) <= 5_001
    store.observe("a.example", "after", ["segment5099"])
    assert "segment5099" in store.learned("a.example", "after")


def test_the_spider_learns_a_suffix_from_the_sites_pages() -> None:
    crawler = make_crawler()
    spider = crawler.spider
    assert isinstance(spider, ArabPressSpider) and spider.title_affixes is not None
    origin = "https://www.arabpress.example"
    titles = []
    for number in range(5):
        headline = f"Story {number} of the day"
        h1 = f"<article><h1>{headline}</h1></article>" if number < 3 else ""
        html = (
            f'<html><head><title>{headline} ― Gulf Desk ― Foo</title><meta property="og:type" content="article">'
            f"</head><body>{h1}<div class='entry-content'><p>Text of story {number}.</p></div></body></html>"
        )
        url = f"{origin}/2026/01/0{number + 1}/story-{number}/"
        response = HtmlResponse(url, body=html.encode(), encoding="utf-8", request=scrapy.Request(url))
        items = [result for result in spider.parse_page(response) if not isinstance(result, scrapy.Request)]
        titles += [item["title"] for item in items]
    assert titles == [f"Story {number} of the day" for number in range(5)]


def test_the_spider_learns_nothing_when_switched_off() -> None:
    crawler = make_crawler(offline_settings({"ARABPRESS_TITLE_AFFIX_MIN_PAGES": 0}))
    assert isinstance(crawler.spider, ArabPressSpider)
    assert crawler.spider.title_affixes is None

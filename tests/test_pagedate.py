"""Publication dates beyond the article's own layers, on small pages written here.

Each page states its date in one place only, so each test shows one rule: where a date is
looked for, which dates are never taken, and which day the page states.
"""

from __future__ import annotations

from datetime import UTC, datetime

import lxml.etree
import pytest
from parsel import Selector

from arabpress.extract import ArticlePage
from arabpress.extract.page import DateField
from arabpress.extract.pagedate import generic_published, local_restatement, without_furniture
from arabpress.offline import build_pipelines, make_crawler, process

URL = "https://news.example.org/story/a-long-story-about-the-harbour"
FETCHED_AT = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
BODY = "<p>" + "The harbour reopened after the storm and the ferries ran again. " * 8 + "</p>"


def page(head: str = "", body: str = "", *, lang: str = "en", url: str = URL) -> ArticlePage:
    """Return an article page with *head* and *body* around a headline and a paragraph."""
    html = (
        f'<html lang="{lang}"><head><title>Harbour reopens</title>{head}</head>'
        f"<body>{body}<article><h1>Harbour reopens</h1>{BODY}</article></body></html>"
    )
    return ArticlePage(Selector(text=html), url)


def stored(article: ArticlePage) -> dict[str, object]:
    """Return the item the page yields once through the project's pipelines."""
    item = article.to_item()
    item["fetched_at"] = FETCHED_AT
    item["sitemap_lastmod"] = None
    outcome = process(item, build_pipelines(make_crawler()))
    assert outcome.item is not None, outcome.reason
    return dict(outcome.item)


# --- where a date is looked for -----------------------------------------------------------


@pytest.mark.parametrize(
    "head",
    [
        '<meta name="date" content="2021-03-04">',
        '<meta name="pubdate" content="2021-03-04T08:00:00">',
        '<meta name="DC.date.issued" content="2021-03-04">',
        '<meta itemprop="datePublished" content="2021-03-04">',
        '<script type="application/ld+json">{"@type": "WebPage", "datePublished": "2021-03-04"}</script>',
    ],
)
def test_common_meta_names_and_jsonld_of_any_type(head: str) -> None:
    assert page(head).published == DateField("2021-03-04", "fallback")


def test_time_outside_the_article_when_it_is_the_only_candidate() -> None:
    byline = '<div class="meta">Posted <time datetime="2020-05-06T10:00:00+02:00">6 May</time></div>'
    assert page(body=byline).published == DateField("2020-05-06", "fallback")


def test_microdata_outside_the_article_item() -> None:
    byline = '<div><span itemprop="datePublished" content="2020-05-06">6 May 2020</span></div>'
    assert page(body=byline).published == DateField("2020-05-06", "fallback")


def test_visible_date_text_near_the_headline() -> None:
    article = page(body='<p class="date">Veröffentlicht am 3. Februar 2022</p>', lang="de")
    assert article.published == DateField("2022-02-03", "fallback")


def test_url_date_is_the_last_resort() -> None:
    dated_url = "https://news.example.org/2019/04/05/harbour-reopens/"
    assert page(url=dated_url).published == DateField("2019-04-05", "fallback")
    # A date the page states wins over the URL's, be it in a meta tag, a <time> or visible text.
    stated = page('<meta name="date" content="2019-04-04">', url=dated_url)
    timed = page(body='<p><time datetime="2019-04-03">3 April</time></p>', url=dated_url)
    written = page(body='<p class="date">2 April 2019</p>', url=dated_url)
    addressed = page(f'<meta name="og:url" content="{dated_url}">', '<p class="date">2 April 2019</p>')
    assert stated.published == DateField("2019-04-04", "fallback")
    assert timed.published == DateField("2019-04-03", "fallback")
    assert written.published == DateField("2019-04-02", "fallback")
    assert addressed.published == DateField("2019-04-02", "fallback")


def test_article_layers_come_before_the_generic_search() -> None:
    head = '<meta property="article:published_time" content="2021-03-05T09:30:00+01:00">'
    article = page(head + '<meta name="date" content="2021-03-04">')
    assert article.published == DateField("2021-03-05T09:30:00+01:00", "meta")


def test_structured_value_without_a_year_is_passed_over() -> None:
    # A theme that puts only the clock time in datePublished: the page's other dates count.
    body = (
        '<div itemscope itemtype="https://schema.org/BlogPosting"><span itemprop="datePublished">9:05 PM</span></div>'
        '<meta name="date" content="2011-03-30">'
    )
    assert page(body=body).published == DateField("2011-03-30", "fallback")


# --- dates that are never the publication date ----------------------------------------------


def test_masthead_today_and_footer_year_are_never_taken() -> None:
    masthead = '<header class="site-header"><span class="today">Monday, 2 February 2026</span></header>'
    footer = "<footer><p>© 2026 News Example</p></footer>"
    article = page(body=masthead)
    with_footer = ArticlePage(Selector(text=article.selector.get().replace("</body>", f"{footer}</body>")), URL)
    assert article.published is None
    assert with_footer.published is None


def test_banner_role_and_related_stories_are_never_taken() -> None:
    body = (
        '<div role="banner">Today: 2 February 2026</div>'
        '<ul class="related-posts"><li><a href="/x">Old story</a>'
        ' <time datetime="2018-01-01">1 Jan 2018</time></li></ul>'
    )
    assert page(body=body).published is None


def test_comment_dates_are_never_taken() -> None:
    comments = '<div class="comment__date">04.02.2022 - 00:00 Uhr</div>'
    article = page(body=f'<p class="date">Datum: 03.02.2022</p>{comments}', lang="de")
    assert article.published == DateField("2022-02-03", "fallback")
    assert page(body=comments, lang="de").published is None


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="article:modified_time" content="2022-07-08T10:00:00+00:00">',
        '<meta name="last-modified" content="2022-07-08">',
        '<meta http-equiv="last-modified" content="2022-07-08">',
        '<meta itemprop="dateModified" content="2022-07-08">',
    ],
)
def test_modified_date_is_never_the_publication_date(head: str) -> None:
    article = page(head, body='<p>Updated <time class="updated" datetime="2022-07-08">8 July</time></p>')
    assert article.published is None
    assert stored(article)["published_date"] is None


def test_the_page_is_left_as_it_was() -> None:
    article = page('<meta name="last-modified" content="2022-07-08">', body='<header class="site-header">x</header>')
    before = lxml.etree.tostring(article.selector.root)
    with without_furniture(article.selector.root):
        pass
    assert generic_published(article.selector, URL) is None
    assert lxml.etree.tostring(article.selector.root) == before


# --- the page's own day ----------------------------------------------------------------


def test_a_utc_instant_takes_the_offset_the_page_states_elsewhere() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2023-11-09T03:28:35Z"}</script>'
    )
    body = '<p>Posted <time datetime="2023-11-08T22:28:35-05:00">Nov 8, 10:28 PM</time></p>'
    article = page(head, body)
    assert article.published == DateField("2023-11-08T22:28:35-05:00", "jsonld")
    item = stored(article)
    assert item["published_date"] == "2023-11-08"
    assert item["published_at"] == datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC)
    assert item["published_precision"] == "second"


def test_a_utc_instant_restated_as_local_wall_time() -> None:
    head = (
        '<meta property="article:published_time" content="2023-11-09T01:09:55+00:00">'
        '<meta name="sailthru.date" content="2023-11-08 18:09:55">'
    )
    assert page(head).published == DateField("2023-11-08T18:09:55-07:00", "meta")


def test_a_utc_instant_the_page_states_nowhere_else_stays() -> None:
    head = '<meta property="article:published_time" content="2023-11-01T23:01:00Z">'
    # Another instant's local statement is not this one's.
    body = '<p><time datetime="2023-11-02T00:05:00+01:00">later</time></p>'
    article = page(head, body)
    assert article.published == DateField("2023-11-01T23:01:00Z", "meta")
    assert stored(article)["published_date"] == "2023-11-01"


def test_local_restatement_ignores_other_utc_statements() -> None:
    selector = Selector(text='<html><head><meta name="x" content="2023-11-09 03:28:35"></head></html>')
    assert local_restatement(selector, "2023-11-09T03:28:35Z") is None


def test_a_date_only_value_keeps_its_day() -> None:
    head = '<script type="application/ld+json">{"@type": "NewsArticle", "datePublished": "2020-09-24"}</script>'
    item = stored(page(head))
    assert item["published_date"] == "2020-09-24"
    assert item["published_precision"] == "day"
    # published_at stays an instant: midnight in the site's zone (Asia/Riyadh), in UTC.
    assert item["published_at"] == datetime(2020, 9, 23, 21, 0, tzinfo=UTC)


def test_day_and_month_follow_the_page_language() -> None:
    posted = '<div class="entry-meta"><span class="posted-on">01-11-2023</span></div>'
    german = ArticlePage(Selector(text=page(lang="de").selector.get().replace("<h1>", posted + "<h1>")), URL)
    american = ArticlePage(Selector(text=page(lang="en-US").selector.get().replace("<h1>", posted + "<h1>")), URL)
    assert german.declared_language == "de"
    assert stored(german)["published_date"] == "2023-11-01"
    assert stored(american)["published_date"] == "2023-01-11"


def test_declared_language_from_og_locale_when_html_has_none() -> None:
    html = '<html><head><meta property="og:locale" content="fr_FR"></head><body><h1>t</h1></body></html>'
    assert ArticlePage(Selector(text=html), URL).declared_language == "fr_FR"


def test_a_utc_instant_takes_the_day_its_url_files_it_under() -> None:
    head = '<meta property="article:published_time" content="2023-11-01T23:01:00Z">'
    filed = page(head, url="https://news.example.org/world/2023/11/02/live-harbour-news/")
    assert filed.published == DateField("2023-11-02T00:01:00+01:00", "meta")
    item = stored(filed)
    assert item["published_date"] == "2023-11-02"
    assert item["published_at"] == datetime(2023, 11, 1, 23, 1, tzinfo=UTC)  # the same instant
    west = page(
        '<meta property="article:published_time" content="2023-11-02T02:00:00Z">',
        url="https://news.example.org/2023/11/01/harbour/",
    )
    assert west.published == DateField("2023-11-01T23:00:00-03:00", "meta")
    # A URL day no offset reaches says nothing of the instant's day.
    far = page(head, url="https://news.example.org/2023/11/03/harbour/")
    assert far.published == DateField("2023-11-01T23:01:00Z", "meta")


def test_dates_in_a_sidebar_of_other_stories_are_not_the_articles() -> None:
    teaser = '<li><a href="/blog/300719/other">Other</a> <time datetime="{}">then</time></li>'
    sidebar = "<aside><ul>" + teaser.format("2019-07-30") + teaser.format("2019-08-04") + "</ul></aside>"
    own = '<p class="info"><time datetime="2019-06-27">27 June 2019</time></p>'
    html = (
        "<html><head><title>Harbour reopens</title></head><body><main><h1>Harbour reopens</h1>"
        f"{sidebar}{own}{BODY}</main></body></html>"
    )
    assert ArticlePage(Selector(text=html), URL).published == DateField("2019-06-27", "time")
    # The article's own meta box may be an <aside>: its one date is the article's.
    boxed = html.replace(sidebar, "").replace(own, f"<aside>{own}</aside>")
    assert ArticlePage(Selector(text=boxed), URL).published == DateField("2019-06-27", "time")


def test_the_urls_month_bounds_the_generic_search() -> None:
    # A date of another month (a template's, an older story's) and the post's line (with a template slip).
    head = '<meta name="date" content="2010-06-01">'
    line = "<p class='postmetadata'>Posted on Saturday, 3 December 2011 at %H:%M</p>"
    html = (
        f"<html><head><title>No cyberterror</title>{head}</head>"
        f"<body><div><h2>No cyberterror</h2>{BODY}{line}</div></body></html>"
    )
    filed = "https://blog.example.org/news/2011/12/no-cyberterror/"
    assert generic_published(Selector(text=html), filed) == "2011-12-03"
    assert generic_published(Selector(text=html), URL) == "2010-06-01"


def test_a_time_showing_another_day_than_its_datetime_gives_its_text() -> None:
    def with_time(time: str, lang: str = "en") -> ArticlePage:
        html = (
            f'<html lang="{lang}"><head><title>Harbour reopens</title></head>'
            f"<body><article><h1>Harbour reopens</h1>{time}{BODY}</article></body></html>"
        )
        return ArticlePage(Selector(text=html), URL)

    changed = with_time('<time datetime="2019-07-03T10:18:46Z">Publié le 29 juin 2019</time>', "fr")
    assert changed.published == DateField("Publié le 29 juin 2019", "text")
    assert stored(changed)["published_date"] == "2019-06-29"
    # The day before or after is the same moment in another zone: the datetime stays.
    zoned = with_time('<time datetime="2023-11-01T23:01:00+00:00">2 November 2023</time>')
    assert zoned.published == DateField("2023-11-01T23:01:00+00:00", "time")
    # Text with no full date (a time, "yesterday") says nothing against the datetime.
    clock = with_time('<time datetime="2019-07-03T10:18:46+02:00">10:18</time>')
    assert clock.published == DateField("2019-07-03T10:18:46+02:00", "time")

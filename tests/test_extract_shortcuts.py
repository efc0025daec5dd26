"""The extraction's fast paths give what the plain computations they stand for give."""

from __future__ import annotations

import unicodedata
from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from parsel import Selector

from arabpress.extract import ArticlePage, document, jsonld, metatags, microdata, theme, with_native_classes
from arabpress.extract import body as body_module
from arabpress.extract import links as links_module
from arabpress.extract.dom import (
    ASCII_WHITESPACE,
    XML_WHITESPACE,
    _comparable_table,
    absolute,
    class_tokens,
    clean_value,
    clean_values,
    comparable,
    css_nodes,
    document_classes,
    fold_whitespace,
    has_class_xpath,
    has_rel_xpath,
    has_token,
    has_token_xpath,
    is_blank,
    node_text,
)
from arabpress.extract.dom import VISIBLE_TEXT as node_text_query
from arabpress.extract.links import _links
from arabpress.extract.page import RELATED_CLASS
from arabpress.urls import is_article_url

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


# Class attributes as pages write them: several tokens, odd spacing, near misses.
CLASSES = ["entry-content", "byline", "author", "post-thumbnail", "tags-links", "entry-title", "x", "wp-caption"]
CLASSES += ["related-list", "post-related"]
class_values = st.lists(
    st.sampled_from([*CLASSES, "entry-contents", "by-line", "AUTHOR", "\t", "\n", "  "]), max_size=4
).map(" ".join)
TAGS = ["div", "p", "a", "h1", "figure", "span", "article"]


# Microdata attributes, as articles and their parts carry them.
MICRODATA = [
    ' itemscope itemtype="https://schema.org/NewsArticle"',
    ' itemscope itemtype="https://schema.org/Person"',
    ' itemscope itemtype="https://schema.org/BlogPosting"',
    ' itemprop="name"',
    ' itemprop="datePublished"',
    ' itemprop="author" itemscope',
    ' itemprop="names"',
    ' itemprop="articleBody"',
    ' itemprop="articleBody name"',
    ' rel="tag"',
    ' rel="category  tag"',
    ' rel="tags"',
]


@st.composite
def documents(draw: st.DrawFn, depth: int = 3) -> str:
    """Return the markup of a small random tree of elements with classes and microdata."""
    children = draw(
        st.lists(
            st.tuples(st.sampled_from(TAGS), st.none() | class_values, st.sampled_from(["", *MICRODATA])),
            max_size=4,
        )
    )
    parts = []
    for tag, classes, item in children:
        attributes = ("" if classes is None else f' class="{classes}"') + item
        inner = draw(documents(depth - 1)) if depth > 0 else "t"
        parts.append(f"<{tag}{attributes}>{inner}</{tag}>")
    return "".join(parts)


QUERIES = [
    "h1",
    "figure",
    "h1.entry-title",
    ".byline .author a",
    ".byline a",
    ".tags-links a",
    ".entry-content",
    "figure.post-thumbnail, .post-thumbnail",
    ".entry-content figure, .entry-content .wp-caption, [itemprop=articleBody] figure",
    "a[rel~=category]",
    ".x > a",
    "[itemprop=articleBody]",
    "div[itemprop=name] a, [itemprop=articleBody] > p",
    "div.x.byline p:first-child",
    ".entry-content .wp-caption",
    ".entry-content .wp-caption a",
    "article .byline",
    "div .x a",
    ".x.byline",
    "a.x",
    "p.x, .author",
    ".byline, .author .x, h1.entry-title",
    "h1.entry-title, .byline a",
    "figure .x, div.author",
]


@settings(max_examples=500)
@given(documents(), st.sampled_from(QUERIES))
def test_css_nodes_match_what_parsel_matches(markup: str, query: str) -> None:
    selector = Selector(text=f"<html><body>{markup}</body></html>")
    for scope in [selector, *selector.xpath("//body/*")[:2], *selector.xpath("//body/*/*")[:2]]:
        assert css_nodes(scope, query) == [found.root for found in scope.css(query)]


# What the related links were read with before the class index: the reference it must match.
RELATED_LINKS = f"//@class[contains(., '{RELATED_CLASS}')]/..//a/@href"


@settings(max_examples=300)
@given(documents())
def test_related_links_are_what_their_xpath_selects(markup: str) -> None:
    links = '<a href="/r1">r</a><div class="related"><a href="/r2">s</a></div>'
    selector = Selector(text=f"<html><body>{markup}{links}<p class='x related-posts'>{markup}</p></body></html>")
    page = ArticlePage(selector, "https://a.example/2024/01/02/story/")
    assert page._related_hrefs() == selector.root.xpath(RELATED_LINKS)
    tokens = {token for value in selector.root.xpath("//@class") for token in XML_WHITESPACE.split(value) if token}
    assert document_classes(selector.root) == tokens


# Each XPath the extraction runs, and the plain form it stands for.
REWRITTEN_XPATHS = [
    (
        '//*[@itemscope][contains(@itemtype, "Article") or contains(@itemtype, "BlogPosting")]',
        microdata.ARTICLE_SCOPE,
    ),
    ("//*[@itemscope][contains(@itemtype, 'Article')]", theme.ARTICLE_ROOTS[1]),
    ('.//*[@itemprop="name"]', 'descendant::*/@itemprop[. = "name"]/..'),
    ('.//*[@itemprop="datePublished"]', 'descendant::*/@itemprop[. = "datePublished"]/..'),
    (".//*[contains(concat(' ', normalize-space(@class), ' '), ' byline ')]", f".//*[{has_class_xpath('byline')}]"),
    (".//*[not(contains(concat(' ', normalize-space(@class), ' '), ' x '))]", f".//*[not({has_class_xpath('x')})]"),
    (
        "//@class[contains(concat(' ', normalize-space(.), ' '), ' entry-content ')]/..",
        f"//@class[{has_token_xpath('entry-content')}]/..",
    ),
    (".//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]", f".//a[{has_rel_xpath('tag')}]"),
]


@settings(max_examples=300)
@given(documents(), st.sampled_from(REWRITTEN_XPATHS))
def test_rewritten_xpaths_select_what_the_plain_ones_select(markup: str, pair: tuple[str, str]) -> None:
    plain, rewritten = pair
    selector = Selector(text=f"<html><body>{markup}</body></html>")
    for scope in [selector, *selector.xpath("//body//*")[:3]]:
        assert scope.xpath(rewritten).getall() == scope.xpath(plain).getall()


def plain_absolute(href: str, base_url: str) -> str | None:
    """absolute() as urljoin alone computes it, for every link."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:", "whatsapp:")):
        return None
    resolved = urljoin(base_url, href)
    if not resolved.startswith(("http://", "https://")):
        return None
    try:
        port = urlsplit(resolved).port
    except ValueError:
        return None
    return resolved if port != 0 else None


LINK_PIECES = [
    *("http://", "https://", "HTTPS://", "//", "https:", "ftp://", "https:///", "\x01https://"),
    *("a.example", "b.example:8080", "h:0", "h:99999", "[::1]", "user@h", ""),
    *("/x", "/../y/./z", "?q=1", "#f", ";p", "/ä", " ", "\t", "\n", "\r", "/", "..", "./", "x/"),
    *("?", "#", ";", "/.", "/.well-known", "a.b", "/?#", "//"),
]
BASES = [
    *("https://a.example/p/q", "http://b.example", "HTTPS://c.example/", "https://a.example/?x#y", "ftp://f/", "x"),
    *("https://u@d.example:81/p/", "https:///p/q", "https://e.example/a/b/../c?q#f"),
]


@settings(max_examples=3000)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=6).map("".join), st.sampled_from(BASES))
def test_absolute_resolves_as_urljoin(href: str, base_url: str) -> None:
    assert absolute(href, base_url) == plain_absolute(href, base_url)


# Arabic letters with the marks, tatweel and alef forms comparable() drops or unifies.
ARABIC_MARKS = ["\u064b", "\u0650", "\u065f", "\u0660", "\u0670", "\u06dd", "\u0600"]
ARABIC_PIECES = ["أ", "إ", "آ", "ٱ", "ا", "ب", "ـ", *ARABIC_MARKS]
arabic = st.lists(st.sampled_from(ARABIC_PIECES + PIECES), max_size=12).map("".join)
samples = st.sampled_from(["Read More:", "أقرأ"])


@settings(max_examples=1000)
@given(st.one_of(texts, arabic, st.text(alphabet=st.characters(max_codepoint=127)), samples))
def test_comparable_translates_every_text(text: str) -> None:
    assert comparable(text) == " ".join(text.translate(_comparable_table()).split()).casefold()


# Head and page-level markup as pages write it: repeated, misplaced and near-miss forms included.
HEAD_PIECES = [
    '<meta property="og:title" content="A">',
    '<meta name="description" content="">',
    '<meta property="og:title" name="og:title" content="B">',
    '<meta name="author">',
    '<link rel="canonical" href="/c">',
    '<link rel="Canonical alternate" href="/d">',
    '<link rel="alternate\tcanonical" href="/e">',
    '<link rel="canonicals" href="/f">',
    '<link rel="canonical\xa0x" href="/g">',
    '<link rel="canonical">',
    "<title>T <b>x</b></title>",
    "<title> </title>",
    '<base href="/base/">',
    '<script type="application/ld+json">{"@type": "NewsArticle"}</script>',
    '<script type="application/ld+json"></script>',
    '<script type="text/javascript">{}</script>',
]
BODY_PIECES = [
    '<article class="post type-post">x<h1>h</h1></article>',
    '<article class="type-posts amp-article">y</article>',
    "<article><p><h1>z</h1></p></article>",
    "<article>no headline</article>",
    '<div itemscope itemtype="https://schema.org/NewsArticle">i</div>',
    "<main>m</main>",
    '<body class="single post">',
    "<body>",
    '<meta property="og:title" content="in body">',
    '<link rel="canonical" href="/in-body">',
    "<title>in body</title>",
    '<svg><title>icon</title><meta content="svg"/></svg>',
    '<div class="entry-content"><p><a href="/2024/01/02/story/">s</a></p></div>',
    '<article class="amp-article"><a href="/2024/01/03/amp/">a</a></article>',
    '<section itemprop="articleBody"><a href="/2024/01/04/item/">i</a></section>',
]


@st.composite
def pages(draw: st.DrawFn) -> str:
    """Return a whole page: an <html> with or without lang, head pieces, body pieces and a random tree."""
    lang = draw(st.sampled_from(["", ' lang="en"', ' lang=" ar "', ' lang=""']))
    head = "".join(draw(st.lists(st.sampled_from(HEAD_PIECES), max_size=5)))
    body = "".join(draw(st.lists(st.sampled_from(BODY_PIECES), max_size=4)))
    body_tag = draw(st.sampled_from(["<body>", '<body class="single single-post">', "", '<body class="">']))
    return f"<html{lang}><head>{head}</head>{body_tag}{body}{draw(documents(2))}</html>"


def plain_meta_index(selector: Selector) -> dict[str, list[str]]:
    """meta_index() as //meta[@content] reads it."""
    index: dict[str, list[str]] = {}
    for meta in selector.root.xpath("//meta[@content]"):
        for key in dict.fromkeys((meta.get("property"), meta.get("name"))):
            if key is not None:
                index.setdefault(key, []).append(meta.get("content"))
    return index


def plain_article_root(selector: Selector) -> Selector:
    """article_root() as each of ARTICLE_ROOTS, in turn, selects it."""
    for query in theme.ARTICLE_ROOTS:
        found = selector.xpath(query)
        if found:
            return found[0]
    return selector


@settings(max_examples=400)
@given(pages())
def test_document_readings_select_what_their_xpaths_select(markup: str) -> None:
    selector = Selector(text=markup)
    url = "https://a.example/p/q"
    for scope in [selector, *selector.xpath("//body/*")[:1]]:
        assert document.body_classes(scope) == class_tokens(selector.xpath("//body/@class").get())
        assert document.html_lang(scope) == clean_value(selector.xpath("/html/@lang").get())
        title = " ".join(selector.xpath("//head/title//text() | /html/title//text()").getall())
        assert document.html_title(scope) == clean_value(title)
        href = selector.xpath("/html/head/base/@href").get()
        assert document.base_url(scope, url) == (urljoin(url, href.strip()) if href and href.strip() else url)
        hrefs = selector.xpath(f"//link[{has_rel_xpath('canonical')}]/@href").getall()
        canonical = next((found for found in (absolute(href, url) for href in hrefs) if found), None)
        assert metatags.canonical(scope, url) == canonical
        assert metatags.meta_index(scope) == plain_meta_index(selector)
        scripts = selector.xpath('//script[@type="application/ld+json"]/text()').getall()
        assert jsonld.script_texts(selector.root) == scripts
    every_branch = etree.XPath(
        " | ".join(branch for _, branch in links_module.BODY_CONTAINER_BRANCHES), smart_strings=False
    )
    links = _links(every_branch(selector.root), document.base_url(selector, url), is_article_url)
    assert links_module.body_article_links(selector, url) == links
    found, plain = theme.article_root(selector), plain_article_root(selector)
    assert found.root is plain.root if plain is selector else found.root == plain.root


@settings(max_examples=500)
@given(st.one_of(class_values, st.text(alphabet=" \t\r\n\xa0\u2003xabc-", max_size=12)), st.sampled_from(["x", "a-b"]))
def test_has_token_is_the_xpath_token_test(value: str, name: str) -> None:
    selector = Selector(text=f'<p class="{value}">t</p>')
    parsed = selector.xpath("//p/@class").get()
    assert has_token(parsed, name) == (selector.xpath(f"boolean(//p/@class[{has_token_xpath(name)}])").get() == "1")


def plain_is_skipped(element: etree._Element) -> bool:
    """is_skipped() with every attribute looked up and every class attribute matched."""
    if element.tag in body_module.SKIPPED_TAGS or element.get("hidden") is not None:
        return True
    if element.get("aria-hidden") == "true" or element.get("itemprop") in body_module.DATE_ITEMPROPS:
        return True
    classes = element.get("class")
    return bool(classes) and any(body_module.SKIPPED_CLASS.match(token.lower()) for token in class_tokens(classes))


SKIP_ATTRIBUTES = [
    *("", " hidden", ' aria-hidden="true"', ' aria-hidden="false"', ' itemprop="datePublished"', ' itemprop="name"'),
    *(' class="share-bar x"', ' class="Entry-Meta"', ' class="lead"', ' class=""', ' class="ad wide"', ' id="x"'),
    *(' class="post-related\tbox"', ' class="dateline"', ' data-x="1"'),
]


@settings(max_examples=300)
@given(st.lists(st.tuples(st.sampled_from([*TAGS, "aside", "nav"]), st.sampled_from(SKIP_ATTRIBUTES)), max_size=6))
def test_is_skipped_reads_what_every_attribute_tells(elements: list[tuple[str, str]]) -> None:
    markup = "".join(f"<{tag}{attributes}>t</{tag}>" for tag, attributes in elements)
    for element in Selector(text=f"<html><body>{markup}</body></html>").root.iter():
        assert body_module.is_skipped(element) == plain_is_skipped(element)


def plain_keep_paragraph(text: str, lead: str | None = None) -> bool:
    """keep_paragraph() with the opening of every paragraph folded and compared."""
    if is_blank(text) or body_module._is_read_more_lead(lead):
        return False
    opening = body_module.comparable_opening(text, body_module.LABEL_LENGTH)
    is_label = body_module._opens_read_more(opening) or opening in body_module.AD_LABELS
    return not is_label and not body_module.is_dateline(text)


LABELS = ["Read more:", "READ ALSO:", "See also:", "Advertisement", "ſponsored", "اقرأ أيضا", "إعلان", "أقرا المزيد"]
paragraphs = st.one_of(
    texts,
    arabic,
    st.tuples(st.lists(st.sampled_from(PIECES + ARABIC_MARKS), max_size=3), st.sampled_from(LABELS), texts).map(
        lambda parts: "".join(parts[0]) + parts[1] + parts[2]
    ),
)


@settings(max_examples=1000)
@given(paragraphs)
def test_keep_paragraph_folds_only_openings_that_may_be_labels(text: str) -> None:
    assert body_module.keep_paragraph(text) == plain_keep_paragraph(text)


FORM_PIECES = ["<form>", "<input name=a>", "<select><option>o</select>", "<textarea>t</textarea>", "<label>l</label>"]


@settings(max_examples=200)
@given(documents(), st.lists(st.sampled_from([*FORM_PIECES, "<!-- c -->", "<?pi x?>", "&amp;", "<FORM>f</FORM>"])))
def test_native_classes_are_lxml_htmls(markup: str, pieces: list[str]) -> None:
    text = f"<html><body>{''.join(pieces)}{markup}</body></html>"
    plain, native = Selector(text=text), with_native_classes(Selector(text=text))
    assert [type(node) for node in native.root.iter()] == [type(node) for node in plain.root.iter()]


@settings(max_examples=200)
@given(documents(), st.lists(st.sampled_from(['<img src="a">', "<amp-img></amp-img>", "<figure><img></figure>"])))
def test_figure_images_are_what_their_xpath_selects(markup: str, images: list[str]) -> None:
    selector = Selector(text=f"<html><body><figure>{''.join(images)}{markup}</figure></body></html>")
    for element in selector.root.iter():
        found = list(element.iterdescendants(*theme.FIGURE_IMAGE_TAGS))
        assert found == element.xpath(".//img | .//amp-img")


DATE_PIECES = [
    "2019",
    "19",
    "11/18/2019",
    "18.11.2019",
    "November 18, 2019",
    "Monday",
    " ",
    "at 5 PM",
    "٢٠١٩",
    "x1",
    "7",
]


@settings(max_examples=1000)
@given(st.one_of(texts, st.lists(st.sampled_from(DATE_PIECES + PIECES), max_size=8).map("".join)))
def test_is_dateline_searches_dates_only_where_two_digits_are(text: str) -> None:
    plain = len(text) <= body_module.DATELINE_CHARACTERS and body_module.DATE_TEXT.search(text) is not None
    words = len(body_module.LETTER_WORD.findall(body_module.DATE_TEXT.sub(" ", text)))
    plain = plain and words <= body_module.DATELINE_WORDS
    assert body_module.is_dateline(text) == plain


def plain_item_value(node: Selector) -> str:
    """microdata.item_value() with parsel's queries."""
    attribute = node.attrib.get("content") or node.attrib.get("datetime")
    if attribute:
        return attribute
    names = node.xpath('descendant::*/@itemprop[. = "name"]/..') if "itemscope" in node.attrib else []
    return plain_item_value(names[0]) if names else microdata.node_text(node)


@settings(max_examples=300)
@given(pages(), st.sampled_from(["name", "author", "datePublished", "articleBody"]))
def test_microdata_values_are_what_parsels_queries_give(markup: str, prop: str) -> None:
    selector = Selector(text=markup)
    scopes = selector.xpath(microdata.ARTICLE_SCOPE)
    scope = microdata.article_scope(selector)
    assert (scope.root if scope is not None else None) == (scopes[0].root if scopes else None)
    nodes = scopes[0].xpath(f'descendant::*/@itemprop[. = "{prop}"]/..') if scopes else []
    assert microdata.values(selector, prop) == clean_values(plain_item_value(node) for node in nodes)


@settings(max_examples=300)
@given(documents(), st.lists(st.sampled_from(["<script>s</script>", "<style>c</style>", "<p></p>", "<!-- c -->"])))
def test_node_text_reads_what_the_visible_text_query_reads(markup: str, pieces: list[str]) -> None:
    selector = Selector(text=f"<html><body>{''.join(pieces)}{markup}</body></html>")
    for element in selector.root.iter(etree.Element):  # elements only: comments hold no XPath context
        plain = fold_whitespace(" ".join(etree.XPath(node_text_query)(element)))
        assert node_text(element) == plain

#!/usr/bin/env python3
"""Generate a large synthetic Arab Press site, for crawl benchmarks and fault tests.

The site has the layout of ``arabpress/sample_site`` and ``arabpress.sitesrv`` serves it:

    pages/<path>/index.html   the page at /<path>/ (robots.txt and the sitemaps as plain files)
    404.html                  the answer, with status 404, for any path that has no file
    content-types.json        the Content-Type of the paths that are not HTML in UTF-8
    responses.json            status and header overrides of the bad pages (--bad-pages only)
    manifest.json             what a crawl of the site should find

Usage::

    python benchmarks/make_site.py --out benchmarks/site --articles 20000 --seed 1 [--bad-pages]
    python benchmarks/make_site.py --out benchmarks/site --change 500

The same seed and article count always give the same bytes. ``--change K`` rewrites the body
of K articles of an existing site in place and bumps their dateModified and sitemap lastmod;
successive changes are numbered rounds, each as deterministic as the site itself.

manifest.json holds the generation's parameters (seed, articles_count, bad_pages_enabled,
urls_per_sitemap, change_rounds), the files' counts (pages) and three lists:

    articles   per article, oldest first: path, title, language, section, authors,
               published_at and modified_at (UTC with Z; modified_at is null when the page
               states none), lastmod (as in the sitemap), date_source (where the page keeps
               its dates), body_paragraphs and body_startswith (what the extracted body holds)
    bad_pages  path, kind, notes and expect: "article" when a crawl must still store it (with
               the article's fields; bad pages are in no sitemap), else why it must not:
               truncated, too_large, binary, redirect_loop or http_500
    changed    the paths the last --change round rewrote
"""

from __future__ import annotations

import argparse
import html
import itertools
import json
import random
import re
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, NamedTuple

ORIGIN = "https://www.arabpress.example"
SITE_NAME = "Arab Press"
RIYADH = timezone(timedelta(hours=3))
# Articles are published over the three years before the day the copy was taken.
FIRST_PUBLISHED = datetime(2023, 2, 1, tzinfo=RIYADH)
LAST_PUBLISHED = datetime(2026, 2, 1, tzinfo=RIYADH)
LAST_MODIFIED = datetime(2026, 2, 1, 23, 0, tzinfo=RIYADH)
# --change rounds happen on the day the copy is served (the masthead's date), an hour apart.
FIRST_CHANGE = datetime(2026, 2, 2, 6, 0, tzinfo=RIYADH)

DEFAULT_ARTICLES = 20_000
DEFAULT_SEED = 1
PAGE_BYTES = (42_000, 76_000)  # target size of an article page; the last block may add ~2 KB
TOO_LARGE_BYTES = 10_600_000  # above 10 MiB
BINARY_BYTES = 48_000
ARABIC_SHARE = 0.4
RELATED_LINKS = 10
TEASERS_PER_PAGE = 20
URLS_PER_SITEMAP = 1_000
PROGRESS_EVERY = 2_000
MANIFEST_FORMAT = 1

XML_CONTENT_TYPE = "application/xml"
HTML_WITHOUT_CHARSET = "text/html"

# How each article carries its dates, with how often: exactly one machine-readable place
# (or none, for "text"), so a crawl exercises every extraction layer.
DATE_SOURCES = ("jsonld", "jsonld_graph", "meta", "microdata", "time", "text")
DATE_SOURCE_WEIGHTS = (25, 15, 20, 15, 10, 15)


# --- vocabulary -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """A section, tag or author: its slug and its English and Arabic names."""

    slug: str
    en: str
    ar: str

    def name(self, language: str) -> str:
        """Return the term's name in *language*."""
        return self.ar if language == "ar" else self.en


SECTIONS = (
    Term("middle-east", "Middle East", "الشرق الأوسط"),
    Term("saudi-arabia", "Saudi Arabia", "السعودية"),
    Term("economy", "Economy", "اقتصاد"),
    Term("tech", "Tech", "تقنية"),
    Term("opinion", "Opinion", "رأي"),
)
TAGS = (
    Term("oil", "Oil", "النفط"),
    Term("opec", "OPEC", "أوبك"),
    Term("iran", "Iran", "إيران"),
    Term("syria", "Syria", "سوريا"),
    Term("saudi-arabia", "Saudi Arabia", "السعودية"),
    Term("vision-2030", "Vision 2030", "رؤية 2030"),
    Term("aviation", "Aviation", "الطيران"),
    Term("tourism", "Tourism", "السياحة"),
    Term("real-estate", "Real Estate", "العقارات"),
    Term("banking", "Banking", "المصارف"),
    Term("ai", "AI", "الذكاء الاصطناعي"),
    Term("energy", "Energy", "الطاقة"),
    Term("water", "Water", "المياه"),
    Term("trade", "Trade", "التجارة"),
    Term("gaza", "Gaza", "غزة"),
    Term("lebanon", "Lebanon", "لبنان"),
    Term("egypt", "Egypt", "مصر"),
    Term("iraq", "Iraq", "العراق"),
    Term("gold", "Gold", "الذهب"),
    Term("stocks", "Stocks", "الأسهم"),
    Term("climate", "Climate", "المناخ"),
    Term("diplomacy", "Diplomacy", "الدبلوماسية"),
    Term("defence", "Defence", "الدفاع"),
    Term("startups", "Start-ups", "الشركات الناشئة"),
    Term("neom", "Neom", "نيوم"),
    Term("hajj", "Hajj", "الحج"),
    Term("shipping", "Shipping", "الشحن"),
    Term("inflation", "Inflation", "التضخم"),
    Term("jobs", "Jobs", "الوظائف"),
    Term("gcc", "GCC", "مجلس التعاون"),
)
AUTHORS = (
    Term("sami-nasser", "Sami Nasser", "سامي ناصر"),
    Term("rania-odeh", "Rania Odeh", "رانيا عودة"),
    Term("omar-haddad", "Omar Haddad", "عمر حداد"),
    Term("layla-mansour", "Layla Mansour", "ليلى منصور"),
    Term("khalid-abdulrahman", "Khalid Abdulrahman", "خالد عبد الرحمن"),
    Term("noura-saleh", "Noura Saleh", "نورة صالح"),
    Term("yousef-karim", "Yousef Karim", "يوسف كريم"),
    Term("huda-fares", "Huda Fares", "هدى فارس"),
    Term("tariq-salem", "Tariq Salem", "طارق سالم"),
    Term("mona-kassem", "Mona Kassem", "منى قاسم"),
    Term("faisal-otaibi", "Faisal Otaibi", "فيصل العتيبي"),
    Term("dina-khoury", "Dina Khoury", "دينا خوري"),
    Term("adel-jaber", "Adel Jaber", "عادل جابر"),
    Term("salma-naji", "Salma Naji", "سلمى ناجي"),
    Term("hassan-bakr", "Hassan Bakr", "حسن بكر"),
    Term("reem-ali", "Reem Ali", "ريم علي"),
    Term("markets-desk", "Markets Desk", "قسم الأسواق"),
    Term("news-desk", "News Desk", "قسم الأخبار"),
)

EN_TITLE_ACTORS = (
    "Saudi Arabia", "Riyadh", "OPEC+", "The GCC", "The Central Bank", "Aramco", "Egypt", "Jordan", "The UAE",
    "Qatar", "Oman", "Kuwait", "Bahrain", "Iraq", "Lebanon", "The Cabinet", "The Tourism Ministry",
    "The Finance Ministry", "Jeddah Port Authority", "The Sovereign Fund", "Neom", "Dubai Municipality",
)  # fmt: skip
EN_TITLE_VERBS = (
    "Unveils", "Expands", "Weighs", "Announces", "Backs", "Delays", "Approves", "Targets", "Signs",
    "Reviews", "Boosts", "Cuts", "Launches", "Extends", "Debates", "Fast-Tracks", "Rethinks",
)  # fmt: skip
EN_TITLE_OBJECTS = (
    "New Port Project", "Oil Output Plan", "Housing Reform", "Solar Investment", "High-Speed Rail Link",
    "Trade Agreement", "Water Security Strategy", "Tourism Push", "AI Partnership", "Budget Forecast",
    "Visa Rules", "Desalination Plant", "Fintech Licences", "Defence Pact", "Green Hydrogen Plans",
    "Mining Concessions", "Stock Market Listing", "Pilgrim Capacity", "Electric Car Factory",
    "Data Centre Expansion", "Region’s Biggest Solar Farm",
)  # fmt: skip
EN_TITLE_TAILS = (
    "as Oil Prices Slide", "Amid Regional Tensions", "Ahead of Summit", "After Record Year",
    "in Landmark Reform", "Despite Market Jitters", "to Attract Foreign Investors", "for 2026",
    "as Talks Resume", "Under Vision 2030", "as Demand Rebounds", "as Inflation Eases to 2%", "", "", "",
)  # fmt: skip
# Arabic headlines use verbal nouns, which need no gender agreement; each part carries the
# English words of the slug (the site's Arabic permalinks are in Latin letters).
AR_TITLE_PLACES = (
    ("السعودية", "saudi"), ("الرياض", "riyadh"), ("دول الخليج", "gulf-states"), ("مصر", "egypt"),
    ("الأردن", "jordan"), ("الإمارات", "uae"), ("قطر", "qatar"), ("سلطنة عمان", "oman"), ("الكويت", "kuwait"),
    ("البحرين", "bahrain"), ("العراق", "iraq"), ("لبنان", "lebanon"), ("نيوم", "neom"),
)  # fmt: skip
AR_TITLE_ACTORS = (
    *AR_TITLE_PLACES, ("أوبك+", "opec-plus"), ("البنك المركزي", "central-bank"), ("أرامكو", "aramco"),
    ("مجلس الوزراء", "cabinet"),
)  # fmt: skip
AR_TITLE_NOUNS = (
    ("إطلاق", "launch"), ("توسيع", "expansion"), ("دراسة", "study"), ("إقرار", "approval"),
    ("تأجيل", "delay"), ("دعم", "support"), ("توقيع", "signing"), ("تعزيز", "boost"), ("خفض", "cut"),
    ("تمديد", "extension"), ("مراجعة", "review"), ("إعلان", "announcement"),
)  # fmt: skip
AR_TITLE_OBJECTS = (
    ("مشروع ميناء جديد", "port-project"), ("خطة إنتاج النفط", "oil-output-plan"),
    ("إصلاحات الإسكان", "housing-reform"), ("استثمارات الطاقة الشمسية", "solar-investment"),
    ("خط السكك الحديدية", "rail-link"), ("اتفاقية التجارة", "trade-deal"),
    ("استراتيجية الأمن المائي", "water-strategy"), ("خطط السياحة", "tourism-plans"),
    ("شراكة الذكاء الاصطناعي", "ai-partnership"), ("توقعات الميزانية", "budget-forecast"),
    ("قواعد التأشيرات", "visa-rules"), ("محطة تحلية المياه", "desalination-plant"),
    ("تراخيص التقنية المالية", "fintech-licences"), ("اتفاق دفاعي", "defence-pact"),
    ("مشروعات الهيدروجين الأخضر", "green-hydrogen"),
)  # fmt: skip
AR_TITLE_TAILS = (
    ("وسط تراجع أسعار النفط", "oil-slide"), ("وسط توترات إقليمية", "regional-tensions"),
    ("قبيل القمة", "summit"), ("بعد عام قياسي", "record-year"), ("في إصلاح تاريخي", "landmark-reform"),
    ("رغم تقلبات الأسواق", "market-jitters"), ("لجذب المستثمرين الأجانب", "foreign-investors"),
    ("مع استئناف المحادثات", "talks-resume"), ("", ""), ("", ""),
)  # fmt: skip

EN_WORDS: Mapping[str, Sequence[str]] = {
    "person": (
        "the minister", "a senior official", "the company’s chief executive", "one analyst",
        "a government spokesperson", "the central bank governor", "a Western diplomat", "an industry executive",
        "a local economist", "the head of the chamber of commerce",
    ),
    "org": (
        "the finance ministry", "the central bank", "the state oil company", "the sovereign wealth fund",
        "the ports authority", "the statistics agency", "the tourism board", "the energy ministry",
        "the stock exchange", "the civil aviation authority",
    ),
    "thing": (
        "oil exports", "non-oil revenue", "foreign investment", "housing prices", "passenger traffic",
        "food imports", "solar capacity", "public spending", "tourist arrivals", "bank lending",
        "container volumes", "water reserves", "youth employment", "credit growth", "factory output",
    ),
    "city": (
        "Riyadh", "Jeddah", "Dubai", "Doha", "Cairo", "Amman", "Beirut", "Baghdad", "Muscat", "Kuwait City",
        "Manama", "Dammam", "Abu Dhabi", "London", "Washington",
    ),
    "timeframe": (
        "this year", "next year", "in the first quarter", "over the past decade", "by the end of the decade",
        "in the coming months", "since January", "compared with a year earlier",
    ),
    "change_past": ("rose", "fell", "climbed", "slipped", "jumped", "eased", "grew", "declined"),
    "change": ("rise", "fall", "grow", "slow", "recover", "double", "stabilise"),
    "source": (
        "official figures", "a statement", "people familiar with the matter", "the state news agency",
        "a report published on Tuesday", "industry data",
    ),
    "action": ("expand", "review", "cut", "increase", "reform", "support", "delay", "speed up"),
    "weekday": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    "country": ("Saudi Arabia", "Egypt", "Jordan", "Qatar", "Kuwait", "Oman", "Bahrain"),
    "num": tuple(str(number) for number in range(2, 41)),
}  # fmt: skip
EN_SENTENCES = (
    "{Person} said on {weekday} that {org} would {action} {thing} {timeframe}.",
    "{Thing} {change_past} {num} percent {timeframe}, according to {source}.",
    "Analysts in {city} said {thing} could {change} {timeframe} if {thing2} continued to {change2}.",
    "“We expect {thing} to {change} {timeframe},” {person} told reporters in {city}.",
    "{Org} has not commented on the plans, but {source} suggested that {thing} would remain a priority.",
    "The announcement follows months of talks between officials in {city} and {city2}.",
    "Diplomats in {city} said the decision reflected growing concern over {thing}.",
    "Some investors remain cautious, pointing to the slowdown in {thing} {timeframe}.",
    "The figures were in line with forecasts, {person} said, though {thing} {change_past} faster than expected.",
    "{Country} is trying to diversify its economy away from oil under a plan that puts {thing} at its centre.",
    "Officials in {city} plan to {action} {thing} {timeframe}, a move that could affect {thing2}.",
    "{Org} said it would publish more detailed figures on {thing} {timeframe}.",
    "Traders in {city} said the market had already priced in a change in {thing}.",
    "According to {source}, {thing} {change_past} for a third consecutive month.",
)
EN_CAPTIONS = (
    "A view of {city} [File: Reuters]",
    "Officials meet in {city} on {weekday}",
    "Workers at a construction site in {city}",
    "Traders watch screens at the exchange in {city}",
)
EN_SUBHEADS = (
    "What comes next", "Market reaction", "Regional impact", "A long road", "Questions remain", "Investor mood",
    "The numbers", "Behind the decision", "Pressure at home", "Looking ahead",
)  # fmt: skip

AR_WORDS: Mapping[str, Sequence[str]] = {
    "person": (
        "الوزير", "مسؤول رفيع", "الرئيس التنفيذي للشركة", "أحد المحللين", "متحدث باسم الحكومة",
        "محافظ البنك المركزي", "دبلوماسي غربي", "مسؤول في القطاع", "خبير اقتصادي محلي", "رئيس غرفة التجارة",
    ),
    "org": (
        "وزارة المالية", "البنك المركزي", "شركة النفط الوطنية", "صندوق الثروة السيادي", "هيئة الموانئ",
        "هيئة الإحصاء", "هيئة السياحة", "وزارة الطاقة", "السوق المالية", "هيئة الطيران المدني",
    ),
    "thing": (
        "صادرات النفط", "الإيرادات غير النفطية", "الاستثمار الأجنبي", "أسعار المساكن", "حركة المسافرين",
        "واردات الغذاء", "قدرات الطاقة الشمسية", "الإنفاق العام", "أعداد السياح", "الإقراض المصرفي",
        "حركة الحاويات", "احتياطيات المياه", "توظيف الشباب", "نمو الائتمان", "الإنتاج الصناعي",
    ),
    "city": (
        "الرياض", "جدة", "دبي", "الدوحة", "القاهرة", "عمّان", "بيروت", "بغداد", "مسقط", "الكويت", "المنامة",
        "الدمام", "أبوظبي", "لندن", "واشنطن",
    ),
    "timeframe": (
        "هذا العام", "العام المقبل", "في الربع الأول", "خلال العقد الماضي", "بحلول نهاية العقد",
        "في الأشهر المقبلة", "منذ يناير", "مقارنة بالعام الماضي",
    ),
    "change": ("ارتفاعاً", "تراجعاً", "نمواً", "انخفاضاً", "تحسناً"),
    "source": (
        "الأرقام الرسمية", "بيان رسمي", "مصادر مطلعة", "وكالة الأنباء الرسمية", "تقرير نشر الثلاثاء",
        "بيانات القطاع",
    ),
    "weekday": ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"),
    "country": ("السعودية", "مصر", "الأردن", "قطر", "الكويت", "الإمارات", "البحرين"),
    "num": tuple(str(number) for number in range(2, 41)),
}  # fmt: skip
AR_SENTENCES = (
    "وقال {person} يوم {weekday} إن لدى {org} خططاً لتطوير {thing} {timeframe}.",
    "وبحسب {source}، فإن هناك {change} في {thing} بنسبة {num} في المئة {timeframe}.",
    "وأشار محللون في {city} إلى احتمال حدوث تغيرات كبيرة في {thing} {timeframe}.",
    "وقال {person} للصحفيين في {city}: «نتوقع {change} في {thing} {timeframe}».",
    "ولم يصدر تعليق عن {org} بشأن الخطط، لكن بحسب {source} فإن ملف {thing} سيبقى أولوية.",
    "ويأتي الإعلان بعد أشهر من المحادثات بين مسؤولين في {city} و{city2}.",
    "وقال دبلوماسيون في {city} إن القرار يعكس قلقاً متزايداً بشأن {thing}.",
    "ولا يزال بعض المستثمرين حذرين، مشيرين إلى تباطؤ {thing} {timeframe}.",
    "وجاءت الأرقام متوافقة إلى حد كبير مع التوقعات، بحسب {person}، رغم تسجيل {thing} أداء أفضل من المتوقع.",
    "وتسعى {country} إلى تنويع اقتصادها بعيداً عن النفط ضمن خطة طويلة الأمد تضع {thing} في صدارة أولوياتها.",
    "ويعتزم مسؤولون في {city} مراجعة {thing} {timeframe}، في خطوة قد تؤثر على {thing2}.",
    "ومن المقرر نشر أرقام مفصلة عن {thing} {timeframe}، وفق {source}.",
    "وقال متعاملون في {city} إن السوق استوعبت بالفعل التغير المتوقع في {thing}.",
    "وبحسب {source}، شهد ملف {thing} تطورات لافتة للشهر الثالث على التوالي.",
)
AR_CAPTIONS = (
    "مشهد عام من {city}",
    "اجتماع لمسؤولين في {city} يوم {weekday}",
    "عمال في موقع بناء في {city}",
    "متعاملون يتابعون الشاشات في سوق {city}",
)
AR_SUBHEADS = (
    "ماذا بعد", "ردود فعل الأسواق", "التأثير الإقليمي", "طريق طويل", "أسئلة مفتوحة", "مزاج المستثمرين",
    "لغة الأرقام", "خلفيات القرار", "ضغوط داخلية", "نظرة إلى المستقبل",
)  # fmt: skip

EN_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)  # fmt: skip
AR_MONTHS = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)  # fmt: skip
AR_WEEKDAYS = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")
ARABIC_INDIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


# --- text --------------------------------------------------------------------------------------


class _Slots(dict[str, str]):
    """A template's slot values, each drawn at random on first use ({city2} is another city)."""

    def __init__(self, rng: random.Random, words: Mapping[str, Sequence[str]]) -> None:
        super().__init__()
        self.rng = rng
        self.words = words

    def __missing__(self, key: str) -> str:
        value = self.rng.choice(self.words[key.rstrip("0123456789").lower()])
        if key[0].isupper():
            value = value[0].upper() + value[1:]
        self[key] = value
        return value


def fill(rng: random.Random, templates: Sequence[str], words: Mapping[str, Sequence[str]]) -> str:
    """Return one of *templates* with its slots filled from *words*."""
    return rng.choice(templates).format_map(_Slots(rng, words))


def sentence(rng: random.Random, language: str) -> str:
    """Return a fresh sentence of news prose in *language*."""
    return fill(rng, AR_SENTENCES, AR_WORDS) if language == "ar" else fill(rng, EN_SENTENCES, EN_WORDS)


def sentence_pool(seed: int, language: str, size: int = 3_000) -> list[str]:
    """Return *size* sentences to draw paragraphs from (drawing is much cheaper than filling)."""
    rng = random.Random(f"{seed}/pool/{language}")
    return [sentence(rng, language) for _ in range(size)]


def slugify(text: str) -> str:
    """Turn an English title into a WordPress-style slug."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "")).strip("-")


def english_title(rng: random.Random) -> tuple[str, str]:
    """Return a synthetic English headline and its slug."""
    parts = (
        rng.choice(EN_TITLE_ACTORS),
        rng.choice(EN_TITLE_VERBS),
        rng.choice(EN_TITLE_OBJECTS),
        rng.choice(EN_TITLE_TAILS),
    )
    title = " ".join(part for part in parts if part)
    return title, slugify(title)


def arabic_title(rng: random.Random) -> tuple[str, str]:
    """Return a synthetic Arabic headline and its Latin slug."""
    # "Actor: launch of X" fits any actor; "launch of X in Place" only places.
    headed = rng.random() < 0.5
    actor, noun, thing, tail = (
        rng.choice(AR_TITLE_ACTORS if headed else AR_TITLE_PLACES),
        rng.choice(AR_TITLE_NOUNS),
        rng.choice(AR_TITLE_OBJECTS),
        rng.choice(AR_TITLE_TAILS),
    )
    words = [f"{actor[0]}:", noun[0], thing[0], tail[0]] if headed else [noun[0], thing[0], "في", actor[0], tail[0]]
    slug = "-".join(part for part in (actor[1], noun[1], thing[1], tail[1]) if part)
    return " ".join(word for word in words if word), slug


# --- dates -------------------------------------------------------------------------------------


def riyadh_iso(moment: datetime) -> str:
    """ISO 8601 in the site's zone: 2026-01-28T16:15:00+03:00."""
    return moment.astimezone(RIYADH).isoformat()


def utc_offset_iso(moment: datetime) -> str:
    """ISO 8601 in UTC with an offset, as the sitemaps write it: 2026-01-28T13:15:00+00:00."""
    return moment.astimezone(UTC).isoformat()


def utc_z(moment: datetime) -> str:
    """ISO 8601 in UTC with Z: 2026-01-28T13:15:00Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def visible_date_en(moment: datetime) -> str:
    """The theme's English date in Riyadh time: January 28, 2026 at 4:15 pm."""
    local = moment.astimezone(RIYADH)
    half = "am" if local.hour < 12 else "pm"
    return (
        f"{EN_MONTHS[local.month - 1]} {local.day}, {local.year} at {local.hour % 12 or 12}:{local.minute:02d} {half}"
    )


def visible_date_ar(moment: datetime) -> str:
    """The theme's Arabic date in Riyadh time, in Arabic-Indic digits: الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م."""
    local = moment.astimezone(RIYADH)
    half = "ص" if local.hour < 12 else "م"
    text = (
        f"{AR_WEEKDAYS[local.weekday()]} {local.day} {AR_MONTHS[local.month - 1]} {local.year}"
        f" - {local.hour % 12 or 12:02d}:{local.minute:02d} {half}"
    )
    return text.translate(ARABIC_INDIC_DIGITS)


def visible_date(moment: datetime, language: str) -> str:
    """The theme's visible date in *language*."""
    return visible_date_ar(moment) if language == "ar" else visible_date_en(moment)


def short_date(moment: datetime, language: str) -> str:
    """A listing's short date: Jan 28, 2026 or 28 يناير 2026."""
    local = moment.astimezone(RIYADH)
    if language == "ar":
        return f"{local.day} {AR_MONTHS[local.month - 1]} {local.year}"
    return f"{EN_MONTHS[local.month - 1][:3]} {local.day}, {local.year}"


# --- model -------------------------------------------------------------------------------------


@dataclass(slots=True)
class Article:
    """One article of the synthetic site and the choices its page is rendered from."""

    index: int
    post_id: int
    language: str
    path: str
    title: str
    subtitle: str | None
    section: Term
    authors: tuple[Term, ...]
    tags: tuple[Term, ...]
    published: datetime
    modified: datetime | None
    date_source: str
    has_og: bool
    has_breadcrumbs: bool
    has_thumbnail: bool
    has_meta_author: bool
    has_site_jsonld: bool
    meta_in_utc: bool
    related: list[int] = field(default_factory=list)
    extra_links: list[tuple[str, str]] = field(default_factory=list)  # (path, text) of bad pages
    revision: int = 0  # how many --change rounds rewrote the body

    @property
    def shows_modified(self) -> bool:
        """Tell whether the page states its modified date (visible-only dates never do)."""
        return self.modified is not None and self.date_source != "text"

    @property
    def lastmod(self) -> datetime:
        """The sitemap's lastmod: the modified time, else the published time."""
        return self.modified or self.published


@dataclass(slots=True, kw_only=True)
class BadPage:
    """A page that tests how a crawl copes with a faulty response."""

    kind: str
    expect: str  # "article" when the crawl must still store it, else why it must not
    notes: str
    article: Article | None = None  # the article behind the page, when the page has one
    path: str = ""  # the article's path when it has one
    link_text: str = ""  # the text of links to the page; unlinked when empty
    response: dict[str, Any] | None = None  # the responses.json override


@dataclass(slots=True)
class Site:
    """The whole synthetic site, rebuilt identically from its seed and article count."""

    seed: int
    articles: list[Article]  # oldest first
    bad_pages: list[BadPage]
    pools: dict[str, list[str]]
    newest: dict[str, list[int]]  # per language, newest first
    change_rounds: list[int] = field(default_factory=list)

    def same_language(self, language: str) -> list[int]:
        """Return the indexes of the articles in *language*, newest first."""
        return self.newest[language]

    def linkable(self, language: str) -> list[int]:
        """Return the articles in *language*, or all of them when that edition has none."""
        return self.newest[language] or self.newest["en"] + self.newest["ar"]


def unique_path(path: str, used: set[str]) -> str:
    """Return *path*, suffixed like WordPress does (-2, -3...) when it is taken."""
    candidate, number = path, 1
    while candidate in used:
        number += 1
        candidate = f"{path[:-1]}-{number}/"
    used.add(candidate)
    return candidate


def new_article(
    rng: random.Random,
    index: int,
    post_id: int,
    published: datetime,
    used_paths: set[str],
    language: str | None = None,
    date_source: str | None = None,
) -> Article:
    """Draw one article's metadata and page choices."""
    language = language or ("ar" if rng.random() < ARABIC_SHARE else "en")
    title, slug = arabic_title(rng) if language == "ar" else english_title(rng)
    local = published.astimezone(RIYADH)
    prefix = "/ar" if language == "ar" else ""
    path = unique_path(f"{prefix}/{local:%Y/%m/%d}/{slug}/", used_paths)
    date_source = date_source or rng.choices(DATE_SOURCES, DATE_SOURCE_WEIGHTS)[0]
    modified = None
    if rng.random() < 0.45:
        modified = min(published + timedelta(minutes=rng.randint(10, 4 * 24 * 60)), LAST_MODIFIED)
    author_count = rng.choices((0, 1, 2), (10, 70, 20))[0]
    return Article(
        index=index,
        post_id=post_id,
        language=language,
        path=path,
        title=title,
        subtitle=sentence(rng, language) if rng.random() < 0.6 else None,
        section=rng.choice(SECTIONS),
        authors=tuple(rng.sample(AUTHORS, author_count)),
        tags=tuple(rng.sample(TAGS, rng.choice((0, 2, 3, 3, 4, 5)))),
        published=published,
        modified=modified,
        date_source=date_source,
        has_og=date_source == "meta" or rng.random() < 0.55,
        has_breadcrumbs=rng.random() < 0.3,
        has_thumbnail=rng.random() < 0.5,
        has_meta_author=rng.random() < 0.3,
        has_site_jsonld=rng.random() < 0.3,
        meta_in_utc=rng.random() < 0.5,
    )


def random_moment(rng: random.Random) -> datetime:
    """Return a minute between the first and the last publication time."""
    span = int((LAST_PUBLISHED - FIRST_PUBLISHED).total_seconds()) // 60
    return FIRST_PUBLISHED + timedelta(minutes=rng.randrange(span))


def build_site(seed: int, count: int, bad_pages: bool) -> Site:
    """Build the site's model: articles, their related lists and the bad pages."""
    rng = random.Random(f"{seed}/model")
    moments = sorted(random_moment(rng) for _ in range(count))
    used_paths: set[str] = set()
    articles: list[Article] = []
    post_id = 10_000
    for index, published in enumerate(moments):
        post_id += rng.randint(1, 4)
        articles.append(new_article(rng, index, post_id, published, used_paths))
    newest = {language: [a.index for a in reversed(articles) if a.language == language] for language in ("en", "ar")}
    site = Site(seed, articles, [], {lang: sentence_pool(seed, lang) for lang in ("en", "ar")}, newest)
    link_related(site, rng)
    if bad_pages:
        site.bad_pages = make_bad_pages(site, used_paths, post_id)
    return site


def link_related(site: Site, rng: random.Random) -> None:
    """Give every article about ten related links, among them the next article of a ring.

    The ring runs through the English articles, newest first, then the Arabic ones, so
    every article can be reached from the home page by following related links alone.
    """
    ring = site.newest["en"] + site.newest["ar"]
    count = len(ring)
    wanted = min(RELATED_LINKS, count - 1)
    for position, index in enumerate(ring):
        article = site.articles[index]
        following = ring[(position + 1) % count]
        own_language = site.same_language(article.language)
        # Random picks stay in the article's language unless that edition is too small.
        candidates = own_language if len(own_language) > wanted else ring
        chosen = [following] if following != index else []
        while len(chosen) < wanted:
            pick = rng.choice(candidates)
            if pick != index and pick not in chosen:
                chosen.insert(rng.randrange(len(chosen) + 1), pick)
        article.related = chosen


def apply_changes(site: Site, rounds: Sequence[int]) -> list[Article]:
    """Replay the --change rounds on the model; return the articles the last round changed."""
    changed: list[Article] = []
    for number, count in enumerate(rounds, start=1):
        rng = random.Random(f"{site.seed}/change/{number}")
        base = FIRST_CHANGE + timedelta(hours=number - 1)
        changed = [site.articles[index] for index in sorted(rng.sample(range(len(site.articles)), count))]
        for article in changed:
            article.revision += 1
            article.modified = base + timedelta(minutes=rng.randrange(60))
    site.change_rounds = list(rounds)
    return changed


# --- bad pages ---------------------------------------------------------------------------------


class BadArticle(NamedTuple):
    """A bad page that stands at an article's permalink: what is wrong and what a crawl must do."""

    kind: str
    expect: str
    language: str
    notes: str
    date_source: str | None = None  # None: drawn like any article's
    response: dict[str, Any] | None = None


BUSY = {"status": 429, "headers": {"Retry-After": "1"}, "times": 2}
BAD_ARTICLES = (
    BadArticle("truncated", "truncated", "en", "Cut mid-body, the connection dropped short of its Content-Length: "
               "never stored.", None, {"cut_short": True}),
    BadArticle("too_large", "too_large", "en", "Article page of 10.6 MB, above the download limit."),
    BadArticle("windows_1256", "article", "ar", "windows-1256, no charset in the header or the page.", "meta"),
    BadArticle("binary", "binary", "en", "Random bytes served as text/html; charset=utf-8."),
    BadArticle("redirect_loop", "redirect_loop", "en", "Redirects (301) into the /loop/a/ - /loop/b/ loop.", None,
               {"status": 301, "headers": {"Location": "/loop/a/"}}),
    BadArticle("http_500", "http_500", "en", "Always answers 500.", None, {"status": 500}),
    BadArticle("http_500", "http_500", "ar", "Always answers 500.", None, {"status": 500}),
    BadArticle("busy", "article", "en", "Answers 429 with Retry-After: 1 twice, then the article.", None, BUSY),
    BadArticle("busy", "article", "ar", "Answers 429 with Retry-After: 1 twice, then the article.", None, BUSY),
    BadArticle("invalid_jsonld", "article", "en", "JSON-LD that is not JSON; the theme's markup has it all.", "time"),
)  # fmt: skip
REDIRECT_LOOP = (
    BadPage(
        kind="redirect_loop",
        expect="redirect_loop",
        notes="Redirects (302) to /loop/b/, which redirects back.",
        path="/loop/a/",
        link_text="Live coverage",
        response={"status": 302, "headers": {"Location": "/loop/b/"}},
    ),
    BadPage(
        kind="redirect_loop",
        expect="redirect_loop",
        notes="Redirects (302) back to /loop/a/; linked from nowhere.",
        path="/loop/b/",
        response={"status": 302, "headers": {"Location": "/loop/a/"}},
    ),
)


def make_bad_pages(site: Site, used_paths: set[str], last_post_id: int) -> list[BadPage]:
    """Create the faulty pages and link them from a few related lists."""
    rng = random.Random(f"{site.seed}/bad")
    pages = []
    for number, spec in enumerate(BAD_ARTICLES, start=1):
        published = random_moment(rng)
        index, post_id = len(site.articles) + number, last_post_id + number
        article = new_article(rng, index, post_id, published, used_paths, spec.language, spec.date_source)
        candidates = site.linkable(spec.language)
        article.related = rng.sample(candidates, min(RELATED_LINKS, len(candidates)))
        page = BadPage(kind=spec.kind, expect=spec.expect, notes=spec.notes, article=article, response=spec.response)
        page.path, page.link_text = article.path, article.title
        pages.append(page)
    pages += [replace(page) for page in REDIRECT_LOOP]
    for page in pages:
        if page.link_text:
            link_from_related_lists(site, rng, page)
    return pages


def link_from_related_lists(site: Site, rng: random.Random, page: BadPage) -> None:
    """Add a link to *page* to the related lists of two articles."""
    language = page.article.language if page.article else "en"
    candidates = site.linkable(language)
    for index in rng.sample(candidates, min(2, len(candidates))):
        site.articles[index].extra_links.append((page.path, page.link_text))


# --- theme -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Theme:
    """The theme's fixed words in one language."""

    language: str
    html_lang: str
    direction: str
    prefix: str  # the edition's URL prefix: "" or "/ar"
    header_date: str
    home_label: str
    other_edition: tuple[str, str]  # (href, label) of the other edition's home
    by: str
    and_word: str
    tags_label: str
    read_more: str
    related_title: str
    newsletter_title: str
    subscribe: str
    advertisement: str
    share_inline: str
    latest_title: str
    page_word: str
    older: str
    newer: str
    most_read: str
    trending: str
    other_edition_block: str
    no_posts: str

    @property
    def home(self) -> str:
        """The edition's home page path."""
        return self.prefix + "/"


THEMES = {
    "en": Theme(
        language="en",
        html_lang="en-US",
        direction="ltr",
        prefix="",
        header_date="Monday, Feb 02, 2026",
        home_label="Home",
        other_edition=("/ar/", "العربية"),
        by="By",
        and_word="and",
        tags_label="Tags:",
        read_more="Read more:",
        related_title="Related Articles",
        newsletter_title="Newsletter",
        subscribe="Subscribe",
        advertisement="Advertisement",
        share_inline="Share on X · Facebook · WhatsApp",
        latest_title="Latest news",
        page_word="Page",
        older="Older posts",
        newer="Newer posts",
        most_read="Most Read",
        trending="Trending",
        other_edition_block="من العربية",
        no_posts="No posts yet.",
    ),
    "ar": Theme(
        language="ar",
        html_lang="ar",
        direction="rtl",
        prefix="/ar",
        header_date="الاثنين، 2 فبراير 2026",
        home_label="الرئيسية",
        other_edition=("/", "English"),
        by="بقلم:",
        and_word="و",
        tags_label="الوسوم:",
        read_more="اقرأ أيضاً:",
        related_title="مقالات ذات صلة",
        newsletter_title="النشرة البريدية",
        subscribe="اشترك",
        advertisement="إعلان",
        share_inline="شارك على X · فيسبوك · واتساب",
        latest_title="آخر الأخبار",
        page_word="صفحة",
        older="الأقدم",
        newer="الأحدث",
        most_read="الأكثر قراءة",
        trending="الأكثر تداولاً",
        other_edition_block="In English",
        no_posts="لا توجد مقالات بعد.",
    ),
}

esc = html.escape


def global_styles() -> str:
    """The block editor's inline global styles, as WordPress prints them in every page's head."""
    hues = ("black", "gray", "red", "orange", "amber", "green", "teal", "blue", "indigo", "purple", "pink", "sand")
    colors = [f"{hue}-{shade}" for hue in hues for shade in ("light", "dark")]
    rng = random.Random("global-styles")
    values = {name: f"#{rng.randrange(0x1000000):06x}" for name in colors}
    lines = ["body{" + "".join(f"--wp--preset--color--{n}: {v};" for n, v in values.items())]
    font_sizes = (("small", 0.875), ("medium", 1.0), ("large", 1.375), ("x-large", 1.75), ("xx-large", 2.25))
    lines += [f"--wp--preset--font-size--{size}: {rem}rem;" for size, rem in font_sizes]
    lines += [f"--wp--preset--spacing--{step}: {step / 40:.2f}rem;" for step in range(10, 90, 10)]
    lines.append("}")
    for name in colors:
        for prop in ("color", "background-color", "border-color"):
            lines.append(f".has-{name}-{prop}{{{prop}: var(--wp--preset--color--{name}) !important;}}")
    for first, second in itertools.pairwise(colors):
        lines.append(
            f".has-{first}-to-{second}-gradient-background{{background: linear-gradient(135deg,"
            f"var(--wp--preset--color--{first}) 0%,var(--wp--preset--color--{second}) 100%) !important;}}"
        )
    for block in ("image", "quote", "embed", "gallery", "columns", "group", "buttons", "separator"):
        lines.append(
            f".wp-block-{block}{{margin-block-start: var(--wp--preset--spacing--20);"
            f"margin-block-end: var(--wp--preset--spacing--30);}}"
            f".wp-block-{block}.alignwide{{max-width: 1200px;}}.wp-block-{block}.alignfull{{max-width: none;}}"
        )
    return "\n".join(lines)


GLOBAL_STYLES = global_styles()
THEME_SCRIPT = (
    'var arabpressTheme = {"ajaxurl":"\\/wp-admin\\/admin-ajax.php","nonce":"3f9a1c7e52","stickyHeader":"1",'
    '"lazyImages":"1","infiniteScroll":"0","ttsEndpoint":"\\/wp-json\\/arabpress\\/v1\\/tts","i18n":{"close":"Close",'
    '"loading":"Loading\\u2026","share":"Share","copied":"Link copied"}};\n'
    "window.dataLayer = window.dataLayer || [];function gtag(){dataLayer.push(arguments);}"
    "gtag('js', new Date());gtag('config', 'G-ARABPRESS1', {'anonymize_ip': true});"
)


def icon_sprite() -> str:
    """The theme's inline SVG icon sprite, printed at the top of every body."""
    rng = random.Random("icon-sprite")
    names = ("search", "menu", "close", "facebook", "x", "whatsapp", "telegram", "youtube", "instagram", "mail",
             "print", "share", "play", "pause", "clock", "arrow")  # fmt: skip
    symbols = []
    for name in names:
        points = " ".join(f"{rng.uniform(0, 24):.3f} {rng.uniform(0, 24):.3f}" for _ in range(40))
        symbols.append(f'<symbol id="icon-{name}" viewBox="0 0 24 24"><path d="M{points}Z"></path></symbol>')
    return '<svg xmlns="http://www.w3.org/2000/svg" style="display: none;">\n' + "\n".join(symbols) + "\n</svg>\n"


ICON_SPRITE = icon_sprite()


def head_tail(theme: Theme) -> str:
    """The end of every page's head: stylesheets, inline styles and scripts."""
    rtl = (
        '<link rel="stylesheet" href="/wp-content/themes/arabpress/rtl.css?ver=3.2.1" />\n'
        if theme.direction == "rtl"
        else ""
    )
    return (
        '<link rel="stylesheet" href="/wp-content/themes/arabpress/style.css?ver=3.2.1" />\n'
        f"{rtl}"
        '<link rel="stylesheet" href="/wp-includes/css/dist/block-library/style.min.css?ver=6.4.2" />\n'
        f'<style id="global-styles-inline-css">\n{GLOBAL_STYLES}\n</style>\n'
        f'<script id="arabpress-theme-js-extra">\n{THEME_SCRIPT}\n</script>\n'
        '<script src="/wp-includes/js/jquery/jquery.min.js?ver=3.7.1"></script>\n'
        '<script src="/wp-content/themes/arabpress/js/theme.js?ver=3.2.1" defer></script>\n'
    )


def masthead(theme: Theme) -> str:
    """The site header: branding, today's date and the menu with its section sub-menus."""
    items = [f'      <li class="menu-item"><a href="{theme.home}">{theme.home_label}</a></li>']
    for number, section in enumerate(SECTIONS):
        tags = TAGS[number * 6 : number * 6 + 6]
        sub_menu = "".join(
            f'\n          <li class="menu-item"><a href="{theme.prefix}/tag/{tag.slug}/">'
            f"{tag.name(theme.language)}</a></li>"
            for tag in tags
        )
        items.append(
            f'      <li class="menu-item menu-item-has-children"><a href="{theme.prefix}/category/{section.slug}/">'
            f'{section.name(theme.language)}</a>\n        <ul class="sub-menu">{sub_menu}\n        </ul></li>'
        )
    href, label = theme.other_edition
    items.append(f'      <li class="menu-item"><a href="{href}">{label}</a></li>')
    menu = "\n".join(items)
    return (
        '<header id="masthead" class="site-header">\n  <div class="site-branding">\n'
        f'    <a class="site-title" href="{theme.home}" rel="home">{SITE_NAME}</a>\n'
        '    <p class="site-tagline">بالشعب و للشعب</p>\n  </div>\n'
        f'  <div class="header-date">{theme.header_date}</div>\n'
        '  <nav id="site-navigation" class="main-navigation">\n    <ul id="primary-menu" class="menu">\n'
        f"{menu}\n    </ul>\n  </nav>\n"
        '  <form role="search" method="get" class="search-form" action="/"><input type="search" name="s" /></form>\n'
        "</header>\n"
    )


def newsletter(theme: Theme) -> str:
    """The newsletter sign-up box under the article or listing."""
    return (
        f'  <aside class="newsletter-signup">\n    <h3>{theme.newsletter_title}</h3>\n'
        '    <form action="/newsletter/subscribe" method="post"><input type="email" name="email" />'
        f"<button>{theme.subscribe}</button></form>\n  </aside>\n"
    )


def related_head(theme: Theme) -> str:
    """The related-posts heading and its text-to-speech player."""
    return (
        f'  <section class="related-posts">\n    <h3 class="related-title">{theme.related_title}</h3>\n'
        '    <div class="tts-player" data-src="/wp-content/uploads/tts/latest.mp3">\n'
        f'      <span class="tts-site">{SITE_NAME}</span>\n'
        '      <span class="tts-current">0:00</span><span class="tts-duration">0:00</span>\n'
        '      <button class="tts-close" type="button">Close</button>\n    </div>\n'
    )


def footer(theme: Theme) -> str:
    """The site footer, the subscribe modal and the closing tags."""
    sections = "".join(
        f'<li><a href="{theme.prefix}/category/{s.slug}/">{s.name(theme.language)}</a></li>' for s in SECTIONS
    )
    return (
        '<footer id="colophon" class="site-footer">\n'
        f'  <div class="footer-widgets"><ul class="footer-sections">{sections}</ul></div>\n'
        '  <ul class="footer-links"><li><a href="/about/">About</a></li><li><a href="/contact/">Contact</a></li>\n'
        '  <li><a href="/wp-admin/">Log in</a></li><li><a href="https://twitter.com/arabpress">X / Twitter</a></li>\n'
        '  <li><a href="https://www.facebook.com/arabpress">Facebook</a></li>'
        '<li><a href="https://www.youtube.com/@arabpress">YouTube</a></li></ul>\n'
        f'  <p class="copyright">&copy; 2026 {SITE_NAME}</p>\n</footer>\n'
        '<div class="modal" id="subscribe-modal">'
        '<button class="modal-close" aria-label="close">&times;</button></div>\n'
        "</div>\n</body>\n</html>\n"
    )


@dataclass(frozen=True, slots=True)
class Chrome:
    """The precomputed parts shared by every page of one edition."""

    theme: Theme
    head_tail: str
    masthead: str
    newsletter: str
    related_head: str
    sidebar: str
    footer: str


def make_chrome(site: Site, theme: Theme) -> Chrome:
    """Precompute one edition's shared page parts (the sidebar lists its newest articles)."""
    most_read = "".join(
        f'\n      <li><a href="{site.articles[i].path}">{esc(site.articles[i].title)}</a></li>'
        for i in site.same_language(theme.language)[:10]
    )
    sidebar = (
        '<aside id="secondary" class="widget-area">\n'
        f'  <section class="widget widget-most-read"><h3 class="widget-title">{theme.most_read}</h3>\n'
        f'    <ol class="most-read-list">{most_read}\n    </ol></section>\n'
        '  <section class="widget widget-ad"><div class="ad-slot ad-sidebar">'
        f'<span class="ad-label">{theme.advertisement}</span>'
        '<ins class="adsbygoogle" data-ad-slot="7001"></ins></div></section>\n'
        "</aside>\n"
    )
    return Chrome(
        theme, head_tail(theme), masthead(theme), newsletter(theme), related_head(theme), sidebar, footer(theme)
    )


def page_top(chrome: Chrome, title: str, head: str, body_class: str) -> str:
    """Everything from the doctype to the opening of main."""
    theme = chrome.theme
    return (
        f'<!DOCTYPE html>\n<html lang="{theme.html_lang}" dir="{theme.direction}">\n<head>\n<meta charset="UTF-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title, quote=False)}</title>\n{head}{chrome.head_tail}</head>\n"
        f'<body class="{body_class}">\n{ICON_SPRITE}<div id="page" class="site">\n'
        f'{chrome.masthead}<main id="main" class="site-main">\n'
    )


def page_bottom(chrome: Chrome) -> str:
    """Everything from the closing of main to the end."""
    return f"</main>\n{chrome.sidebar}{chrome.footer}"


# --- article pages -----------------------------------------------------------------------------


def link_href(rng: random.Random, path: str, campaign: str) -> str:
    """Return a link to *path*: root-relative or absolute, sometimes with utm_* parameters."""
    href = path if rng.random() < 0.5 else ORIGIN + path
    if rng.random() < 0.15:
        href += f"?utm_source={campaign}&amp;utm_medium=web&amp;utm_campaign=recirculation"
    return href


# The site-wide JSON-LD some pages carry instead of an article's: it holds no dates.
WEBSITE_JSON_LD = {
    "@context": "https://schema.org",
    "@type": "WebSite",
    "name": SITE_NAME,
    "url": ORIGIN + "/",
    "potentialAction": {
        "@type": "SearchAction",
        "target": ORIGIN + "/?s={search_term_string}",
        "query-input": "required name=search_term_string",
    },
}


def head_meta(article: Article) -> str:
    """The article's head: canonical link, Open Graph and article meta, JSON-LD."""
    url = ORIGIN + article.path
    lines = [f'<link rel="canonical" href="{url}" />']
    # Only single-author pages name their author in a meta tag, so it never contradicts the byline.
    if article.has_meta_author and len(article.authors) == 1:
        lines.append(f'<meta name="author" content="{esc(article.authors[0].name(article.language))}" />')
    if article.has_og:
        description = article.subtitle or article.title
        og_title = f"{article.title} – {SITE_NAME}" if article.post_id % 3 == 0 else article.title
        lines += [
            '<meta property="og:type" content="article" />',
            f'<meta property="og:title" content="{esc(og_title)}" />',
            f'<meta property="og:description" content="{esc(description)}" />',
            f'<meta property="og:url" content="{url}" />',
            f'<meta property="og:site_name" content="{SITE_NAME}" />',
        ]
    if article.date_source == "meta":
        as_text = utc_offset_iso if article.meta_in_utc else riyadh_iso
        lines.append(f'<meta property="article:published_time" content="{as_text(article.published)}" />')
        if article.modified:
            lines.append(f'<meta property="article:modified_time" content="{as_text(article.modified)}" />')
        lines.append(f'<meta property="article:section" content="{esc(article.section.name(article.language))}" />')
        lines += [f'<meta property="article:tag" content="{esc(t.name(article.language))}" />' for t in article.tags]
    if article.date_source in ("jsonld", "jsonld_graph"):
        lines.append(f'<script type="application/ld+json">{json.dumps(json_ld(article), ensure_ascii=False)}</script>')
    elif article.has_site_jsonld:
        lines.append(f'<script type="application/ld+json">{json.dumps(WEBSITE_JSON_LD)}</script>')
    return "\n".join(lines) + "\n"


def json_ld(article: Article) -> dict[str, Any]:
    """The article's JSON-LD: a NewsArticle, alone or inside a Yoast-style @graph."""
    url = ORIGIN + article.path
    language = article.language
    news: dict[str, Any] = {
        "@type": "NewsArticle",
        "headline": article.title,
        "datePublished": riyadh_iso(article.published),
    }
    if article.modified:
        news["dateModified"] = riyadh_iso(article.modified)
    news["author"] = [{"@type": "Person", "name": author.name(language)} for author in article.authors]
    news["articleSection"] = article.section.name(language)
    news["inLanguage"] = "ar" if language == "ar" else "en-US"
    if article.date_source == "jsonld":
        return {"@context": "https://schema.org", **news}
    news["@id"] = url + "#article"
    news["mainEntityOfPage"] = {"@id": url}
    news["publisher"] = {"@type": "Organization", "name": SITE_NAME, "@id": ORIGIN + "/#organization"}
    page = {"@type": "WebPage", "@id": url, "url": url, "name": f"{article.title} - {SITE_NAME}"}
    theme = THEMES[language]
    trail = [
        {"name": theme.home_label, "item": ORIGIN + theme.home},
        {"name": article.section.name(language), "item": f"{ORIGIN}{theme.prefix}/category/{article.section.slug}/"},
        {"name": article.title},
    ]
    items = [{"@type": "ListItem", "position": number, **crumb} for number, crumb in enumerate(trail, start=1)]
    crumbs = {"@type": "BreadcrumbList", "itemListElement": items}
    return {"@context": "https://schema.org", "@graph": [news, page, crumbs]}


def byline(article: Article, theme: Theme) -> str:
    """The authors' byline, or nothing when the article has no author."""
    if not article.authors:
        return ""
    if article.language == "ar":
        links = f" {theme.and_word} ".join(f'<a href="/ar/author/{a.slug}/">{a.ar}</a>' for a in article.authors)
    else:
        links = f"\n          {theme.and_word} ".join(
            f'<span class="author vcard"><a class="url fn n" href="/author/{a.slug}/">{a.en}</a></span>'
            for a in article.authors
        )
    return f'<span class="byline">{theme.by} {links}</span>\n        '


def posted_on(article: Article) -> str:
    """The entry-meta date: a time element, visible text only, or nothing."""
    language = article.language
    if article.date_source == "time":
        updated = ""
        if article.modified:
            updated = (
                f'\n          <time class="updated" datetime="{riyadh_iso(article.modified)}">'
                f"{short_date(article.modified, language)}</time>"
            )
        return (
            f'<span class="posted-on"><time class="entry-date published" datetime="{riyadh_iso(article.published)}">'
            f"{visible_date(article.published, language)}</time>{updated}</span>"
        )
    if article.date_source in ("text", "jsonld", "jsonld_graph"):
        return f'<span class="posted-on">{visible_date(article.published, language)}</span>'
    return ""


def article_header(article: Article, theme: Theme) -> str:
    """The entry header: section, headline, standfirst and meta line."""
    language = article.language
    section = article.section
    subtitle = f'\n      <div class="entry-subtitle"><p>{esc(article.subtitle)}</p></div>' if article.subtitle else ""
    headline_prop = ' itemprop="headline"' if article.date_source == "microdata" else ""
    return (
        '    <header class="entry-header">\n'
        f'      <span class="cat-links"><a href="{theme.prefix}/category/{section.slug}/" rel="category tag">'
        f"{section.name(language)}</a></span>\n"
        f'      <h1 class="entry-title"{headline_prop}>{esc(article.title, quote=False)}</h1>{subtitle}\n'
        f'      <div class="entry-meta">{byline(article, theme)}{posted_on(article)}</div>\n'
        "    </header>\n"
    )


def article_open(article: Article) -> str:
    """The article element's opening tag, with microdata dates when that is where they are."""
    classes = f"post-{article.post_id} post type-post status-publish format-standard category-{article.section.slug}"
    if article.has_thumbnail:
        classes += " has-post-thumbnail"
    if article.date_source != "microdata":
        return f'  <article id="post-{article.post_id}" class="{classes}">\n'
    modified = f'\n    <meta itemprop="dateModified" content="{utc_z(article.modified)}" />' if article.modified else ""
    return (
        f'  <article id="post-{article.post_id}" class="{classes}" itemscope itemtype="https://schema.org/NewsArticle">\n'
        f'    <meta itemprop="datePublished" content="{utc_z(article.published)}" />{modified}\n'
    )


def image_src(rng: random.Random, article: Article, number: int) -> str:
    """An image URL under the article's upload month, root-relative or absolute."""
    local = article.published.astimezone(RIYADH)
    path = f"/wp-content/uploads/{local:%Y/%m}/{article.path.rstrip('/').rsplit('/', 1)[-1][:40]}-{number}.jpg"
    return path if rng.random() < 0.5 else ORIGIN + path


def caption(rng: random.Random, language: str) -> str:
    """A photo caption in *language*."""
    return fill(rng, AR_CAPTIONS, AR_WORDS) if language == "ar" else fill(rng, EN_CAPTIONS, EN_WORDS)


def thumbnail(article: Article, rng: random.Random) -> str:
    """The featured image above the body, when the article has one."""
    if not article.has_thumbnail:
        return ""
    return (
        '    <figure class="post-thumbnail">\n'
        f'      <img src="{image_src(rng, article, 0)}" alt="" width="1200" height="675" />\n'
        f"      <figcaption>{caption(rng, article.language)}</figcaption>\n    </figure>\n"
    )


def breadcrumbs(article: Article, theme: Theme) -> str:
    """The breadcrumb trail above the article, when the page has one."""
    if not article.has_breadcrumbs:
        return ""
    section = article.section
    return (
        f'  <nav class="breadcrumbs"><a href="{theme.home}">{theme.home_label}</a> &raquo; '
        f'<a href="{theme.prefix}/category/{section.slug}/">{section.name(article.language)}</a> &raquo; '
        f'<span class="breadcrumb_last">{esc(article.title, quote=False)}</span></nav>\n'
    )


def entry_footer(article: Article, theme: Theme) -> str:
    """The tags and the share links under the body."""
    url = ORIGIN + article.path
    tags = ""
    if article.tags:
        links = ", ".join(
            f'<a href="{theme.prefix}/tag/{t.slug}/" rel="tag">{t.name(article.language)}</a>' for t in article.tags
        )
        tags = f'<span class="tags-links">{theme.tags_label} {links}</span>\n      '
    return (
        f'    <footer class="entry-footer">{tags}<div class="share-buttons">'
        f'<a href="https://www.facebook.com/sharer.php?u={url}">Facebook</a> '
        f'<a href="https://twitter.com/intent/tweet?url={url}">X</a> '
        f'<a href="whatsapp://send?text={url}">WhatsApp</a></div>\n    </footer>\n'
    )


def related_list(site: Site, article: Article, chrome: Chrome, rng: random.Random) -> str:
    """The related-posts section: the ring's next article, random ones, and any bad pages."""
    links = [(site.articles[i].path, site.articles[i].title) for i in article.related] + article.extra_links
    if links and rng.random() < 0.05:
        links.append(links[rng.randrange(len(links))])  # the theme sometimes repeats a story
    items = "".join(
        f'\n      <li><a href="{link_href(rng, path, "related")}">{esc(text, quote=False)}</a></li>'
        for path, text in links
    )
    return f'{chrome.related_head}    <ul class="related-list">{items}\n    </ul>\n  </section>\n'


class BodyWriter:
    """Builds an entry-content body block by block, counting its bytes and paragraphs."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.paragraphs = 0  # paragraphs, subheadings and quotes: what an extractor keeps

    def add(self, block: str, paragraphs: int = 0) -> None:
        """Append one block of HTML."""
        self.parts.append(block)
        self.size += len(block.encode())
        self.paragraphs += paragraphs


def paragraph_text(rng: random.Random, pool: Sequence[str]) -> str:
    """A paragraph of three to six sentences from the pool."""
    sentences = rng.choices(pool, k=rng.randint(3, 6))
    # Now and then the CMS leaves a non-breaking space between two sentences.
    joiner = "&nbsp;" if rng.random() < 0.02 else " "
    return joiner.join(sentences)


def entry_content(site: Site, article: Article, rng: random.Random, budget: int) -> tuple[str, int, str]:
    """Return the body's HTML, its paragraph count and its lead, filled to about *budget* bytes."""
    theme = THEMES[article.language]
    pool = site.pools[article.language]
    same_language = site.same_language(article.language)
    lead = " ".join(sentence(rng, article.language) for _ in range(3))
    body = BodyWriter()
    body.add(f"<p>{lead}</p>\n", 1)
    figures = read_more = 0
    shared = False
    while body.size < budget:
        roll = rng.random()
        if roll < 0.07:
            subhead = rng.choice(AR_SUBHEADS if article.language == "ar" else EN_SUBHEADS)
            body.add(f"<h2>{subhead}</h2>\n", 1)
        elif roll < 0.12:
            quoted = pool[rng.randrange(len(pool))]
            body.add(f'<blockquote class="wp-block-quote"><p>{quoted}</p></blockquote>\n', 1)
        elif roll < 0.17 and figures < 4:
            figures += 1
            body.add(
                f'<figure class="wp-block-image size-large"><img src="{image_src(rng, article, figures)}" alt="" '
                f'width="1024" height="576" loading="lazy" />\n  <figcaption>{caption(rng, article.language)}'
                "</figcaption></figure>\n"
            )
        elif roll < 0.22:
            body.add(
                f'<div class="ad-slot ad-inarticle"><span class="ad-label">{theme.advertisement}</span>'
                f'<ins class="adsbygoogle" data-ad-slot="{4400 + rng.randrange(100)}"></ins></div>\n'
            )
        elif roll < 0.25 and read_more < 3 and len(same_language) > 1:
            read_more += 1
            target = site.articles[rng.choice(same_language)]
            link = f'<a href="{target.path}">{esc(target.title, quote=False)}</a>'
            body.add(f"<p><strong>{theme.read_more}</strong> {link}</p>\n")
        elif roll < 0.27:
            body.add("<p>&nbsp;</p>\n")
        else:
            body.add(f"<p>{paragraph_text(rng, pool)}</p>\n", 1)
        if not shared and body.paragraphs >= 3:
            shared = True
            body.add(f'<div class="share-buttons">{theme.share_inline}</div>\n')
    body.add(f"<p>{paragraph_text(rng, pool)}</p>\n", 1)
    return "".join(body.parts), body.paragraphs, lead


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """A rendered article page and what its body holds."""

    html: str
    paragraphs: int
    lead: str


def render_article(site: Site, chrome: Chrome, article: Article, target_bytes: int | None = None) -> ArticlePage:
    """Render an article page of about *target_bytes* (by default a size drawn in PAGE_BYTES)."""
    theme = chrome.theme
    # Layout choices stay put across --change rounds; the body is redrawn for each revision.
    layout_rng = random.Random(f"{site.seed}/layout/{article.index}")
    body_rng = random.Random(f"{site.seed}/body/{article.index}/{article.revision}")
    target = target_bytes or layout_rng.randint(*PAGE_BYTES)
    body_class = f"single single-post postid-{article.post_id} single-format-standard"
    before = (
        page_top(chrome, f"{article.title} - {SITE_NAME}", head_meta(article), body_class)
        + breadcrumbs(article, theme)
        + article_open(article)
        + article_header(article, theme)
        + thumbnail(article, layout_rng)
        + '    <div class="entry-content"'
        + (' itemprop="articleBody"' if article.date_source == "microdata" else "")
        + ">\n"
    )
    after = (
        "    </div>\n"
        + entry_footer(article, theme)
        + "  </article>\n"
        + chrome.newsletter
        + related_list(site, article, chrome, layout_rng)
        + page_bottom(chrome)
    )
    budget = target - len(before.encode()) - len(after.encode())
    body, paragraphs, lead = entry_content(site, article, body_rng, budget)
    return ArticlePage(before + body + after, paragraphs, lead)


# --- listings, sitemaps and the other files ----------------------------------------------------


def teaser(article: Article, rng: random.Random, campaign: str) -> str:
    """A listing's teaser of one article."""
    excerpt = f'<p class="teaser-excerpt">{esc(article.subtitle, quote=False)}</p>' if article.subtitle else ""
    return (
        f'    <article class="teaser"><h2 class="teaser-title"><a href="{link_href(rng, article.path, campaign)}">'
        f"{esc(article.title, quote=False)}</a></h2>{excerpt}"
        f'<span class="teaser-date">{short_date(article.published, article.language)}</span></article>\n'
    )


def render_listing(
    site: Site,
    chrome: Chrome,
    path: str,
    heading: str,
    articles: Sequence[Article],
    *,
    body_class: str = "archive category",
    next_path: str | None = None,
    previous_path: str | None = None,
    extra: str = "",
) -> str:
    """Render a listing page: a heading, teasers, pagination and optional extra blocks."""
    theme = chrome.theme
    rng = random.Random(f"{site.seed}/listing/{path}")
    campaign = "homepage" if path in ("/", "/ar/") else "section"
    teasers = "".join(teaser(a, rng, campaign) for a in articles) or f"    <p>{theme.no_posts}</p>\n"
    pagination = ""
    if next_path or previous_path:
        newer = f'<a class="prev" href="{previous_path}">{theme.newer}</a> ' if previous_path else ""
        older = f'<a class="next" href="{next_path}">{theme.older}</a>' if next_path else ""
        pagination = f'    <nav class="pagination">{newer}{older}</nav>\n'
    return (
        page_top(chrome, f"{heading} - {SITE_NAME}", f'<link rel="canonical" href="{ORIGIN}{path}" />\n', body_class)
        + f'  <section class="archive">\n    <h1 class="page-title">{esc(heading, quote=False)}</h1>\n'
        + teasers
        + pagination
        + "  </section>\n"
        + extra
        + chrome.newsletter
        + page_bottom(chrome)
    )


def link_block(title: str, class_name: str, links: Iterable[tuple[str, str]]) -> str:
    """A titled list of links, as the home page's side blocks."""
    items = "".join(f'\n      <li><a href="{path}">{esc(text, quote=False)}</a></li>' for path, text in links)
    return f'  <section class="{class_name}">\n    <h2>{title}</h2>\n    <ul>{items}\n    </ul>\n  </section>\n'


def home_page(site: Site, chrome: Chrome, per_page: int) -> str:
    """An edition's home page: its newest articles and, in English, the side blocks."""
    theme = chrome.theme
    newest = [site.articles[i] for i in site.same_language(theme.language)[:per_page]]
    extra = ""
    if theme.language == "en":
        trending = [(page.path, page.link_text) for page in site.bad_pages if page.link_text]
        arabic = [(site.articles[i].path, site.articles[i].title) for i in site.same_language("ar")[:5]]
        if trending:
            extra += link_block(theme.trending, "trending", trending)
        if arabic:
            extra += link_block(theme.other_edition_block, "other-edition", arabic)
    body_class = "home blog archive category"
    return render_listing(site, chrome, theme.home, theme.latest_title, newest, body_class=body_class, extra=extra)


def section_pages(site: Site, chrome: Chrome, section: Term, per_page: int) -> Iterator[tuple[str, str]]:
    """Yield (path, html) of a section's listing pages, newest articles first."""
    theme = chrome.theme
    articles = [site.articles[i] for i in site.same_language(theme.language)]
    in_section = [article for article in articles if article.section is section]
    pages = [in_section[start : start + per_page] for start in range(0, len(in_section), per_page)] or [[]]
    base = f"{theme.prefix}/category/{section.slug}/"
    paths = [base] + [f"{base}page/{number}/" for number in range(2, len(pages) + 1)]
    name = section.name(theme.language)
    for number, (path, teasers) in enumerate(zip(paths, pages, strict=True)):
        heading = name if number == 0 else f"{name} – {theme.page_word} {number + 1}"
        listing = render_listing(
            site,
            chrome,
            path,
            heading,
            teasers,
            body_class=f"archive category category-{section.slug}",
            next_path=paths[number + 1] if number + 1 < len(paths) else None,
            previous_path=paths[number - 1] if number else None,
        )
        yield path, listing


def listing_pages(site: Site, chromes: Mapping[str, Chrome], per_page: int) -> Iterator[tuple[str, str]]:
    """Yield (path, html) of both home pages and every paginated section listing."""
    for chrome in chromes.values():
        yield chrome.theme.home, home_page(site, chrome, per_page)
        for section in SECTIONS:
            yield from section_pages(site, chrome, section, per_page)


def render_static_page(chrome: Chrome, path: str, heading: str, text: str) -> str:
    """A static page of the theme (type-page): no article."""
    return (
        page_top(chrome, f"{heading} - {SITE_NAME}", f'<link rel="canonical" href="{ORIGIN}{path}" />\n', "page")
        + f'  <article class="page type-page"><h1 class="entry-title">{heading}</h1>'
        + f'<div class="entry-content"><p>{text}</p></div></article>\n'
        + chrome.newsletter
        + page_bottom(chrome)
    )


def render_not_found(chrome: Chrome) -> str:
    """The page served with status 404."""
    return (
        page_top(chrome, f"Page not found - {SITE_NAME}", "", "error404")
        + '  <section class="error-404 not-found">'
        + '<h1 class="page-title">Oops! That page can’t be found.</h1></section>\n'
        + chrome.newsletter
        + page_bottom(chrome)
    )


ROBOTS_TXT = f"""User-agent: *
Disallow: /wp-admin/
Disallow: /newsletter/
Disallow: /?s=
Allow: /wp-admin/admin-ajax.php

Sitemap: {ORIGIN}/sitemap_index.xml
"""


def sitemaps(site: Site, urls_per_sitemap: int) -> Iterator[tuple[str, str]]:
    """Yield (path, xml) of the post sitemaps, at most *urls_per_sitemap* URLs each, then their index."""
    index_entries: list[str] = []
    for language, prefix in (("en", ""), ("ar", "/ar")):
        oldest_first = [a for a in site.articles if a.language == language]
        for number, start in enumerate(range(0, len(oldest_first), urls_per_sitemap), start=1):
            chunk = oldest_first[start : start + urls_per_sitemap]
            path = f"{prefix}/post-sitemap{number if number > 1 else ''}.xml"
            urls = "".join(
                f"\n  <url><loc>{ORIGIN}{a.path}</loc><lastmod>{utc_offset_iso(a.lastmod)}</lastmod></url>"
                for a in chunk
            )
            yield (
                path,
                f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}\n</urlset>\n',
            )
            newest = max(a.lastmod for a in chunk)
            index_entries.append(
                f"\n  <sitemap><loc>{ORIGIN}{path}</loc><lastmod>{utc_offset_iso(newest)}</lastmod></sitemap>"
            )
    yield (
        "/sitemap_index.xml",
        (
            '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{''.join(index_entries)}\n</sitemapindex>\n"
        ),
    )


# --- bad page bodies ---------------------------------------------------------------------------


def truncated_body(page_html: str) -> bytes:
    """Cut an article page in the middle of its body, mid-sentence."""
    start = page_html.index('<div class="entry-content"')
    end = page_html.index("    </div>\n    <footer", start)
    return page_html[: (start + end) // 2].encode()


def windows_1256_body(page_html: str) -> bytes:
    """Encode an Arabic article page in windows-1256, without declaring any charset."""
    return page_html.replace('<meta charset="UTF-8">\n', "").encode("cp1256")


def invalid_json_ld(article: Article) -> str:
    """A JSON-LD block as a broken plugin prints it: a trailing comma and no closing brace."""
    fields = (
        f'"@context": "https://schema.org", "@type": "NewsArticle", "headline": {json.dumps(article.title)}, '
        f'"datePublished": "{riyadh_iso(article.published)}",'
    )
    return f'<script type="application/ld+json">{{{fields}</script>\n'


def bad_page_file(site: Site, chrome: Chrome, page: BadPage) -> tuple[bytes | None, ArticlePage | None]:
    """Return a bad page's file (None when it has none) and the article rendered into it."""
    article = page.article
    if article is None or page.kind in ("redirect_loop", "http_500"):
        return None, None
    if page.kind == "binary":
        return random.Random(f"{site.seed}/binary").randbytes(BINARY_BYTES), None
    rendered = render_article(site, chrome, article, TOO_LARGE_BYTES if page.kind == "too_large" else None)
    if page.kind == "truncated":
        return truncated_body(rendered.html), rendered
    if page.kind == "windows_1256":
        return windows_1256_body(rendered.html), rendered
    if page.kind == "invalid_jsonld":
        return rendered.html.replace("</title>\n", f"</title>\n{invalid_json_ld(article)}", 1).encode(), rendered
    return rendered.html.encode(), rendered


# --- manifest ----------------------------------------------------------------------------------


def article_entry(article: Article, paragraphs: int, lead: str) -> dict[str, Any]:
    """What a crawl must store for *article*."""
    return {
        "path": article.path,
        "title": article.title,
        "language": article.language,
        "section": article.section.name(article.language),
        "authors": [author.name(article.language) for author in article.authors],
        "published_at": utc_z(article.published),
        "modified_at": utc_z(article.modified) if article.modified and article.shows_modified else None,
        "lastmod": utc_offset_iso(article.lastmod),
        "date_source": article.date_source,
        "body_paragraphs": paragraphs,
        "body_startswith": lead[:60],
    }


def manifest_text(header: Mapping[str, Any], lists: Mapping[str, Sequence[Any]]) -> str:
    """Format the manifest as JSON with one list entry per line, so it stays greppable."""
    lines = ["{"]
    lines += [f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}," for key, value in header.items()]
    blocks = []
    for key, rows in lists.items():
        inner = ",\n".join(f"  {json.dumps(row, ensure_ascii=False)}" for row in rows)
        blocks.append(f" {json.dumps(key)}: [\n{inner}\n ]" if rows else f" {json.dumps(key)}: []")
    return "\n".join(lines) + "\n" + ",\n".join(blocks) + "\n}\n"


def manifest_header(site: Site, bad_pages: bool, urls_per_sitemap: int, counts: Mapping[str, int]) -> dict[str, Any]:
    """The manifest's fields other than its lists."""
    return {
        "format": MANIFEST_FORMAT,
        "origin": ORIGIN,
        "seed": site.seed,
        "articles_count": len(site.articles),
        "bad_pages_enabled": bad_pages,
        "urls_per_sitemap": urls_per_sitemap,
        "change_rounds": site.change_rounds,
        "pages": dict(counts),
    }


# --- writing -----------------------------------------------------------------------------------


class SiteWriter:
    """Writes a site folder and counts what it wrote."""

    def __init__(self, root: Path, log: Callable[[str], None]) -> None:
        self.root = root
        self.pages = root / "pages"
        self.log = log
        self.files = 0
        self.bytes = 0
        self.started = time.perf_counter()

    def page(self, url_path: str, data: str | bytes) -> None:
        """Write the file served at *url_path*."""
        relative = url_path.lstrip("/")
        target = self.pages / relative / "index.html" if url_path.endswith("/") else self.pages / relative
        self.file(target, data)

    def file(self, target: Path, data: str | bytes) -> None:
        """Write one file, creating its folder."""
        raw = data.encode() if isinstance(data, str) else data
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        self.files += 1
        self.bytes += len(raw)

    def json(self, name: str, value: Any) -> None:
        """Write a small JSON file at the site root."""
        self.file(self.root / name, json.dumps(value, ensure_ascii=False, indent=1) + "\n")

    def elapsed(self) -> float:
        """Seconds since the writer started."""
        return time.perf_counter() - self.started

    def progress(self, done: int, total: int) -> None:
        """Log how far the article pages have got."""
        self.log(f"  {done:>6}/{total} articles  {self.bytes / 1e6:8.1f} MB  {self.elapsed():6.1f} s")

    def summary(self) -> str:
        """One line saying what was written and how fast."""
        return f"{self.files} files, {self.bytes:,} bytes ({self.bytes / 1e6:.1f} MB) in {self.elapsed():.1f} s"


def prepare_folder(out: Path) -> None:
    """Empty *out* when it holds an earlier generated site; refuse any other non-empty folder."""
    if out.exists() and any(out.iterdir()):
        if not (out / "manifest.json").is_file():
            raise SystemExit(f"{out} is not empty and holds no generated site (no manifest.json): not touching it")
        for name in ("pages",):
            shutil.rmtree(out / name, ignore_errors=True)
        for name in ("404.html", "content-types.json", "responses.json", "manifest.json"):
            (out / name).unlink(missing_ok=True)
    out.mkdir(parents=True, exist_ok=True)


def write_articles(
    site: Site, chromes: Mapping[str, Chrome], writer: SiteWriter, articles: Sequence[Article]
) -> list[dict[str, Any]]:
    """Render and write *articles*; return their manifest entries."""
    entries = []
    for done, article in enumerate(articles, start=1):
        page = render_article(site, chromes[article.language], article)
        writer.page(article.path, page.html)
        entries.append(article_entry(article, page.paragraphs, page.lead))
        if done % PROGRESS_EVERY == 0:
            writer.progress(done, len(articles))
    return entries


def write_bad_pages(site: Site, chromes: Mapping[str, Chrome], writer: SiteWriter) -> list[dict[str, Any]]:
    """Write the bad pages' files and responses.json; return their manifest entries."""
    entries = []
    for page in site.bad_pages:
        article = page.article
        data, rendered = bad_page_file(site, chromes[article.language if article else "en"], page)
        if data is not None:
            writer.page(page.path, data)
        entry: dict[str, Any] = {"path": page.path, "expect": page.expect, "kind": page.kind, "notes": page.notes}
        if page.expect == "article" and article is not None and rendered is not None:
            stored = article_entry(article, rendered.paragraphs, rendered.lead)
            # Bad pages are in no sitemap, so they have no lastmod.
            entry |= {key: value for key, value in stored.items() if key not in ("path", "lastmod")}
        entries.append(entry)
    writer.json("responses.json", {page.path: page.response for page in site.bad_pages if page.response})
    return entries


def content_types(site: Site, sitemap_paths: Iterable[str]) -> dict[str, str]:
    """The Content-Type of every path that is not HTML in UTF-8."""
    types = {"/robots.txt": "text/plain; charset=utf-8"}
    types |= {path: XML_CONTENT_TYPE for path in sitemap_paths}
    types |= {page.path: HTML_WITHOUT_CHARSET for page in site.bad_pages if page.kind == "windows_1256"}
    return types


def generate_site(
    out: Path,
    count: int = DEFAULT_ARTICLES,
    seed: int = DEFAULT_SEED,
    bad_pages: bool = False,
    *,
    urls_per_sitemap: int = URLS_PER_SITEMAP,
    teasers_per_page: int = TEASERS_PER_PAGE,
    log: Callable[[str], None] = print,
) -> str:
    """Write a whole synthetic site into *out*; return the summary line."""
    if count < 1:
        raise ValueError("a site needs at least one article")
    prepare_folder(out)
    writer = SiteWriter(out, log)
    site = build_site(seed, count, bad_pages)
    chromes = {language: make_chrome(site, theme) for language, theme in THEMES.items()}
    log(f"generating {count} articles (seed {seed}{', with bad pages' if bad_pages else ''}) into {out}")
    entries = write_articles(site, chromes, writer, site.articles)
    listings = 0
    for path, page_html in listing_pages(site, chromes, teasers_per_page):
        writer.page(path, page_html)
        listings += 1
    about = "Arab Press publishes news and analysis from the Arab world in Arabic and English."
    writer.page("/about/", render_static_page(chromes["en"], "/about/", "About us", about))
    writer.page("/contact/", render_static_page(chromes["en"], "/contact/", "Contact", "Write to the newsroom."))
    writer.page("/robots.txt", ROBOTS_TXT)
    sitemap_paths = write_sitemaps(site, writer, urls_per_sitemap)
    writer.file(out / "404.html", render_not_found(chromes["en"]))
    writer.json("content-types.json", content_types(site, sitemap_paths))
    bad_entries = write_bad_pages(site, chromes, writer) if bad_pages else []
    counts = {"articles": count, "listings": listings, "sitemaps": len(sitemap_paths), "bad_pages": len(bad_entries)}
    manifest = manifest_text(
        manifest_header(site, bad_pages, urls_per_sitemap, counts),
        {"articles": entries, "bad_pages": bad_entries, "changed": []},
    )
    writer.file(out / "manifest.json", manifest)
    summary = writer.summary()
    log(f"done: {summary}")
    return summary


def write_sitemaps(site: Site, writer: SiteWriter, urls_per_sitemap: int) -> list[str]:
    """Write the sitemaps and their index; return their paths."""
    paths = []
    for path, xml in sitemaps(site, urls_per_sitemap):
        writer.page(path, xml)
        paths.append(path)
    return paths


def change_site(out: Path, count: int, *, log: Callable[[str], None] = print) -> str:
    """Rewrite *count* articles of the site in *out* in place (one more --change round)."""
    manifest_path = out / "manifest.json"
    if not manifest_path.is_file():
        raise SystemExit(f"{out} holds no generated site (no manifest.json)")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    total = manifest["articles_count"]
    if not 0 <= count <= total:
        raise SystemExit(f"--change {count}: the site has {total} articles")
    writer = SiteWriter(out, log)
    site = build_site(manifest["seed"], total, manifest["bad_pages_enabled"])
    changed = apply_changes(site, [*manifest["change_rounds"], count])
    chromes = {language: make_chrome(site, theme) for language, theme in THEMES.items()}
    log(f"change round {len(site.change_rounds)}: rewriting {count} of {total} articles in {out}")
    new_entries = {entry["path"]: entry for entry in write_articles(site, chromes, writer, changed)}
    urls_per_sitemap = int(manifest["urls_per_sitemap"])
    sitemap_paths = write_sitemaps(site, writer, urls_per_sitemap)
    entries = [new_entries.get(entry["path"], entry) for entry in manifest["articles"]]
    counts = manifest["pages"] | {"sitemaps": len(sitemap_paths)}
    lists = {"articles": entries, "bad_pages": manifest["bad_pages"], "changed": [a.path for a in changed]}
    header = manifest_header(site, manifest["bad_pages_enabled"], urls_per_sitemap, counts)
    writer.file(manifest_path, manifest_text(header, lists))
    summary = writer.summary()
    log(f"done: {summary}")
    return summary


# --- command line ------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Generate a site, or change one, as the command line asks."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--out", type=Path, required=True, help="site folder (emptied first if it holds a generated site)"
    )
    parser.add_argument("--articles", type=int, help=f"number of articles (default {DEFAULT_ARTICLES})")
    parser.add_argument("--seed", type=int, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--bad-pages", action="store_true", help="add faulty pages and responses.json")
    parser.add_argument("--change", type=int, metavar="K", help="rewrite K articles of the existing site in --out")
    args = parser.parse_args(argv)
    if args.change is not None:
        if args.articles is not None or args.seed is not None or args.bad_pages:
            parser.error("--change takes the seed, article count and bad pages from the site's manifest.json")
        change_site(args.out, args.change)
        return 0
    generate_site(
        args.out,
        DEFAULT_ARTICLES if args.articles is None else args.articles,
        DEFAULT_SEED if args.seed is None else args.seed,
        args.bad_pages,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Authors as people: the names of a byline without its prefix, roles, dates, links and boilerplate.

A byline ("By TOM KRISHER, AP Auto Writer", "بقلم: سامي ناصر", "Amy K | NJ Advance Media for
NJ.com") is split into parts; each part is a person, an organisation (a news agency, a desk,
"Staff", the site itself) or nothing worth keeping (a date, an e-mail address, a handle, a URL,
a credential such as "PhD"). Organisations count only when a byline names no person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from arabpress.extract.dom import clean_value, comparable
from arabpress.extract.titles import DOMAIN_LIKE, name_key

if TYPE_CHECKING:
    from collections.abc import Iterable

    from arabpress.extract.titles import SiteNames

# "By ", "Written by ", "Analysis by ", "بقلم:", "كتب:", "كتبت:", "إعداد:" before a byline's names.
PREFIX = re.compile(
    r"^\s*(?:(?:(?:written|story|analysis|reporting|text|words)\s+)?by\b|بقلم|كتبت|كتب|إعداد|اعداد)\s*[:：]?\s*",
    re.IGNORECASE,
)
# Between names, or between a name and its role: commas (Latin and Arabic), "and", "&", the
# Arabic "و" standing alone, semicolons, pipes, dashes with spaces, "for" and "with" (an
# affiliation: "Amy K for NJ.com", "Le Monde with AFP").
PARTS = re.compile(r"(\s*(?:[,،;|]|\b(?:and|for|with)\b|\s&\s|\sو\s|\s[-–—]\s)\s*)", re.IGNORECASE)
# The separators after which a part says where the author works rather than who else wrote.
AFFILIATION_BEFORE = re.compile(r"[,،|\-–—]|\b(?:for|with)\b", re.IGNORECASE)
MONTHS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
    r"|يناير|فبراير|مارس|أبريل|إبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر"
)
WEEKDAYS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|الأحد|الاحد|الاثنين|الإثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|السبت"
)
# Where a date or time starts in a byline part ("John Smith on Nov. 19, 2019", "Updated 10:30",
# "13 Jul 2019", "الأحد ١ فبراير"): digits that make a date (any script), a month name beside a
# number, a weekday, a year, or a publishing word.
DATE_START = (
    r"(?<!\w)(?:\d{1,4}[./:-]\d{1,2}|\d{1,2}(?:st|nd|rd|th)?\.?\s*(?:" + MONTHS + r")|(?:" + MONTHS + r")[a-z]*\.?\s*\d"
    r"|(?:19|20)\d\d(?!\w)|(?:" + WEEKDAYS + r")(?!\w)|updated|published|posted|last\s+updated|نشر|تحديث|آخر تحديث)"
)
DATE_TAIL = re.compile(r"(?:\s+(?:on|at|في))?\s*" + DATE_START + r".*$", re.IGNORECASE)
HANDLE_OR_EMAIL = re.compile(r"(?<!\S)@\w+|\S+@\S+\.\w+")
URL = re.compile(r"^(?:https?://|www\.|/)", re.IGNORECASE)
MIN_NAME_LENGTH = 3
# Letters after a name: "MS", "RDN", "PhD", "M.D.".
CREDENTIAL = re.compile(r"^(?:[A-Z]{2,4}|Ph\.?\s?D\.?|M\.\s?D\.|Jr\.?|Sr\.?)$")
# Account names that stand for no author.
BOILERPLATE = re.compile(r"admin|webmaster|^(?:guest|anonymous|unknown)$", re.IGNORECASE)
# Words that make a part an organisation or a role rather than a person.
ORGANISATION_WORDS = re.compile(
    r"(?<!\w)(?:staff|desk|newsroom|news\s*room|editorial|editors?|editor-at-large|team|bureau|agency|agencies"
    r"|wire|wires|news\s+service|press|media|correspondents?|reporters?|writers?|contributors?|columnist"
    r"|producer|journalist|photographer|reports|وكالات|وكالة|المحرر|محرر|التحرير|فريق|مراسل|مراسلة|مراسلنا"
    r"|قسم|خاص)(?!\w)",
    re.IGNORECASE,
)
# News agencies, by the name keys of the way bylines write them.
AGENCIES = frozenset(
    name_key(name)
    for name in (
        "AFP",
        "Agence France-Presse",
        "AP",
        "Associated Press",
        "Reuters",
        "Thomson Reuters",
        "dpa",
        "EFE",
        "ANSA",
        "Xinhua",
        "PTI",
        "IANS",
        "UPI",
        "AAP",
        "ANI",
        "KUNA",
        "WAM",
        "SPA",
        "QNA",
        "MENA",
        "Anadolu",
        "TASS",
        "Kyodo",
        "Yonhap",
        "أ ف ب",
        "ا ف ب",
        "فرانس برس",
        "رويترز",
        "أسوشيتد برس",
        "الأناضول",
        "واس",
        "وام",
        "كونا",
        "قنا",
        "د ب أ",
        "شينخوا",
    )
)


@dataclass
class Bylines:
    """The people and the organisations that bylines name, each once, in page order."""

    people: list[str] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)

    def add(self, name: str, organisation: bool) -> None:
        """Record a name unless it is already there (case and spacing ignored)."""
        known = {comparable(value) for value in [*self.people, *self.organisations]}
        if comparable(name) not in known:
            (self.organisations if organisation else self.people).append(name)


def strip_prefix(byline: str) -> str:
    """Remove a byline prefix such as "By " or "بقلم:" from a name."""
    return PREFIX.sub("", byline, count=1).strip()


def _name(part: str) -> str | None:
    """Return a byline part without a date, e-mail address or handle; None for what names nobody."""
    written = strip_prefix(part)
    without_date = DATE_TAIL.sub("", written)
    name = (clean_value(HANDLE_OR_EMAIL.sub(" ", without_date)) or "").strip(" :-–—")
    # What a date leaves behind ("Sa" of "Sa 13 Jul 2019") is no name.
    too_short = without_date != written and len(name_key(name)) < MIN_NAME_LENGTH
    if not name or too_short or URL.search(name) or BOILERPLATE.search(name):
        return None
    return name


def is_organisation(name: str, site: SiteNames) -> bool:
    """Tell whether a byline name is an agency, a desk or staff, or the site itself, rather than a person."""
    if name_key(name) in AGENCIES or ORGANISATION_WORDS.search(name) or DOMAIN_LIKE.fullmatch(name):
        return True
    return site.names(name) or any(word in site.keys for word in map(name_key, name.split()))


def read_bylines(bylines: Iterable[str], site: SiteNames, organisations: Iterable[str] = ()) -> Bylines:
    """Split one source's bylines into people and organisations; *organisations* are known ones (typed JSON-LD)."""
    found = Bylines()
    for byline in bylines:
        if URL.search(byline.strip()) and " " not in byline.strip():
            continue
        pieces = PARTS.split(strip_prefix(byline))
        for index in range(0, len(pieces), 2):
            name = _name(pieces[index])
            if not name or (index and name_key(name) not in AGENCIES and CREDENTIAL.match(name)):
                continue
            # One word after a comma is where the author works ("Victor Tangermann, Futurism"),
            # and so is what comes after "for" or "with".
            before = pieces[index - 1] if index else ""
            affiliation = bool(AFFILIATION_BEFORE.search(before)) and (
                len(name.split()) == 1 or re.search(r"\b(?:for|with)\b", before, re.IGNORECASE) is not None
            )
            found.add(name, affiliation or is_organisation(name, site))
    for name in organisations:
        cleaned = _name(name)
        if cleaned:
            found.add(cleaned, organisation=True)
    return found

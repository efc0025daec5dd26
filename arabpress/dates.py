"""Turn the raw date strings of an article into timezone-aware UTC datetimes.

Structured data (JSON-LD, meta tags, microdata, ``<time datetime>``, the generic
fallback's day) is ISO 8601 and is read with ``datetime.fromisoformat``; visible text, or
structured data that is not ISO, goes to a dateparser parser for Arabic and English (plus
the page's own language, in its day/month order, when it declares another), after the
text is normalized: Western digits, no bidi marks or tatweel, ``am``/``pm`` for ص/م,
Egyptian month names for Levantine ones, and the Gregorian date chosen over a Hijri one
beside it. A Hijri-only date is converted with dateparser's Hijri calendar (hijridate).
The theme's own two visible formats are read by two patterns first, to the same result.

Besides the UTC instant, each date keeps the day it states, in its own zone (the offset
written, the zone named, else the site's: a date-only value keeps its day), and its
precision: a day, or a clock time to the minute or second.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dateparser.calendars.hijri import HijriCalendar
from dateparser.data.languages_info import language_order
from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader
from dateparser.timezone_parser import pop_tz_offset_from_string
from dateparser.utils import localize_timezone

DatePath = Literal["iso", "dateparser"]
DateProblem = Literal["missing", "unparsable", "future", "too_old"]
# How much of the instant the page states: a day only, or a clock time to the minute or second.
Precision = Literal["day", "minute", "second"]

# Sources whose strings are machine-readable ISO 8601 (items.py lists every source).
STRUCTURED_SOURCES = frozenset({"jsonld", "meta", "microdata", "time", "fallback"})
LANGUAGES = ["ar", "en"]

_WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
# Bidi and zero-width marks, tatweel and Arabic diacritics carry no date; the Arabic comma
# is a comma. Dropping diacritics turns مساءً into مساء, which the meridiem rule expects.
_INVISIBLE = "\u200b\u200c\u200d\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u0640"
_DIACRITICS = "".join(chr(code) for code in (*range(0x064B, 0x0660), 0x0670))
_TEXT_TABLE = str.maketrans({"\u060c": ",", **dict.fromkeys(_INVISIBLE + _DIACRITICS)})
_SPACES = re.compile(r"\s+")  # \s covers NBSP and the other Unicode spaces

# ص/م after a clock time are a.m./p.m.; lower case because dateparser's Hijri parser
# reads only "am"/"pm".
_MERIDIEM = re.compile(r"(\d{1,2}:\d{2}(?::\d{2})?)\s*(ص|صباحا|م|مساء|مساءا)(?!\w)")
_AM_WORDS = frozenset({"ص", "صباحا"})
# م right after a year marks the Gregorian era (2026م), not p.m.
_GREGORIAN_ERA = re.compile(r"(\d{4})\s*م(?!\w)")

# Levantine and Iraqi month names, which dateparser's "ar" locale does not know.
_LEVANTINE_MONTHS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"), egyptian)
    for pattern, egyptian in (
        (r"كانون\s+(?:ال)?ثاني", "يناير"),
        (r"شباط", "فبراير"),
        (r"[آا]ذار", "مارس"),
        (r"نيسان", "أبريل"),
        (r"[أا]يار", "مايو"),
        (r"حزيران", "يونيو"),
        (r"تموز", "يوليو"),
        (r"[آا]ب", "أغسطس"),
        (r"[أا]يلول", "سبتمبر"),
        (r"تشرين\s+(?:ال)?[أا]ول", "أكتوبر"),
        (r"تشرين\s+(?:ال)?ثاني", "نوفمبر"),
        (r"كانون\s+(?:ال)?[أا]ول", "ديسمبر"),
    )
)
# "فبراير/فبراير" or "فبراير (فبراير)" once the Levantine name is replaced.
_REPEATED_WORD = re.compile(r"(?<!\w)([\u0621-\u064a]+)\s*(?:/\s*\1|\(\s*\1\s*\))(?!\w)")

_HIJRI_MONTH = (
    r"(?:محرم|صفر|ربيع\s+(?:ال)?(?:[أا]ول|ثاني|[آا]خر)"
    r"|جماد[ىي]\s+(?:ال)?(?:[أا]ول[ىي]|[آأا]خر[ةه]|ثاني[ةه])"
    r"|رجب|شعبان|رمضان|شوال|ذ[وي]\s*القعد[ةه]|ذ[وي]\s*الحج[ةه])"
)
# Day, Hijri month, year and the ه(ـ) era mark (tatweel is already gone).
_HIJRI_DATE = re.compile(rf"(?<!\w)(?:\d{{1,2}}\s+)?{_HIJRI_MONTH}\s+\d{{3,4}}\s*ه?(?!\w)")
# "corresponding to": joins a Hijri date to its Gregorian one.
_CORRESPONDING = re.compile(r"(?<!\w)الموافق(?:\s+ل)?(?!\w)")

# The theme's own visible dates, as prepare_text leaves them: "February 7, 2023 at 1:02 am" and
# "الخميس 9 فبراير 2023 - 11:35 am". dateparser reads them in milliseconds (it tries each language's
# dictionary on the string first); these patterns read them in microseconds, and a property test
# (tests/test_dates.py) checks that both give the same date. Any other string goes to dateparser.
_EN_MONTHS = {
    name: number
    for number, name in enumerate(
        ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
         "November", "December"),
        start=1,
    )
}  # fmt: skip
_AR_MONTHS = {
    name: number
    for number, name in enumerate(
        ("يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"),
        start=1,
    )
}
_THEME_DATES = (
    re.compile(
        rf"(?P<month>{'|'.join(_EN_MONTHS)}) (?P<day>\d{{1,2}}), (?P<year>\d{{4}})"
        r" at (?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<half>am|pm)",
        re.ASCII,
    ),
    re.compile(
        r"(?:(?:الأحد|الاثنين|الثلاثاء|الأربعاء|الخميس|الجمعة|السبت) )?"
        rf"(?P<day>\d{{1,2}}) (?P<month>{'|'.join(_AR_MONTHS)}) (?P<year>\d{{4}})"
        r" - (?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<half>am|pm)",
    ),
)
# Page languages for which dateparser reads the theme's dates as the patterns do.
_THEME_DATE_LANGUAGES = frozenset({"", "ar", "en"})

# A clock time in a date string: to the minute, and to the second.
_CLOCK = re.compile(r"\d{1,2}:\d{2}")
_CLOCK_SECONDS = re.compile(r"\d{1,2}:\d{2}:\d{2}")
# Page languages whose day/month order is the default parser's (English month-first for numbers).
_DEFAULT_ORDER_LANGUAGES = frozenset({"", "ar", "en"})
_KNOWN_LANGUAGES = frozenset(language_order)

# Arab Press is a Saudi site: its AST is Arabia Standard Time, not Atlantic.
_ZONE_ABBREVIATIONS = {"AST": timedelta(hours=3)}
_FULL_DATE = frozenset({"year", "month", "day"})
SECONDS_PER_DAY = 86_400


@dataclass(frozen=True, slots=True)
class DateResult:
    """A normalized date, the path that read it, and why it is None when it is."""

    value: datetime | None
    path: DatePath | None
    problem: DateProblem | None
    day: date | None = None  # the calendar day as the string states it, in its own zone
    precision: Precision | None = None


@dataclass(frozen=True, slots=True)
class StatedDate:
    """An instant in UTC with the day and precision the string it was read from states."""

    value: datetime
    day: date
    precision: Precision


def to_western_digits(text: str) -> str:
    """Replace Arabic-Indic and Eastern Arabic (Persian) digits with 0-9."""
    return text.translate(_WESTERN_DIGITS)


def clean_text(text: str) -> str:
    """Drop bidi marks, tatweel and diacritics, use Western digits and single spaces."""
    cleaned = to_western_digits(text.translate(_TEXT_TABLE))
    return _SPACES.sub(" ", cleaned).strip()


def normalize_meridiem(text: str) -> str:
    """Write ص/م (a.m./p.m.) after a clock time as am/pm."""
    return _MERIDIEM.sub(lambda match: f"{match[1]} {'am' if match[2] in _AM_WORDS else 'pm'}", text)


def unify_month_names(text: str) -> str:
    """Replace Levantine month names with Egyptian ones and drop the repeated name."""
    for pattern, egyptian in _LEVANTINE_MONTHS:
        text = pattern.sub(egyptian, text)
    return _REPEATED_WORD.sub(r"\1", text)


def has_hijri_date(text: str) -> bool:
    """Tell whether *text* (cleaned) holds a Hijri date with a year."""
    return _HIJRI_DATE.search(text) is not None


def strip_hijri(text: str) -> str:
    """Remove Hijri dates and the word joining them to a Gregorian one."""
    stripped = _CORRESPONDING.sub(" ", _HIJRI_DATE.sub(" ", text))
    return _SPACES.sub(" ", stripped).strip()


def prepare_text(raw: str) -> str:
    """Normalize a visible date string for dateparser."""
    text = normalize_meridiem(clean_text(raw))
    return unify_month_names(_GREGORIAN_ERA.sub(r"\1", text))


def read_theme_date(text: str, timezone: str) -> datetime | None:
    """Read one of the theme's visible dates in prepared *text* (no offset: *timezone*) in UTC, else None."""
    for pattern in _THEME_DATES:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        months = _EN_MONTHS if pattern is _THEME_DATES[0] else _AR_MONTHS
        hour = int(match["hour"])
        if not 1 <= hour <= 12:
            return None
        try:
            local = datetime(
                int(match["year"]),
                months[match["month"]],
                int(match["day"]),
                hour % 12 + (12 if match["half"] == "pm" else 0),
                int(match["minute"]),
            )
        except ValueError:  # no such day (February 30) or minute
            return None
        # Localized as dateparser localizes a date without an offset (its TIMEZONE setting).
        localized: datetime = localize_timezone(local, timezone)
        return localized.astimezone(UTC)
    return None


def clock_precision(text: str) -> Precision:
    """Return how precise a date string is: "second", "minute" with a clock time, else "day"."""
    if _CLOCK_SECONDS.search(text):
        return "second"
    return "minute" if _CLOCK.search(text) else "day"


def read_iso(raw: str, zone: tzinfo) -> StatedDate | None:
    """Read *raw* as ISO 8601 (no offset: *zone*): the UTC instant and the day as written; None if not ISO."""
    text = raw.strip()
    try:
        value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        # The wall-clock day as written: a date-only value, or a time in the page's own offset.
        return StatedDate(value.astimezone(UTC), value.date(), clock_precision(text))
    except (ValueError, OverflowError):  # not ISO, or out of datetime's range in UTC
        return None


def parse_iso(raw: str, zone: tzinfo) -> datetime | None:
    """Read *raw* as ISO 8601 and return it in UTC (no offset: *zone*); None if not ISO."""
    stated = read_iso(raw, zone)
    return stated.value if stated else None


def date_order(language: str | None) -> str | None:
    """Return the day/month/year order ("DMY", "MDY", "YMD") of a page language tag; None: the default."""
    tag = (language or "").strip().replace("_", "-")
    primary = tag.split("-", 1)[0].lower()
    if primary in _DEFAULT_ORDER_LANGUAGES and tag.lower() in {primary, ""}:
        return None
    for name in (tag, primary):
        try:
            order: str | None = default_loader.get_locale(name).info.get("date_order")
        except (ValueError, KeyError):  # a tag dateparser has no locale for
            continue
        return order
    return None


def order_settings(order: str | None) -> dict[str, Any]:
    """Return the dateparser settings that impose a day/month order (none: the locale's own)."""
    return {} if order is None else {"DATE_ORDER": order, "PREFER_LOCALE_DATE_ORDER": False}


def primary_language(language: str | None) -> str:
    """Return the primary subtag of a page language tag, in lower case ("" for none)."""
    return (language or "").strip().replace("_", "-").split("-", 1)[0].lower()


def parser_languages(language: str | None) -> list[str]:
    """Return dateparser's languages for a page: its own (when dateparser knows it), then Arabic and English."""
    primary = primary_language(language)
    if primary not in _KNOWN_LANGUAGES:
        return list(LANGUAGES)
    return [primary, *(name for name in LANGUAGES if name != primary)]


def parse_hijri(text: str, zone: tzinfo) -> datetime | None:
    """Convert a full Hijri date in prepared *text* (no offset: *zone*) to UTC; None if none."""
    try:
        data = HijriCalendar(text).get_date()
    except OverflowError:  # a year outside the Umm al-Qura tables of hijridate
        return None
    if data is None or data.date_obj is None or not _FULL_DATE.issubset(data.parts):
        return None
    found: datetime = data.date_obj
    return found.replace(tzinfo=zone).astimezone(UTC)


class DateNormalizer:
    """Normalize raw article dates to aware UTC datetimes and reject implausible ones."""

    def __init__(self, timezone: str, future_tolerance: timedelta, min_year: int, *, cache_size: int = 4096) -> None:
        self.zone = ZoneInfo(timezone)
        self.future_tolerance = future_tolerance
        self.earliest = datetime(min_year, 1, 1, tzinfo=self.zone)
        self._common: dict[str, Any] = {
            "TIMEZONE": timezone,
            "TO_TIMEZONE": "UTC",
            "RETURN_AS_TIMEZONE_AWARE": True,
            "TIMEZONE_ABBREVIATIONS": _ZONE_ABBREVIATIONS,
            "IGNORE_SURROUNDING_TEXT": True,  # "Published on ...", "نشر في ..."
        }
        # Absolute parsers by page language (dateparser languages and date order), built once each.
        self._absolute_parsers: dict[tuple[tuple[str, ...], str | None], DateDataParser] = {}
        # A full date does not depend on the reference, so its result can be cached.
        self._parse_absolute = functools.lru_cache(maxsize=cache_size)(self._parse_absolute_uncached)

    def normalize(
        self, raw: str | None, source: str | None, reference: datetime, language: str | None = None
    ) -> DateResult:
        """Return the UTC datetime of *raw* read as its *source* and page *language* call for, checked."""
        if reference.tzinfo is None:
            raise ValueError(f"reference must be timezone-aware, got {reference!r}")
        if raw is None or not raw.strip():
            return DateResult(None, None, "missing")
        path: DatePath = "iso"
        stated = read_iso(raw, self.zone) if source in STRUCTURED_SOURCES else None
        if stated is None:
            path = "dateparser"
            stated = self.read_text(raw, reference, language)
        if stated is None:
            return DateResult(None, path, "unparsable")
        problem = self.implausibility(stated.value, reference)
        if problem is not None:
            return DateResult(None, path, problem)
        return DateResult(stated.value, path, None, stated.day, stated.precision)

    def parse_text(self, raw: str, reference: datetime, language: str | None = None) -> datetime | None:
        """Read a visible date string with dateparser; relative dates count from *reference*."""
        stated = self.read_text(raw, reference, language)
        return stated.value if stated else None

    def read_text(self, raw: str, reference: datetime, language: str | None = None) -> StatedDate | None:
        """Read a visible date string: the UTC instant, the day it states and its precision."""
        text = prepare_text(raw)
        if not text:
            return None
        if primary_language(language) in _THEME_DATE_LANGUAGES:
            value = read_theme_date(text, self.zone.key)
            if value is not None:
                # The patterns name no zone: the day is the site's.
                return StatedDate(value, value.astimezone(self.zone).date(), "minute")
        return self.read_text_with_dateparser(text, reference, language)

    def read_text_with_dateparser(self, text: str, reference: datetime, language: str | None) -> StatedDate | None:
        """Read a prepared visible date string with dateparser."""
        languages, order = tuple(parser_languages(language)), date_order(language)
        value = self._parse_absolute(text, languages, order)
        precision = clock_precision(text)
        if value is None and not has_hijri_date(text):
            value = self._parse_relative(text, reference, languages, order)
            if value is not None and precision == "day" and not self._is_whole_day(value, reference):
                precision = "minute"  # "3 hours ago": a time of day, not a day
        if value is None:
            return None
        return StatedDate(value, value.astimezone(self._stated_zone(text)).date(), precision)

    def implausibility(self, value: datetime, reference: datetime) -> DateProblem | None:
        """Say why *value* cannot be an article date fetched at *reference*, or None."""
        if value > reference + self.future_tolerance:
            return "future"
        if value < self.earliest:
            return "too_old"
        return None

    def _stated_zone(self, text: str) -> tzinfo:
        """Return the zone *text* names ("PST", "GMT+2"), else the site's zone."""
        named = pop_tz_offset_from_string(text)[1]
        if named is None:
            return self.zone
        abbreviation = named.tzname(None)
        own = _ZONE_ABBREVIATIONS.get(abbreviation) if abbreviation else None
        return timezone(own) if own is not None else named

    def _is_whole_day(self, value: datetime, reference: datetime) -> bool:
        """Tell whether a relative date is a day: local midnight, or whole days before *reference*."""
        local = value.astimezone(self.zone)
        # To the second: a sub-second difference from the reference never makes a day a time.
        return local.time() == time() or round((reference - value).total_seconds()) % SECONDS_PER_DAY == 0

    def _absolute_parser(self, languages: tuple[str, ...], order: str | None) -> DateDataParser:
        """Return the full-date parser for a page's languages and day/month order."""
        key = (languages, order)
        parser = self._absolute_parsers.get(key)
        if parser is None:
            settings = {**self._common, "PARSERS": ["absolute-time"], "REQUIRE_PARTS": ["day", "month", "year"]}
            parser = DateDataParser(languages=list(languages), settings={**settings, **order_settings(order)})
            self._absolute_parsers[key] = parser
        return parser

    def _parse_absolute_uncached(self, text: str, languages: tuple[str, ...], order: str | None) -> datetime | None:
        """Read a full date from prepared *text*: the Gregorian one, else the Hijri one."""
        parser = self._absolute_parser(languages, order)
        if has_hijri_date(text):
            return self._parse_with(parser, strip_hijri(text)) or parse_hijri(text, self.zone)
        return self._parse_with(parser, text)

    def _parse_relative(
        self, text: str, reference: datetime, languages: tuple[str, ...], order: str | None
    ) -> datetime | None:
        """Read prepared *text* against *reference* (a parser costs microseconds; parsing, milliseconds)."""
        # Relative dates and dates without a year are read against the reference,
        # which dateparser takes only as a setting.
        settings = {
            **self._common,
            "PARSERS": ["relative-time", "absolute-time"],
            "REQUIRE_PARTS": ["day", "month"],
            "PREFER_DATES_FROM": "past",
            "RELATIVE_BASE": reference.astimezone(self.zone).replace(tzinfo=None),
        }
        parser = DateDataParser(languages=list(languages), settings={**settings, **order_settings(order)})
        return self._parse_with(parser, text)

    @staticmethod
    def _parse_with(parser: DateDataParser, text: str) -> datetime | None:
        """Return what *parser* reads in *text*, in UTC, or None."""
        if not text:
            return None
        found: datetime | None = parser.get_date_data(text).date_obj
        return None if found is None else found.astimezone(UTC)

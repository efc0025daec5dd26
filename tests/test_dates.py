"""Date normalization: ISO from structured data, dateparser for visible Arabic and English text."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from arabpress.dates import (
    DateNormalizer,
    clean_text,
    date_order,
    has_hijri_date,
    normalize_meridiem,
    parse_iso,
    prepare_text,
    read_theme_date,
    strip_hijri,
    to_western_digits,
    unify_month_names,
)
from benchmarks.make_site import AR_MONTHS, AR_WEEKDAYS, EN_MONTHS

RIYADH = ZoneInfo("Asia/Riyadh")  # UTC+3 all year
# The day the sample site was served (its masthead): Monday 2 February 2026.
REFERENCE = datetime(2026, 2, 2, 12, 0, tzinfo=UTC)
PROPERTY_PAGE_DATE = "الاثنين 14 شعبان 1447هـ الموافق 2 شباط/فبراير 2026 - 10:30"


# The normalizer as the project configures it by default.
NORMALIZER = DateNormalizer("Asia/Riyadh", timedelta(days=1), 1990)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def normalizer() -> DateNormalizer:
    """The default normalizer, shared: its cache is part of what is tested."""
    return NORMALIZER


# --- text helpers -------------------------------------------------------------------


def test_to_western_digits_reads_arabic_indic_and_persian_digits() -> None:
    assert to_western_digits("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert to_western_digits("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert to_western_digits("٢٠٢٦ and 2026") == "2026 and 2026"


@given(st.integers(min_value=0, max_value=10**9), st.sampled_from(["٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"]))
def test_to_western_digits_round_trips_any_number(number: int, digits: str) -> None:
    written = "".join(digits[int(digit)] for digit in str(number))
    assert int(to_western_digits(written)) == number


def test_clean_text_drops_marks_tatweel_and_diacritics() -> None:
    raw = "\u200fالأحد\u00a0١ فبـــراير\u200e ٢٠٢٦ \u202f- ٠٩:٤٥ مساءً\ufeff"
    assert clean_text(raw) == "الأحد 1 فبراير 2026 - 09:45 مساء"


def test_clean_text_turns_the_arabic_comma_into_a_comma() -> None:
    assert clean_text("الاثنين، 2 فبراير 2026") == "الاثنين, 2 فبراير 2026"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 فبراير 2026 - 09:45 م", "1 فبراير 2026 - 09:45 pm"),
        ("1 فبراير 2026 - 09:45م", "1 فبراير 2026 - 09:45 pm"),
        ("1 فبراير 2026 - 09:45 ص", "1 فبراير 2026 - 09:45 am"),
        ("1 فبراير 2026 9:45:10 صباحا", "1 فبراير 2026 9:45:10 am"),
        ("1 فبراير 2026 9:45 مساء", "1 فبراير 2026 9:45 pm"),
        # م after a year is the Gregorian era, not p.m.
        ("1 فبراير 2026م", "1 فبراير 2026م"),
    ],
)
def test_normalize_meridiem(text: str, expected: str) -> None:
    assert normalize_meridiem(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2 شباط/فبراير 2026", "2 فبراير 2026"),
        ("2 شباط (فبراير) 2026", "2 فبراير 2026"),
        ("2 فبراير/شباط 2026", "2 فبراير 2026"),
        ("5 كانون الثاني 2026", "5 يناير 2026"),
        ("5 كانون الأول 2025", "5 ديسمبر 2025"),
        ("5 تشرين الاول 2025", "5 أكتوبر 2025"),
        ("5 تشرين الثاني 2025", "5 نوفمبر 2025"),
        ("5 آب 2025", "5 أغسطس 2025"),
        ("5 أيلول 2025", "5 سبتمبر 2025"),
    ],
)
def test_unify_month_names(text: str, expected: str) -> None:
    assert unify_month_names(text) == expected


def test_strip_hijri_keeps_the_gregorian_date() -> None:
    cleaned = clean_text(PROPERTY_PAGE_DATE)
    assert has_hijri_date(cleaned)
    assert strip_hijri(cleaned) == "الاثنين 2 شباط/فبراير 2026 - 10:30"


def test_has_hijri_date_ignores_gregorian_dates() -> None:
    assert not has_hijri_date(prepare_text("الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م"))
    assert has_hijri_date(prepare_text("12 ربيع الأول 1447 هـ"))
    assert has_hijri_date(prepare_text("1 ذو الحجة 1446"))


# --- ISO path -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-01-24T18:05:00Z", utc(2026, 1, 24, 18, 5)),
        ("2026-01-28T16:15:00+03:00", utc(2026, 1, 28, 13, 15)),
        ("2026-01-28T16:15:00+05:30", utc(2026, 1, 28, 10, 45)),
        ("2026-01-31T12:00:00.250-05:00", datetime(2026, 1, 31, 17, 0, 0, 250000, tzinfo=UTC)),
        # No offset: the site's time zone.
        ("2026-01-31T12:00:00", utc(2026, 1, 31, 9, 0)),
        ("2026-01-31", utc(2026, 1, 30, 21, 0)),
        (" 2026-01-24T18:05:00Z\n", utc(2026, 1, 24, 18, 5)),
    ],
)
def test_parse_iso(raw: str, expected: datetime) -> None:
    value = parse_iso(raw, RIYADH)
    assert value == expected
    assert value is not None
    assert value.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "raw", ["January 28, 2026", "", "2026-13-01T00:00:00Z", "الأحد 1 فبراير 2026", "0001-01-01T00:00:00"]
)
def test_parse_iso_returns_none_for_non_iso(raw: str) -> None:
    assert parse_iso(raw, RIYADH) is None


@pytest.mark.parametrize("source", ["jsonld", "meta", "microdata", "time"])
def test_structured_iso_strings_take_the_iso_path(normalizer: DateNormalizer, source: str) -> None:
    result = normalizer.normalize("2026-01-28T16:15:00+03:00", source, REFERENCE)
    assert result.value == utc(2026, 1, 28, 13, 15)
    assert result.path == "iso"
    assert result.problem is None


def test_structured_string_that_is_not_iso_falls_back_to_dateparser(normalizer: DateNormalizer) -> None:
    result = normalizer.normalize("January 28, 2026 4:15 pm", "meta", REFERENCE)
    assert result.value == utc(2026, 1, 28, 13, 15)
    assert result.path == "dateparser"


def test_visible_text_goes_to_dateparser_even_when_iso(normalizer: DateNormalizer) -> None:
    result = normalizer.normalize("2026-01-28T16:15:00+03:00", "text", REFERENCE)
    assert result.value == utc(2026, 1, 28, 13, 15)
    assert result.path == "dateparser"


@given(st.datetimes(min_value=datetime(1990, 1, 2), max_value=datetime(2026, 2, 1), timezones=st.just(UTC)))
def test_any_plausible_iso_date_round_trips_on_the_iso_path(value: datetime) -> None:
    result = NORMALIZER.normalize(value.astimezone(RIYADH).isoformat(), "jsonld", REFERENCE)
    assert (result.value, result.path, result.problem) == (value, "iso", None)


# --- visible text -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # Arabic-Indic digits and م for p.m.: 21:45 in Riyadh.
        ("الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م", utc(2026, 2, 1, 18, 45)),
        ("الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ ص", utc(2026, 2, 1, 6, 45)),
        ("الأحد ۱ فبراير ۲۰۲۶ - ۰۹:۴۵ م", utc(2026, 2, 1, 18, 45)),
        ("\u200fالأحد\u00a0١ فبـــراير ٢٠٢٦ - ٠٩:٤٥ مساءً", utc(2026, 2, 1, 18, 45)),
        # Hijri date beside the Gregorian one, with a Levantine month name: the Gregorian wins.
        (PROPERTY_PAGE_DATE, utc(2026, 2, 2, 7, 30)),
        # A sighted Hijri date can be a day off the Umm al-Qura tables (15 Sha'ban = 3 February).
        ("15 شعبان 1447 هـ الموافق 2 فبراير 2026", utc(2026, 2, 1, 21, 0)),
        ("2 كانون الثاني 2026", utc(2026, 1, 1, 21, 0)),
        ("الاثنين، 2 فبراير 2026م", utc(2026, 2, 1, 21, 0)),
        ("نشر في 2 فبراير 2026", utc(2026, 2, 1, 21, 0)),
        # English.
        ("January 28, 2026 at 4:15 pm", utc(2026, 1, 28, 13, 15)),
        ("Jan 24, 2026", utc(2026, 1, 23, 21, 0)),
        ("Published on January 28, 2026", utc(2026, 1, 27, 21, 0)),
        ("Monday, Feb 02, 2026 12:30 AST", utc(2026, 2, 2, 9, 30)),  # Arabia Standard Time
        ("Feb 2, 2026 10:30 GMT", utc(2026, 2, 2, 10, 30)),
        # No year: the last such day before the reference.
        ("Jan 24", utc(2026, 1, 23, 21, 0)),
        ("24 يناير", utc(2026, 1, 23, 21, 0)),
        # Hijri only, converted: the property page states 14 Sha'ban 1447 = 2 February 2026.
        ("الاثنين 14 شعبان 1447هـ", utc(2026, 2, 1, 21, 0)),
        ("الاثنين 14 شعبان 1447هـ - 10:30", utc(2026, 2, 2, 7, 30)),
        ("١٤ شعبان ١٤٤٧ هـ - ١٠:٣٠ م", utc(2026, 2, 2, 19, 30)),
    ],
)
def test_visible_text_dates(normalizer: DateNormalizer, raw: str, expected: datetime) -> None:
    result = normalizer.normalize(raw, "text", REFERENCE)
    assert result.value == expected
    assert result.path == "dateparser"
    assert result.problem is None


@pytest.mark.parametrize(
    ("raw", "before_reference"),
    [
        ("منذ 3 ساعات", timedelta(hours=3)),
        ("قبل ٣ ساعات", timedelta(hours=3)),
        ("منذ ساعتين", timedelta(hours=2)),
        ("2 hours ago", timedelta(hours=2)),
        ("Posted 5 minutes ago", timedelta(minutes=5)),
        ("قبل يومين", timedelta(days=2)),
        ("yesterday", timedelta(days=1)),
        ("أمس", timedelta(days=1)),
    ],
)
def test_relative_dates_count_from_the_reference(
    normalizer: DateNormalizer, raw: str, before_reference: timedelta
) -> None:
    for reference in (REFERENCE, REFERENCE + timedelta(days=40, minutes=7)):
        result = normalizer.normalize(raw, "text", reference)
        assert result.value == reference - before_reference
        assert result.path == "dateparser"


def test_relative_day_with_a_time_is_a_day_of_the_site(normalizer: DateNormalizer) -> None:
    # 22:00 UTC on 2 February is already 01:00 on 3 February in Riyadh.
    result = normalizer.normalize("yesterday at 10:30", "text", utc(2026, 2, 2, 22, 0))
    assert result.value == utc(2026, 2, 2, 7, 30)


def test_absolute_text_does_not_depend_on_the_reference(normalizer: DateNormalizer) -> None:
    first = normalizer.normalize("Jan 24, 2026", "text", REFERENCE)
    later = normalizer.normalize("Jan 24, 2026", "text", REFERENCE + timedelta(days=300))
    assert first.value == later.value == utc(2026, 1, 23, 21, 0)


# --- time zones ---------------------------------------------------------------------


def test_dates_without_a_zone_use_the_configured_site_zone() -> None:
    cairo = DateNormalizer("Africa/Cairo", timedelta(days=1), 1990)
    summer_reference = utc(2025, 8, 1, 12, 0)
    # Egypt is UTC+2 in winter and UTC+3 in summer (daylight saving time).
    assert cairo.normalize("2026-01-31T12:00:00", "meta", REFERENCE).value == utc(2026, 1, 31, 10, 0)
    assert cairo.normalize("2025-07-01T12:00:00", "meta", summer_reference).value == utc(2025, 7, 1, 9, 0)
    assert cairo.normalize("1 فبراير 2026 - 09:45 م", "text", REFERENCE).value == utc(2026, 2, 1, 19, 45)
    # An explicit offset wins over the site zone.
    assert cairo.normalize("2026-01-31T12:00:00+03:00", "meta", REFERENCE).value == utc(2026, 1, 31, 9, 0)


def test_results_are_utc(normalizer: DateNormalizer) -> None:
    for raw, source in [("2026-01-28T16:15:00+03:00", "jsonld"), ("Jan 24, 2026", "text"), ("منذ 3 ساعات", "text")]:
        value = normalizer.normalize(raw, source, REFERENCE).value
        assert value is not None
        assert value.tzinfo is UTC


def test_reference_must_be_aware(normalizer: DateNormalizer) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        normalizer.normalize("2026-01-28T16:15:00+03:00", "jsonld", datetime(2026, 2, 2, 12, 0))


# --- failures -----------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "source"), [(None, None), ("", "text"), ("   \u00a0", "jsonld"), (None, "jsonld")])
def test_missing_dates(normalizer: DateNormalizer, raw: str | None, source: str | None) -> None:
    result = normalizer.normalize(raw, source, REFERENCE)
    assert (result.value, result.path, result.problem) == (None, None, "missing")


@pytest.mark.parametrize(
    ("raw", "source"),
    [
        ("garbage text", "text"),
        ("نص عشوائي بلا تاريخ", "text"),
        ("not a date", "jsonld"),
        ("الاثنين - 10:30", "text"),  # a weekday is not a date
        ("14 شعبان 1300", "text"),  # before the Umm al-Qura tables
    ],
)
def test_unparsable_dates(normalizer: DateNormalizer, raw: str, source: str) -> None:
    result = normalizer.normalize(raw, source, REFERENCE)
    assert (result.value, result.path, result.problem) == (None, "dateparser", "unparsable")


@pytest.mark.parametrize(
    ("raw", "source", "path"),
    [
        ("2026-02-10T09:00:00Z", "jsonld", "iso"),
        ("10 فبراير 2026", "text", "dateparser"),
        ("February 10, 2026", "text", "dateparser"),
    ],
)
def test_future_dates_are_rejected(normalizer: DateNormalizer, raw: str, source: str, path: str) -> None:
    result = normalizer.normalize(raw, source, REFERENCE)
    assert (result.value, result.path, result.problem) == (None, path, "future")


def test_future_tolerance_is_the_limit(normalizer: DateNormalizer) -> None:
    at_limit = (REFERENCE + timedelta(days=1)).isoformat()
    past_limit = (REFERENCE + timedelta(days=1, seconds=1)).isoformat()
    assert normalizer.normalize(at_limit, "jsonld", REFERENCE).value == REFERENCE + timedelta(days=1)
    assert normalizer.normalize(past_limit, "jsonld", REFERENCE).problem == "future"


@pytest.mark.parametrize(
    ("raw", "source"),
    [("1989-12-31T12:00:00Z", "jsonld"), ("31 ديسمبر 1989", "text"), ("June 4, 1989", "text")],
)
def test_dates_before_the_minimum_year_are_rejected(normalizer: DateNormalizer, raw: str, source: str) -> None:
    result = normalizer.normalize(raw, source, REFERENCE)
    assert result.value is None
    assert result.problem == "too_old"


def test_minimum_year_starts_in_the_site_zone(normalizer: DateNormalizer) -> None:
    assert normalizer.normalize("1990-01-01T00:00:00+03:00", "jsonld", REFERENCE).problem is None
    assert normalizer.normalize("1989-12-31T23:59:00+03:00", "jsonld", REFERENCE).problem == "too_old"


# --- the day as the page states it, and the precision -------------------------------------


@given(
    st.dates(min_value=date(1990, 1, 2), max_value=date(2026, 2, 1)),
    st.sampled_from(["Asia/Riyadh", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"]),
)
def test_a_date_only_value_is_never_moved_to_another_day(day: date, zone: str) -> None:
    result = DateNormalizer(zone, timedelta(days=1), 1990).normalize(day.isoformat(), "jsonld", REFERENCE)
    assert (result.day, result.precision) == (day, "day")


@pytest.mark.parametrize(
    ("raw", "source", "day", "precision"),
    [
        # The wall-clock day in the offset written, not the UTC day (4 and 3 November in UTC).
        ("2023-11-03T22:28:35-05:00", "meta", date(2023, 11, 3), "second"),
        ("2023-11-04T00:39+01:00", "meta", date(2023, 11, 4), "minute"),
        ("2023-11-04T03:28:35.120Z", "meta", date(2023, 11, 4), "second"),
        ("2023-11-04T10:00:00", "meta", date(2023, 11, 4), "second"),
        # 10:35 p.m. in California is already 9 November in Riyadh: the page states the 8th.
        ("Nov 8, 2023 / 10:35 PM PST", "text", date(2023, 11, 8), "minute"),
        ("الأحد ١ فبراير ٢٠٢٦ - ٠٩:٤٥ م", "text", date(2026, 2, 1), "minute"),
        ("Jan 24, 2026", "text", date(2026, 1, 24), "day"),
        ("24 يناير", "text", date(2026, 1, 24), "day"),
        ("الاثنين 14 شعبان 1447هـ", "text", date(2026, 2, 2), "day"),
        (PROPERTY_PAGE_DATE, "text", date(2026, 2, 2), "minute"),
        ("Feb 2, 2026 10:30:15 GMT", "text", date(2026, 2, 2), "second"),
    ],
)
def test_values_state_their_own_day(
    normalizer: DateNormalizer, raw: str, source: str, day: date, precision: str
) -> None:
    result = normalizer.normalize(raw, source, REFERENCE)
    assert (result.day, result.precision) == (day, precision)


def test_relative_dates_are_days_or_times(normalizer: DateNormalizer) -> None:
    hours = normalizer.normalize("منذ 3 ساعات", "text", REFERENCE)
    yesterday = normalizer.normalize("yesterday", "text", REFERENCE)
    assert (hours.day, hours.precision) == (date(2026, 2, 2), "minute")
    assert (yesterday.day, yesterday.precision) == (date(2026, 2, 1), "day")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", date(2023, 11, 1)),
        ("fr-FR", date(2023, 11, 1)),
        ("en-GB", date(2023, 11, 1)),
        ("en-US", date(2023, 1, 11)),
        ("en", date(2023, 1, 11)),
        (None, date(2023, 1, 11)),
    ],
)
def test_day_and_month_order_follows_the_page_language(
    normalizer: DateNormalizer, language: str | None, expected: date
) -> None:
    result = normalizer.normalize("01-11-2023", "text", REFERENCE, language)
    assert result.day == expected


def test_month_names_of_the_page_language(normalizer: DateNormalizer) -> None:
    assert normalizer.normalize("3. Februar 2022, 14:05 Uhr", "text", REFERENCE, "de-DE").day == date(2022, 2, 3)
    assert normalizer.normalize("27 juin 2019", "text", REFERENCE, "fr").day == date(2019, 6, 27)
    # The site's own languages still read on a page in another one.
    assert normalizer.normalize("2 فبراير 2026", "text", REFERENCE, "de").day == date(2026, 2, 2)


@pytest.mark.parametrize(("language", "order"), [("de", "DMY"), ("en-US", "MDY"), ("zh-CN", "YMD"), ("xx", None)])
def test_date_order(language: str, order: str | None) -> None:
    assert date_order(language) == order


def test_unreadable_dates_have_no_day(normalizer: DateNormalizer) -> None:
    assert normalizer.normalize("not a date", "text", REFERENCE).day is None
    assert normalizer.normalize("2099-01-01", "jsonld", REFERENCE).day is None


def test_relative_days_stay_days_when_the_reference_has_microseconds(normalizer: DateNormalizer) -> None:
    reference = REFERENCE + timedelta(microseconds=654_321)
    assert normalizer.normalize("yesterday", "text", reference).precision == "day"
    assert normalizer.normalize("2 hours ago", "text", reference).precision == "minute"


# The theme's visible dates, in the names benchmarks/make_site.py writes them with.
THEME_ZONES = ("Asia/Riyadh", "UTC", "Europe/London", "America/New_York", "Asia/Beirut", "America/Sao_Paulo")
THEME_LANGUAGES = (None, "", "en", "en-US", "EN_gb", "ar", "ar-SA")
_NORMALIZERS: dict[str, DateNormalizer] = {}


def zone_normalizer(zone: str) -> DateNormalizer:
    """Return a normalizer for the site zone *zone* (built once: its parsers are reused)."""
    if zone not in _NORMALIZERS:
        _NORMALIZERS[zone] = DateNormalizer(zone, timedelta(days=1), 1990)
    return _NORMALIZERS[zone]


@st.composite
def theme_dates(draw: st.DrawFn) -> str:
    """Return a visible date as the theme writes it, English or Arabic, now and then slightly off."""
    year = draw(st.integers(1990, 2099))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 31))  # 30 February and the like are dateparser's to refuse
    hour = draw(st.integers(0, 13))  # 0 and 13 are no 12-hour clock's
    minute = draw(st.integers(0, 59))
    pm = draw(st.booleans())
    if draw(st.booleans()):
        return f"{EN_MONTHS[month - 1]} {day}, {year} at {hour}:{minute:02d} {'pm' if pm else 'am'}"
    weekday = draw(st.sampled_from(["", *(f"{name} " for name in AR_WEEKDAYS)]))
    text = f"{weekday}{day} {AR_MONTHS[month - 1]} {year} - {hour:02d}:{minute:02d} {'م' if pm else 'ص'}"
    return text.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")) if draw(st.booleans()) else text


@settings(max_examples=300, deadline=None)
@given(theme_dates(), st.sampled_from(THEME_ZONES), st.sampled_from(THEME_LANGUAGES))
def test_theme_dates_read_without_dateparser_as_dateparser_reads_them(
    raw: str, zone: str, language: str | None
) -> None:
    normalizer = zone_normalizer(zone)
    text = prepare_text(raw)
    fast = read_theme_date(text, zone)
    plain = normalizer.read_text_with_dateparser(text, REFERENCE, language)
    if fast is None:
        # Only a date no clock or calendar has is left to dateparser.
        assert plain is None or not re.search(r" (?:[1-9]|1[0-2]):", text)
        return
    assert plain is not None
    assert normalizer.read_text(raw, REFERENCE, language) == plain
    assert fast == plain.value


@pytest.mark.parametrize(
    "raw",
    ["February 7, 2023 at 1:02 am", "الخميس ٩ فبراير ٢٠٢٣ - ١١:٣٥ ص", "December 31, 2025 at 12:30 pm"],
)
def test_the_theme_dates_take_the_short_path(raw: str) -> None:
    assert read_theme_date(prepare_text(raw), "Asia/Riyadh") is not None

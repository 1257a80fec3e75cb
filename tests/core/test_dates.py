"""Dates as people type them (bot.core.dates): the examples organizers use, in English and
Russian, and properties for anything typed (hypothesis)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import (
    STRICT_FORMATS,
    names_a_day_only,
    parse_clock,
    parse_local,
    split_leading_time,
)

# Saturday 21 November 2026, noon (the tests' FixedClock), as the venue's wall time.
NOW = datetime(2026, 11, 21, 12, 0)
SAT_NEXT = datetime(2026, 11, 28, 19, 0)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("2027-03-29 18:00", datetime(2027, 3, 29, 18, 0)),
        ("29.03.2027 18:00", datetime(2027, 3, 29, 18, 0)),
        ("tomorrow 18:00", datetime(2026, 11, 22, 18, 0)),
        ("Sat 19:00", SAT_NEXT),
        ("saturday 7pm", SAT_NEXT),
        ("29 March 18:00", datetime(2027, 3, 29, 18, 0)),
        ("завтра 18:00", datetime(2026, 11, 22, 18, 0)),
        ("29 марта 18:00", datetime(2027, 3, 29, 18, 0)),
        ("в субботу 19:00", SAT_NEXT),
        ("сб 19:00", SAT_NEXT),
        # The day first, whatever the language: 05.12.2026 is 5 December.
        ("05.12.2026 18:30", datetime(2026, 12, 5, 18, 30)),
        ("5 декабря 18:30", datetime(2026, 12, 5, 18, 30)),
    ],
)
def test_the_dates_organizers_type_are_read(typed: str, meant: datetime) -> None:
    assert parse_local(typed, NOW) == meant


@pytest.mark.parametrize("typed", ["saturday", "29 марта", "tomorrow", "next friday"])
def test_a_day_without_a_time_is_not_a_time_but_is_recognized_as_a_day(typed: str) -> None:
    assert parse_local(typed, NOW) is None
    assert names_a_day_only(typed, NOW)


@pytest.mark.parametrize("typed", ["whenever", "Rally at the embassy", ""])
def test_words_that_are_no_date_are_not_a_day_either(typed: str) -> None:
    assert parse_local(typed, NOW) is None
    assert not names_a_day_only(typed, NOW)


def test_a_clock_time_alone() -> None:
    assert parse_clock("20:00") == time(20, 0)
    assert parse_clock("8pm") == time(20, 0)
    assert parse_clock("9.30") == time(9, 30)
    assert parse_clock("25:00") is None
    assert parse_clock("2026-12-05 20:00") is None


@pytest.mark.parametrize(
    "text",
    ["Rally at the embassy on Saturday", "3 buses leave from the station", "Saturday rally"],
)
def test_a_text_that_merely_mentions_a_day_stays_text(text: str) -> None:
    assert split_leading_time(text, NOW) == (None, text)


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("at 18:30 Rally at the embassy", datetime(2026, 11, 21, 18, 30)),
        ("18:30 Rally at the embassy", datetime(2026, 11, 21, 18, 30)),
        ("2026-12-01 18:30 Rally at the embassy", datetime(2026, 12, 1, 18, 30)),
        # The README's example, one word.
        ("2026-12-01T18:30 Rally at the embassy", datetime(2026, 12, 1, 18, 30)),
        ("on saturday 7pm Rally at the embassy", datetime(2026, 11, 28, 19, 0)),
        ("tomorrow 18:00 Rally at the embassy", datetime(2026, 11, 22, 18, 0)),
        ("now Rally at the embassy", None),
    ],
)
def test_a_leading_time_is_split_off(text: str, when: datetime | None) -> None:
    assert split_leading_time(text, NOW) == (when, "Rally at the embassy")


def test_the_rest_keeps_its_lines_and_a_russian_time_is_split_off_too() -> None:
    text = "завтра в 18:00 Митинг у посольства\nПодписать | https://example.org"
    when, rest = split_leading_time(text, NOW)
    assert when == datetime(2026, 11, 22, 18, 0)
    assert rest == "Митинг у посольства\nПодписать | https://example.org"


# Two-digit years (%y) read 69-99 as the 1900s, so the moments stay within 2000-2068.
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2068, 12, 31)).map(
    lambda m: m.replace(second=0, microsecond=0)
)


@given(MOMENTS, st.sampled_from(STRICT_FORMATS))
def test_any_moment_in_a_strict_format_reads_back(moment: datetime, pattern: str) -> None:
    assert parse_local(moment.strftime(pattern), NOW) == moment


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120), MOMENTS)
def test_arbitrary_text_never_raises(text: str, now: datetime) -> None:
    result = parse_local(text, now)
    assert result is None or isinstance(result, datetime)
    when, rest = split_leading_time(text, now)
    assert when is None or isinstance(when, datetime)
    assert rest in text


WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS_RU = ["понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
CLOCKS = st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}")
RELATIVE = st.one_of(
    CLOCKS,
    CLOCKS.map(lambda c: f"tomorrow {c}"),
    CLOCKS.map(lambda c: f"завтра {c}"),
    st.tuples(st.sampled_from(WEEKDAYS + WEEKDAYS_RU), CLOCKS).map(" ".join),
    st.tuples(st.integers(1, 28), st.sampled_from(MONTHS), CLOCKS).map(
        lambda p: f"{p[0]} {p[1]} {p[2]}"
    ),
)


@settings(max_examples=300, deadline=None)
@given(RELATIVE, MOMENTS)
def test_a_relative_date_is_never_before_the_base(typed: str, now: datetime) -> None:
    when = parse_local(typed, now)
    assert when is not None, typed
    # A weekday or a time of day that is now: dateparser may mean this very minute.
    assert when >= now - timedelta(minutes=1), (typed, now, when)

"""Time zones as people type them: offsets, every IANA name, cities in English and Russian."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from babel.dates import get_timezone_location
from hypothesis import example, given
from hypothesis import strategies as st

from bot.core.timezones import (
    WELL_KNOWN,
    canonical_zone,
    fold,
    place_zones,
    resolve_zone,
    suggest_zones,
    zone_display,
    zones_at_offset,
    zones_containing,
)

WINTER = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
SUMMER = datetime(2027, 7, 1, 12, 0, tzinfo=UTC)


@st.composite
def written_offsets(draw: st.DrawFn) -> tuple[str, int]:
    """(an offset as someone may write it, its hours): UTC+3, utc +03:00, +0300, GMT−5, -5 ..."""
    hours = draw(st.integers(min_value=-12, max_value=14).filter(bool))
    prefix = draw(st.sampled_from(["", "UTC", "utc", "GMT", "Gmt"]))
    sign = "+" if hours > 0 else draw(st.sampled_from(["-", "\u2212", "\u2013"]))
    digits = draw(st.sampled_from([str(abs(hours)), f"{abs(hours):02d}"]))
    minutes = draw(st.sampled_from(["", ":00", "00"])) if len(digits) == 2 else ""
    space = draw(st.sampled_from(["", " "]))
    return f"{prefix}{space}{sign}{space}{digits}{minutes}", hours


@given(written_offsets())
@example(("UTC+3", 3))
@example(("UTC+03:00", 3))
@example(("+3", 3))
@example(("-5", -5))
@example(("GMT-5", -5))
@example(("UTC\u22125", -5))
@example(("UTC+14", 14))
@example(("UTC-12", -12))
def test_every_whole_hour_offset_is_the_fixed_zone_with_that_offset(
    written_hours: tuple[str, int],
) -> None:
    written, hours = written_hours
    zone = resolve_zone(written)
    assert zone is not None, written
    # Etc names invert the sign: UTC+3 is Etc/GMT-3. Checked against zoneinfo, not the name.
    assert zone.startswith("Etc/GMT")
    for moment in (WINTER, SUMMER):
        assert moment.astimezone(ZoneInfo(zone)).utcoffset() == timedelta(hours=hours)


def test_utc_plus_3_is_etc_gmt_minus_3_and_zero_is_utc() -> None:
    assert resolve_zone("UTC+3") == "Etc/GMT-3"
    assert resolve_zone("GMT-5") == "Etc/GMT+5"
    assert resolve_zone("Etc/GMT-3") == "Etc/GMT-3"
    assert resolve_zone("+0") == resolve_zone("UTC-00:00") == "UTC"


@given(st.integers(min_value=-12, max_value=14).filter(bool))
def test_a_fixed_zone_is_shown_as_the_offset_people_wrote(hours: int) -> None:
    """Etc/GMT-3 reads as minus 3 but is UTC+3: next to a time it is shown as UTC+3."""
    zone = resolve_zone(f"UTC{hours:+d}")
    assert zone is not None
    assert zone_display(zone) == f"UTC{hours:+d}"
    assert zone_display("Europe/Berlin") == "Europe/Berlin"


@pytest.mark.parametrize("written", ["UTC+15", "-13", "+25:00", "UTC+3:75"])
def test_offsets_no_clock_has_are_refused(written: str) -> None:
    assert resolve_zone(written) is None


@pytest.mark.parametrize(
    ("written", "minutes", "place"),
    [("+05:30", 330, "Asia/Kolkata"), ("UTC+5:45", 345, "Asia/Kathmandu"), ("+0330", 210, None)],
)
def test_an_offset_with_minutes_has_no_fixed_zone_and_suggests_places_on_it(
    written: str, minutes: int, place: str | None
) -> None:
    assert resolve_zone(written) is None
    places = suggest_zones(written, n=10, now=WINTER)
    assert places
    if place is not None:
        assert places[0] == place
    for zone in places:
        assert WINTER.astimezone(ZoneInfo(zone)).utcoffset() == timedelta(minutes=minutes)


def test_every_iana_name_resolves_to_itself_in_any_case() -> None:
    for name in sorted(available_timezones()):
        assert resolve_zone(name) == name
        assert resolve_zone(f"  {name.lower()} ") == name
        assert resolve_zone(name.upper()) == name


def _babel_cities() -> list[tuple[str, str]]:
    """(city as CLDR writes it in English or Russian, its zone), for names one place has."""
    zones: defaultdict[str, set[str]] = defaultdict(set)
    written: dict[str, str] = {}
    for zone in place_zones():
        for locale in ("en", "ru"):
            city = str(get_timezone_location(zone, locale, return_city=True))
            zones[fold(city)].add(zone)
            written[fold(city)] = city
    return sorted((written[key], next(iter(z))) for key, z in zones.items() if len(z) == 1)


CITIES = _babel_cities()


def test_there_are_hundreds_of_cities_in_each_language() -> None:
    assert len(CITIES) > 700
    assert ("Москва", "Europe/Moscow") in CITIES and ("Kolkata", "Asia/Kolkata") in CITIES


def test_every_babel_city_resolves_to_its_zone_in_any_case() -> None:
    for city, zone in CITIES:
        for written in (city, city.lower(), city.upper(), city.replace(" ", "_")):
            resolved = resolve_zone(written)
            # A city that is also an old IANA name ("Jamaica") is that name: the same zone.
            assert resolved is not None and canonical_zone(resolved) == zone, written


@pytest.mark.parametrize(
    ("written", "zone"),
    [
        ("Москва", "Europe/Moscow"),
        ("москва", "Europe/Moscow"),
        ("Berlin", "Europe/Berlin"),
        ("Берлин", "Europe/Berlin"),
        ("Нью-Йорк", "America/New_York"),
        ("нью йорк", "America/New_York"),
        ("New_York", "America/New_York"),
        ("newyork", "America/New_York"),
        ("Екатеринбург", "Asia/Yekaterinburg"),
        ("Ёкатеринбург", "Asia/Yekaterinburg"),
        ("Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("Хошимин", "Asia/Ho_Chi_Minh"),
        ("Kiev", "Europe/Kyiv"),
        ("Киев", "Europe/Kyiv"),
        ("america/new york", "America/New_York"),
    ],
)
def test_cities_as_people_write_them(written: str, zone: str) -> None:
    assert resolve_zone(written) == zone


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("Berln", "Europe/Berlin"), ("Моска", "Europe/Moscow"), ("Europe/Berln", "Europe/Berlin")],
)
def test_a_typo_suggests_the_closest_zone_first(typo: str, meant: str) -> None:
    assert resolve_zone(typo) is None
    assert suggest_zones(typo)[0] == meant


@given(st.sampled_from([-600, -300, 0, 60, 180, 480, 330]), st.sampled_from([WINTER, SUMMER]))
def test_the_places_on_an_offset_have_it_then(minutes: int, now: datetime) -> None:
    places = zones_at_offset(minutes, now)
    assert places
    for zone in places:
        assert now.astimezone(ZoneInfo(zone)).utcoffset() == timedelta(minutes=minutes)


def test_the_well_known_city_comes_first_among_the_places_on_an_offset() -> None:
    assert zones_at_offset(180, WINTER)[0] == "Europe/Moscow"
    # Berlin is UTC+1 in winter and UTC+2 in summer: the places follow the date.
    assert "Europe/Berlin" in zones_at_offset(60, WINTER)
    assert "Europe/Berlin" in zones_at_offset(120, SUMMER)
    assert "Europe/Berlin" not in zones_at_offset(60, SUMMER)


def test_autocomplete_finds_a_zone_by_its_start_in_either_language_and_by_offset() -> None:
    assert zones_containing("berl", 5)[0] == "Europe/Berlin"
    assert zones_containing("Берл", 5)[0] == "Europe/Berlin"
    assert zones_containing("UTC+3", 5)[0] == "Etc/GMT-3"
    assert len(zones_containing("", 25)) == 25


@given(st.text(max_size=40))
@example("UTC+")
@example("+99")
@example("Etc/")
@example("---")
@example("ё")
def test_arbitrary_text_never_raises_and_gives_real_zones(text: str) -> None:
    for zone in [resolve_zone(text), *suggest_zones(text), *zones_containing(text, 25)]:
        if zone is not None:
            ZoneInfo(zone)


def test_every_well_known_city_is_a_place_zone_so_it_can_be_offered() -> None:
    """A renamed zone in the list would silently drop a city from every offset's suggestions."""
    assert set(WELL_KNOWN) <= set(place_zones())

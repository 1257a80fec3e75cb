"""Time zones as people type them, with one fallback: UTC until a chat chooses a zone.

What is understood, in this order:
1. any IANA name, in any case ("europe/berlin", "Etc/GMT-3", "US/Eastern"), as itself;
2. a UTC offset ("UTC+3", "GMT-5", "+03:00", "-5", "UTC−5" with a Unicode minus) as the fixed
   zone with that offset all year (Etc/GMT-3 for UTC+3: Etc names invert the sign). Offsets
   with minutes (+05:30, +05:45) have no fixed IANA zone: they resolve to nothing, and the
   suggestions are the places on that offset now, so the person picks their own country's
   rules rather than the bot guessing one;
3. a city in English or Russian, as CLDR (through Babel) names it ("Москва", "Нью-Йорк",
   "Ho Chi Minh City") or as the zone's last part ("new york"): case, "ё", spaces, hyphens and
   underscores do not matter. A name two places share resolves to nothing and suggests both.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel.core import get_global
from babel.dates import get_timezone_location

FALLBACK_ZONE = "UTC"
# The languages whose city names are understood (the bot's languages).
CITY_LOCALES = ("en", "ru")
# Etc/GMT-14 (UTC+14, Kiribati) to Etc/GMT+12 are the fixed zones IANA has.
MIN_OFFSET, MAX_OFFSET = -12 * 60, 14 * 60
# "UTC+3", "GMT -5", "+03:00", "-0530", "UTC−5" (U+2212) or with an en dash, as people paste.
OFFSET = re.compile(r"^(?:utc|gmt)?\s*([+\-\u2212\u2013])\s*(\d{1,2})(?::?(\d{2}))?$")
# What does not tell cities apart: "Нью-Йорк", "нью йорк" and "New_York" are one key.
SEPARATORS = re.compile(r"[\s_\-\u2010-\u2015'’.]+")
# Offered first among the places on an offset: the cities most people know, one or two per
# offset; the rest follow alphabetically. Babel has no population data to rank by.
WELL_KNOWN = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "Europe/Moscow",
    "Europe/Istanbul",
    "Europe/Kyiv",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Tbilisi",
    "Asia/Karachi",
    "Asia/Tashkent",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Almaty",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Asia/Seoul",
    "Australia/Sydney",
    "Australia/Brisbane",
    "Pacific/Auckland",
    "America/Sao_Paulo",
    "America/Argentina/Buenos_Aires",
    "America/New_York",
    "America/Toronto",
    "America/Chicago",
    "America/Mexico_City",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
)


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted, UTC included."""
    return tuple(sorted(available_timezones() | {FALLBACK_ZONE}))


@cache
def place_zones() -> tuple[str, ...]:
    """The canonical zones of places (CLDR's, which have a territory): no aliases, no Etc (CLDR
    calls Etc/GMT-2 "GMT-2", which as an offset is the opposite zone)."""
    territories = get_global("zone_territories")
    return tuple(z for z in all_zones() if z in territories and not z.startswith("Etc/"))


def canonical_zone(name: str) -> str:
    """The zone an alias stands for (Europe/Kiev -> Europe/Kyiv); any other name as it is."""
    target = get_global("zone_aliases").get(name, name)
    return target if target in all_zones() else name


def fold(text: str) -> str:
    """The key a city name is looked up by: case, ё and separators folded away."""
    return SEPARATORS.sub("", text.casefold().replace("ё", "е")).strip()


def _exact_key(text: str) -> str:
    # Not folded: folding hyphens would make Etc/GMT-3 and Etc/GMT+3 one key.
    return text.strip().replace(" ", "_").lower()


def city_name(zone: str, locale: str) -> str:
    """The zone's city as CLDR writes it in `locale` ("Москва" for Europe/Moscow in ru)."""
    return str(get_timezone_location(zone, locale, return_city=True))


@cache
def _exact() -> dict[str, str]:
    return {_exact_key(name): name for name in all_zones()}


@cache
def _index() -> dict[str, frozenset[str]]:
    """Every folded name of a place (full name, its last part, its city in each language) with
    the canonical zones it names; built once, on the first look-up."""
    names: defaultdict[str, set[str]] = defaultdict(set)
    for name in all_zones():
        if "/" not in name or name.startswith(("Etc/", "SystemV/")):
            continue
        zone = canonical_zone(name)
        names[fold(name)].add(zone)
        names[fold(name.rsplit("/", 1)[-1])].add(zone)
    for zone in place_zones():
        for locale in CITY_LOCALES:
            names[fold(city_name(zone, locale))].add(zone)
    names.pop("", None)
    return {key: frozenset(zones) for key, zones in names.items()}


def parse_offset(text: str) -> int | None:
    """Minutes east of UTC written as an offset ("UTC+3" -> 180, "-05:30" -> -330), or None."""
    match = OFFSET.match(text.strip().casefold())
    if match is None:
        return None
    sign, hours, minutes = match.groups()
    if int(minutes or 0) >= 60:
        return None
    total = int(hours) * 60 + int(minutes or 0)
    total = total if sign == "+" else -total
    return total if MIN_OFFSET <= total <= MAX_OFFSET else None


def fixed_zone(minutes: int) -> str | None:
    """The IANA zone that is `minutes` east of UTC all year: UTC, Etc/GMT-3 for UTC+3 (the
    sign is inverted in Etc names), None for offsets with minutes."""
    if minutes == 0:
        return FALLBACK_ZONE
    if minutes % 60:
        return None
    return f"Etc/GMT{-minutes // 60:+d}"


def fixed_offset(zone: str) -> int | None:
    """Minutes east of UTC of a fixed Etc/GMT±N zone (180 for Etc/GMT-3); None for others."""
    match = re.fullmatch(r"Etc/GMT([+-]\d{1,2})", zone)
    return -int(match[1]) * 60 if match and int(match[1]) else None


def offset_text(minutes: int) -> str:
    """'UTC+3', 'UTC-5', 'UTC+5:30'."""
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def zone_display(zone: str) -> str:
    """A zone as readers see it next to a time: 'UTC+3' for Etc/GMT-3 (whose name reads as
    minus 3), any other zone by its name."""
    minutes = fixed_offset(zone)
    return offset_text(minutes) if minutes is not None else zone


def resolve_zone(text: str) -> str | None:
    """The IANA zone meant by what someone typed ('europe/berlin', 'Berlin', 'Москва',
    'UTC+3'), or None when it names none or more than one."""
    exact = _exact().get(_exact_key(text))
    if exact is not None:
        return exact
    minutes = parse_offset(text)
    if minutes is not None:
        return fixed_zone(minutes)
    zones = _index().get(fold(text), frozenset())
    return next(iter(zones)) if len(zones) == 1 else None


def zones_at_offset(minutes: int, now: datetime | None = None) -> list[str]:
    """Places whose clocks are `minutes` east of UTC at `now`: the well-known first."""
    moment = now or datetime.now(UTC)
    wanted = timedelta(minutes=minutes)
    matching = {z for z in place_zones() if moment.astimezone(ZoneInfo(z)).utcoffset() == wanted}
    known = [zone for zone in WELL_KNOWN if zone in matching]
    return known + sorted(matching - set(known))


def suggest_zones(text: str, n: int = 3, now: datetime | None = None) -> list[str]:
    """The zones someone may have meant: the places on an offset with minutes, both places a
    shared name names, or the names closest to a misspelt one, the closest first."""
    minutes = parse_offset(text)
    if minutes is not None:
        return zones_at_offset(minutes, now)[:n]
    key = fold(text)
    if not key:
        return []
    keys = [key] if key in _index() else []
    keys += difflib.get_close_matches(key, list(_index()), n=n * 3, cutoff=0.6)
    found = (zone for k in keys for zone in sorted(_index()[k]))
    return list(dict.fromkeys(found))[:n]


def zones_containing(text: str, limit: int) -> list[str]:
    """Zones for a name typed so far (Europe/Berlin for 'berl' or 'Берл', Etc/GMT-3 and the
    places on UTC+3 for 'UTC+3'); names that start with it come first."""
    minutes = parse_offset(text)
    if minutes is not None:
        fixed = [zone] if (zone := fixed_zone(minutes)) else []
        return (fixed + zones_at_offset(minutes))[:limit]
    needle = fold(text)
    hits = sorted(
        (not key.startswith(needle), zone)
        for key, zones in _index().items()
        if needle in key
        for zone in zones
    )
    return list(dict.fromkeys(zone for _, zone in hits))[:limit]


def zone_label(zone: str, locale: str | None) -> str:
    """How a button names a zone in the reader's language: 'Москва (Europe/Moscow)' in Russian,
    'Europe/Berlin' where the city is the zone's own last part."""
    if zone not in place_zones():
        return zone
    city = city_name(zone, locale or "en")
    return zone if fold(city) == fold(zone.rsplit("/", 1)[-1]) else f"{city} ({zone})"


def is_zone(name: str) -> bool:
    return name in all_zones()


def zone_named(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC when there is none or it is unknown."""
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(FALLBACK_ZONE)

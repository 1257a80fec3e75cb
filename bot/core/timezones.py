"""Time zones as people type them, with one fallback: UTC until a chat chooses a zone."""

from __future__ import annotations

import difflib
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

FALLBACK_ZONE = "UTC"


@cache
def all_zones() -> tuple[str, ...]:
    """Every IANA zone name, sorted, UTC included."""
    return tuple(sorted(available_timezones() | {FALLBACK_ZONE}))


@cache
def _by_key() -> dict[str, str]:
    """Every place zone by its lower-case name and by its city, for forgiving look-ups."""
    zones: dict[str, str] = {}
    for name in all_zones():
        if name.startswith(("Etc/", "SystemV/")) or ("/" not in name and name != FALLBACK_ZONE):
            continue
        zones[name.lower()] = name
        zones.setdefault(name.rsplit("/", 1)[-1].lower(), name)
    return zones


def _key(text: str) -> str:
    return text.strip().replace(" ", "_").lower()


def resolve_zone(text: str) -> str | None:
    """An IANA zone from what someone typed ('europe/berlin', 'Berlin', 'New York')."""
    return _by_key().get(_key(text))


def suggest_zones(text: str, n: int = 3) -> list[str]:
    """The zones closest to a misspelt one."""
    matches = difflib.get_close_matches(_key(text), list(_by_key()), n=n, cutoff=0.6)
    return list(dict.fromkeys(_by_key()[m] for m in matches))


def zones_containing(text: str, limit: int) -> list[str]:
    """Zones whose name contains what was typed so far (Europe/Berlin for 'berl')."""
    needle = _key(text)
    return [zone for zone in all_zones() if needle in zone.lower()][:limit]


def is_zone(name: str) -> bool:
    return name in all_zones()


def zone_named(name: str | None) -> ZoneInfo:
    """The zone called `name`; UTC when there is none or it is unknown."""
    try:
        return ZoneInfo(name or FALLBACK_ZONE)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return ZoneInfo(FALLBACK_ZONE)

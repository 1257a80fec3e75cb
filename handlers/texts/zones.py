"""What to say about a typed time zone, wherever one is typed: unknown, or set to a fixed offset."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.core.messages import ActionButton
from bot.core.timezones import (
    city_name,
    fixed_offset,
    offset_text,
    parse_offset,
    suggest_zones,
    zone_label,
    zones_at_offset,
)

# Places offered after a fixed offset, or for an offset with minutes: enough to find one's own.
PLACES_OFFERED = 4


def unknown_zone(
    value: str, _: Callable[[str], str], now: datetime | None = None
) -> tuple[str, list[str]]:
    """The answer to an unknown zone name, and the zones it may have meant (to offer next)."""
    minutes = parse_offset(value)
    if minutes is not None:
        # A real offset with minutes (+05:30): only places have it, with their own rules.
        places = zones_at_offset(minutes, now)[:PLACES_OFFERED]
        if places:
            text = _("No fixed time zone is {offset} all year. Choose the place you mean:")
            return text.format(offset=offset_text(minutes)), places
    suggestions = suggest_zones(value, now=now)
    text = _("“{value}” is not a time zone I know.").format(value=value)
    if suggestions:
        text += " " + _("Did you mean one of these?")
    else:
        text += " " + _(
            "Write your city (Berlin, Москва), a name like Europe/Berlin, or an offset like UTC+3."
        )
    return text, suggestions


def fixed_zone_note(
    zone: str, _: Callable[[str], str], locale: str | None, now: datetime | None = None
) -> tuple[str, list[str]]:
    """For a fixed-offset zone (Etc/GMT-3), a line saying it ignores daylight saving time and
    naming the places on that offset now, with those places (to offer as buttons); nothing for
    any other zone."""
    minutes = fixed_offset(zone)
    if minutes is None:
        return "", []
    places = zones_at_offset(minutes, now)[:PLACES_OFFERED]
    text = _("{offset} stays the same all year, without daylight saving time.").format(
        offset=offset_text(minutes)
    )
    if places:
        cities = ", ".join(city_name(place, locale or "en") for place in places)
        text += " " + _(
            "Places on {offset} now: {cities}. Choose yours below to follow its clocks all year."
        ).format(offset=offset_text(minutes), cities=cities)
    return text, places


def zone_echo(typed: str, zone: str, locale: str | None) -> str:
    """How a chosen zone is named back: 'UTC+3 (Etc/GMT-3)' for a typed offset, 'Москва
    (Europe/Moscow)' in Russian, so what was understood is plain."""
    minutes = parse_offset(typed)
    return f"{offset_text(minutes)} ({zone})" if minutes is not None else zone_label(zone, locale)


def zone_buttons(zones: list[str], locale: str | None) -> tuple[ActionButton, ...]:
    """A /settings timezone button for each zone, named in the reader's language."""
    return tuple(ActionButton(zone_label(z, locale), "settings", ("timezone", z)) for z in zones)

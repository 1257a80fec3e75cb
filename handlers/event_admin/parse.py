"""Reading the times and time zones organizers type, with a friendly error for each.

Times are read by bot.core.dates ("2027-03-29 18:00", "tomorrow 18:00", "29 марта 18:00"), in
the venue's zone, relative to now there; what comes back is the venue's wall-clock time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.commands import UserError
from bot.core.dates import names_a_day_only, parse_clock, parse_local
from bot.core.timezones import resolve_zone
from handlers.texts.zones import unknown_zone


def venue_now(zone: str, now: datetime) -> datetime:
    """Now, as the naive wall-clock time at the venue."""
    return now.astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def read_start(text: str, zone: str, now: datetime, _: Callable[[str], str]) -> datetime:
    """The start as typed, or the error that shows how to write it."""
    starts = parse_local(text, venue_now(zone, now))
    if starts is not None:
        return starts
    if names_a_day_only(text, venue_now(zone, now)):
        raise UserError(
            _("“{value}” has no time of day. Add it, e.g. {value} 18:00.").format(value=text)
        )
    raise UserError(
        _(
            "I could not read the start “{value}”. Write it like 2027-03-29 18:00, "
            "tomorrow 18:00 or Saturday 19:00."
        ).format(value=text)
    )


def read_end(
    text: str, starts: datetime, zone: str, now: datetime, _: Callable[[str], str]
) -> datetime:
    """The end as typed, or the error that shows how.

    A time alone is on the start's day; when that is not after the start, it is refused rather
    than moved to the next day (a silent 23-hour event). A full date may be another day.
    """
    clock = parse_clock(text)
    if clock is not None:
        ends = datetime.combine(starts.date(), clock)
        if ends <= starts:
            raise UserError(
                _("The end must come after the start.")
                + " "
                + _("For an event that ends the next day, write the end's date too.")
            )
        return ends
    full = parse_local(text, venue_now(zone, now))
    if full is None:
        raise UserError(
            _(
                "I could not read the end “{value}”. Write it like 2027-03-29 20:00 or 20:00."
            ).format(value=text)
        )
    return full


def read_zone(text: str, _: Callable[[str], str]) -> str:
    """The IANA zone meant by what was typed, or the error that names the likely ones."""
    zone = resolve_zone(text)
    if zone is None:
        message, suggestions = unknown_zone(text, _)
        if suggestions:
            message += " " + ", ".join(suggestions)
        raise UserError(message)
    return zone

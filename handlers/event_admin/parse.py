"""Reading the times and time zones organizers type, with a friendly error for each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.core.commands import UserError
from bot.core.timezones import resolve_zone
from handlers.texts.zones import unknown_zone

FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M",
    "%d.%m.%y %H:%M",
    "%d/%m/%Y %H:%M",
)


def parse_wall_time(text: str) -> datetime | None:
    """'2027-03-29 18:00' or '29.03.2027 18:00' -> a naive wall-clock time; None if unreadable."""
    cleaned = " ".join(text.replace(",", " ").split())
    for pattern in FORMATS:
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    return None


def parse_end(text: str, starts: datetime) -> datetime | None:
    """A full date and time, or just a time on the start's day ('20:00')."""
    full = parse_wall_time(text)
    if full is not None:
        return full
    for pattern in ("%H:%M", "%H.%M"):
        try:
            at = datetime.strptime(text.strip(), pattern).time()
        except ValueError:
            continue
        ends = datetime.combine(starts.date(), at)
        return ends if ends > starts else ends + timedelta(days=1)
    return None


def read_start(text: str, _: Callable[[str], str]) -> datetime:
    """The start as typed, or the error that shows how to write it."""
    starts = parse_wall_time(text)
    if starts is None:
        raise UserError(
            _("I could not read the start “{value}”. Write it like 2027-03-29 18:00.").format(
                value=text
            )
        )
    return starts


def read_end(text: str, starts: datetime, _: Callable[[str], str]) -> datetime:
    """The end as typed (a time alone is on the start's day), or the error that shows how."""
    ends = parse_end(text, starts)
    if ends is None:
        raise UserError(
            _(
                "I could not read the end “{value}”. Write it like 2027-03-29 20:00 or 20:00."
            ).format(value=text)
        )
    return ends


def read_zone(text: str, _: Callable[[str], str]) -> str:
    """The IANA zone meant by what was typed, or the error that names the likely ones."""
    zone = resolve_zone(text)
    if zone is None:
        message, suggestions = unknown_zone(text, _)
        if suggestions:
            message += " " + ", ".join(suggestions)
        raise UserError(message)
    return zone

"""Turning what an organizer typed into a checked broadcast Message and a send time.

Everything here runs before anything is stored, so a bad link or an over-long text stops the
broadcast before any subscriber gets anything.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from bot.core.broadcast.values import Message
from bot.core.dates import is_now, parse_local, split_leading_time
from bot.core.i18n import N_
from bot.core.messages import UrlButton
from bot.core.timezones import zone_named

# Discord's message limit, the smallest of our platforms (Telegram allows 4096).
MAX_TEXT = 2000
MAX_LINKS = 5
MAX_LABEL = 80  # Discord's button label limit
MAX_URL = 512
LATEST_SCHEDULE = timedelta(days=60)

# A line "Label | https://example.org" becomes a link button.
_LINK_LINE = re.compile(r"^(?P<label>[^|]+?)\s*\|\s*(?P<url>\S+)\s*$")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


class ComposeError(Exception):
    """What is wrong, as an English msgid and its format values (the handler translates)."""

    def __init__(self, msgid: str, values: tuple[tuple[str, str | int], ...] = ()) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.values = dict(values)


def compose(raw: str) -> Message:
    """Split typed text into the message and its link lines; raise ComposeError if unsendable."""
    lines = raw.strip().splitlines()
    text_lines: list[str] = []
    links: list[UrlButton] = []
    for line in lines:
        match = _LINK_LINE.match(line.strip())
        if match and _SCHEME.match(match["url"]):
            links.append(_link(match["label"].strip(), match["url"]))
        else:
            text_lines.append(line.rstrip())
    text = "\n".join(text_lines).strip()
    if not text:
        raise ComposeError(N_("The message is empty. Write the text that subscribers should get."))
    if len(text) > MAX_TEXT:
        raise ComposeError(
            N_(
                "The message has {length} characters; the limit is {limit} (Discord's). "
                "Please shorten it."
            ),
            (("length", len(text)), ("limit", MAX_TEXT)),
        )
    if len(links) > MAX_LINKS:
        raise ComposeError(N_("At most {limit} link buttons, please."), (("limit", MAX_LINKS),))
    return Message(text, tuple(links))


def _link(label: str, url: str) -> UrlButton:
    if not url.lower().startswith("https://") or len(url) > MAX_URL or "." not in url[8:]:
        raise ComposeError(
            N_("Links must be complete https:// addresses; this one is not: {url}"),
            (("url", url[:100]),),
        )
    if len(label) > MAX_LABEL:
        raise ComposeError(
            N_("A button label may have at most {limit} characters."), (("limit", MAX_LABEL),)
        )
    return UrlButton(label, url)


def parse_when(value: str, tz: str | None, now: datetime) -> datetime | None:
    """'now' -> None; '18:30' (the next such time), '2026-12-01 18:30', 'tomorrow 18:00',
    'суббота 19:00' (bot.core.dates) in `tz` -> an aware time, neither past nor too far ahead."""
    value = value.strip()
    if not value or is_now(value):
        return None
    # bot.core.dates reads a time alone as its next occurrence, like every other time typed.
    wall = parse_local(value, now.astimezone(zone_named(tz)).replace(tzinfo=None))
    if wall is None:
        raise ComposeError(
            N_(
                "“{value}” is not a time I understand. Write now, a time like 18:30, "
                "or a date and time like 2026-12-01 18:30 or tomorrow 18:00."
            ),
            (("value", value[:40]),),
        )
    return scheduled(wall, tz, now)


def scheduled(wall: datetime, tz: str | None, now: datetime) -> datetime:
    """A wall time in `tz` as the aware send time, refused when past or too far ahead."""
    when = wall.replace(tzinfo=zone_named(tz))
    if when <= now:
        raise ComposeError(N_("That time has passed. Write now or a time in the future."))
    if when - now > LATEST_SCHEDULE:
        raise ComposeError(N_("Broadcasts can be scheduled at most 60 days ahead."))
    return when


def compose_line(line: str, tz: str | None, now: datetime) -> tuple[Message, datetime | None]:
    """What `/broadcast <audience> <line>` sends and the wall time it names first (None: now),
    for a preview; pure, the same split and checks as the command (raises ComposeError)."""
    wall, raw = split_leading_time(line, now.astimezone(zone_named(tz)))
    return compose(raw), wall

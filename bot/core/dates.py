"""Reading the dates and times people type, in English and Russian: "2027-03-29 18:00",
"29.03.2027 18:00", "tomorrow 18:00", "saturday 7pm", "29 марта 18:00", "в субботу 19:00".

Every result is a naive wall-clock time in the zone the caller names (the venue's, or the
asker's); the caller decides whether it is too early or too late. A date without a clock time
is refused (None): "Saturday" alone would otherwise mean midnight, which nobody means.

The strict formats are tried first (exact, and never reordered by guessing); anything else goes
to `dateparser` with its languages pinned to ours, dates preferred from the future, day before
month, and no time zone read from the text. dateparser is the one third-party import here, kept
behind this small API like cachetools in bot.core.conversation.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time, timedelta
from functools import lru_cache
from typing import Any

import dateparser

from bot.core.choice_words import fold

log = logging.getLogger(__name__)

LANGUAGES = ["en", "ru"]

STRICT_FORMATS = (
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H.%M",
    "%d.%m.%Y %H:%M",
    "%d.%m.%Y %H.%M",
    "%d.%m.%y %H:%M",
    "%d/%m/%Y %H:%M",
)

# A clock time that is not part of a date: "18:30", "18.30", "7pm", "7:30 pm" (but not the
# "29.03" of "29.03.2027").
_CLOCK = re.compile(
    r"(?<![\d.:])\d{1,2}[:.]\d{2}(?![\d.:])|(?<![\d.:])\d{1,2}(?:[:.]\d{2})?\s?(?:am|pm)\b",
    re.IGNORECASE,
)
_WORD = re.compile(r"\S+")
# "Send now", in every language the bot speaks (bot.core.broadcast.compose asks for it too).
NOW_WORDS = ("now", "сейчас")
# Words that may stand before a time without being part of it: "at 18:30", "в 18:30", "on Sat".
_LEAD_INS = frozenset({"at", "on", "в", "во"})
# A one-line command's leading time has at most this many words ("on 5 December 2026 19:00").
MAX_TIME_WORDS = 6
# dateparser can take long on very long text; nobody types a date this long.
MAX_LENGTH = 80


def has_clock(text: str) -> bool:
    """Whether the text names a clock time (or is "now"), not merely a day."""
    return is_now(text) or _CLOCK.search(text) is not None


def is_now(text: str) -> bool:
    """Whether the text is "now" in any language the bot speaks, in any letter case."""
    return fold(text) in NOW_WORDS


def parse_strict(text: str) -> datetime | None:
    """One of STRICT_FORMATS, spaces and commas forgiven; None otherwise."""
    cleaned = " ".join(text.replace(",", " ").split())
    for pattern in STRICT_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern)
        except ValueError:
            continue
    return None


def parse_local(text: str, now_local: datetime) -> datetime | None:
    """What `text` means as a naive wall time, read relative to `now_local` (the naive wall time
    now in the zone meant); None when it is unreadable or names no clock time."""
    strict = parse_strict(text)
    if strict is not None:
        return strict
    if not has_clock(text) or len(text) > MAX_LENGTH:
        return None
    clock = parse_clock(text)
    if clock is not None:
        # A time alone is its next occurrence; read here, as dateparser sometimes moves it to
        # another month (00:00 on 31 January read as 1 January).
        base = _minute(now_local)
        at = datetime.combine(base.date(), clock)
        return at if at >= base else at + timedelta(days=1)
    return _natural(" ".join(text.split()), _minute(now_local))


def parse_clock(text: str) -> time | None:
    """A time of day alone ("20:00", "20.00", "8pm", "8:30 pm"); None for anything more."""
    cleaned = text.strip()
    if _CLOCK.fullmatch(cleaned) is None:
        return None
    parsed = _natural(cleaned.lower(), datetime(2000, 1, 1))
    return None if parsed is None else parsed.time()


def names_a_day_only(text: str, now_local: datetime) -> bool:
    """Whether the text reads as a date but says no time ("Saturday", "29 марта"), so the asker
    can be told to add the time rather than that the date is unreadable."""
    if has_clock(text) or len(text) > MAX_LENGTH:
        return False
    return _natural(" ".join(text.split()), _minute(now_local)) is not None


def split_leading_time(text: str, now_local: datetime) -> tuple[datetime | None, str]:
    """A one-line command's leading time, and the rest of `text` exactly as typed (its line
    breaks and link lines kept).

    Only a prefix of words that reads as a time and names a clock time counts, optionally after
    "at"/"on"/"в": "Saturday rally" and "3 buses leave" stay text. The shortest such prefix wins,
    so the clock time ends the time ("Saturday 19:00 March to the embassy" keeps its "March").
    A leading "now" is taken off and gives None, like no time at all: both mean send now.
    """
    spans = [(m.start(), m.end()) for m in _WORD.finditer(text)][: MAX_TIME_WORDS + 1]
    words = [text[a:b] for a, b in spans]
    first = 1 if len(words) > 1 and words[0].lower() in _LEAD_INS else 0
    if len(words) > first and is_now(words[first]):
        return None, text[spans[first][1] :].strip()
    for end in range(first + 1, min(len(words), first + MAX_TIME_WORDS) + 1):
        prefix = " ".join(words[first:end])
        if not has_clock(prefix):
            continue
        when = parse_local(prefix, now_local)
        if when is not None:
            return when, text[spans[end - 1][1] :].strip()
    return None, text.strip()


def _minute(now_local: datetime) -> datetime:
    # The cache key: the same words within the same minute mean the same time.
    return now_local.replace(tzinfo=None, second=0, microsecond=0)


@lru_cache(maxsize=1)
def _settings_base() -> dict[str, Any]:
    return {
        "PREFER_DATES_FROM": "future",
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        # The zone is the caller's (the venue's); text such as "EST" must not move the time.
        "TIMEZONE": "UTC",
        "PREFER_LOCALE_DATE_ORDER": False,
    }


@lru_cache(maxsize=2048)
def _natural(text: str, base: datetime) -> datetime | None:
    """dateparser's reading, cached: the same words at the same minute mean the same time."""
    settings = {**_settings_base(), "RELATIVE_BASE": base}
    try:
        parsed = dateparser.parse(text, languages=LANGUAGES, settings=settings)
    except Exception:
        # A parser's surprise on odd input means "unreadable", never a crashed command.
        log.debug("dateparser failed on a %d-character text", len(text))
        return None
    if parsed is None:
        return None
    return parsed.replace(tzinfo=None, second=0, microsecond=0)


def warm() -> None:
    """dateparser loads its language data on first use (a fraction of a second): pay it once."""
    _natural("tomorrow 18:00", datetime(2026, 1, 1))
    _natural.cache_clear()


warm()

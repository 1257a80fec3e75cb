"""When each chat gets each reminder: lead times, 29 March, quiet hours; zoneinfo throughout.

Pure functions of stored state and the time, so the database plan can always be rebuilt from
what is stored. Day and week lead times are wall-clock days in the chat's zone (an event at 18:00
is announced at 18:00 the day before even across a clock change); shorter ones are exact durations.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.core.reminders.values import (
    REMEMBRANCE,
    ChatFacts,
    EventInfo,
    EventStatus,
    Kind,
    Planned,
)
from bot.core.timezones import zone_named

DAY = 24 * 60
# The remembrance sequence: a week before, the day before and the morning of, at 09:00 local.
REMEMBRANCE_DAYS_BEFORE: tuple[int, ...] = (7, 1, 0)
REMEMBRANCE_AT = time(9, 0)
# An announcement is still news this long after publishing (a chat subscribing later, or a
# restart after an outage, may still get it); a cancellation stays news until the start.
ANNOUNCE_NEWS = timedelta(hours=6)
MIN_LEAD, MAX_LEAD, MAX_LEADS = 5, 4 * 7 * DAY, 5
_UNITS = {"m": 1, "min": 1, "h": 60, "d": DAY, "w": 7 * DAY}
_LEAD = re.compile(r"^(\d{1,3})\s*(min|m|h|d|w)$")


def wall_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """A local wall-clock time as a UTC instant (a time skipped by a clock change moves on)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def parse_leads(text: str) -> tuple[int, ...]:
    """'1w, 1d 1h' -> (10080, 1440, 60), longest first; ValueError on anything unreadable."""
    parts = [p for p in re.split(r"[,;\s]+", text.strip().lower()) if p]
    if not parts:
        raise ValueError(text)
    leads: set[int] = set()
    for part in parts:
        match = _LEAD.match(part)
        if not match:
            raise ValueError(part)
        minutes = int(match.group(1)) * _UNITS[match.group(2)]
        if not MIN_LEAD <= minutes <= MAX_LEAD:
            raise ValueError(part)
        leads.add(minutes)
    if len(leads) > MAX_LEADS:
        raise ValueError(text)
    return tuple(sorted(leads, reverse=True))


def lead_due(starts_at: datetime, lead: int, zone: ZoneInfo) -> datetime:
    """When a reminder `lead` minutes before the start goes out, as a UTC instant."""
    if lead % DAY == 0:
        local = starts_at.astimezone(zone).replace(tzinfo=None) - timedelta(days=lead // DAY)
        return local.replace(tzinfo=zone).astimezone(UTC)
    return (starts_at - timedelta(minutes=lead)).astimezone(UTC)


def quiet_until(
    moment: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo
) -> datetime | None:
    """The end of the quiet hours `moment` falls in (UTC), or None outside them."""
    if quiet is None:
        return None
    start, end = quiet
    local = moment.astimezone(zone)
    now = local.time().replace(tzinfo=None)
    inside = start <= now < end if start < end else now >= start or now < end
    if not inside:
        return None
    day = local.date() if now < end else local.date() + timedelta(days=1)
    return wall_to_utc(day, end, zone)


def after_quiet_hours(
    due: datetime, starts: datetime, quiet: tuple[time, time] | None, zone: ZoneInfo
) -> datetime:
    """Wait for the end of quiet hours, unless the event would start before then."""
    until = quiet_until(due, quiet, zone)
    if until is None or starts <= until:
        return due
    return until


def plan_event(event: EventInfo, facts: ChatFacts, now: datetime) -> list[Planned]:
    """The reminders, the announcement or the cancellation notice one chat gets for one event.

    Occurrences already past are included: the store adds only future ones to the plan (a chat
    that just became eligible has no use for them) but keeps unsent ones it planned earlier.
    Notices are due the moment they happened, so they are added until `news_until` passes.
    """
    if not facts.active or event.starts_at <= now or event.status is EventStatus.DRAFT:
        return []
    if event.scope is not None and event.scope != facts.address:
        return []
    return list(
        _event_plan(
            event.id,
            event.status,
            event.starts_at,
            event.cancelled_at,
            event.published_at,
            facts.timezone,
            facts.quiet_hours,
            facts.leads,
            coming=event.id in facts.coming,
            subscribed=not facts.topics.isdisjoint(event.topics),
            own=event.scope is not None,  # a scoped event reaching here is this chat's own
        )
    )


# Re-planning a mass subscription or a new event plans the same event for up to every chat, and
# chats differ only in these few facts (most share a zone, the default lead times and no quiet
# hours), so each distinct combination is computed once. Every argument is hashable and
# everything the result depends on is an argument: a hit is exactly what a fresh call returns.
# `now` is not among them: it only decides, above, whether the event is still to come.
@lru_cache(maxsize=16_384)
def _event_plan(
    event_id: str,
    status: EventStatus,
    starts_at: datetime,
    cancelled_at: datetime | None,
    published_at: datetime | None,
    timezone: str | None,
    quiet: tuple[time, time] | None,
    leads: tuple[int, ...],
    *,
    coming: bool,
    subscribed: bool,
    own: bool,
) -> tuple[Planned, ...]:
    zone = zone_named(timezone)
    starts = starts_at.astimezone(UTC)
    if status is EventStatus.CANCELLED:
        if not coming or cancelled_at is None:
            return ()
        due = after_quiet_hours(cancelled_at.astimezone(UTC), starts, quiet, zone)
        return (Planned(f"cancel:{event_id}", event_id, Kind.CANCELLED, 0, due, starts, starts),)
    planned = []
    if subscribed and published_at is not None:
        published = published_at.astimezone(UTC)
        due = after_quiet_hours(published, starts, quiet, zone)
        news = min(published + ANNOUNCE_NEWS, starts)
        planned.append(
            Planned(f"announce:{event_id}", event_id, Kind.ANNOUNCE, 0, due, starts, news)
        )
    # A group's own event reminds that group even if it never subscribed to the topic.
    if not coming and not own and not subscribed:
        return ()
    for lead in leads:
        due = after_quiet_hours(lead_due(starts, lead, zone), starts, quiet, zone)
        key = f"{event_id}:{lead}:{int(starts.timestamp())}"
        planned.append(Planned(key, event_id, Kind.EVENT, lead, due, starts))
    return tuple(planned)


def remembrance_day(year: int, month: int, day: int) -> date:
    """The day in `year` (29 February falls back to the 28th outside leap years)."""
    try:
        return date(year, month, day)
    except ValueError:
        return date(year, month, day - 1)


def plan_remembrance(month: int, day: int, facts: ChatFacts, now: datetime) -> list[Planned]:
    """The yearly sequence at 09:00 in the chat's own zone, for this year and the next."""
    if not facts.active or REMEMBRANCE not in facts.topics:
        return []
    zone = zone_named(facts.timezone)
    planned = []
    local_year = now.astimezone(zone).year
    for year in (local_year, local_year + 1):
        the_day = remembrance_day(year, month, day)
        over = wall_to_utc(the_day + timedelta(days=1), time(0, 0), zone)
        for before in REMEMBRANCE_DAYS_BEFORE:
            due = wall_to_utc(the_day - timedelta(days=before), REMEMBRANCE_AT, zone)
            due = after_quiet_hours(due, over, facts.quiet_hours, zone)
            key = f"{REMEMBRANCE}:{year}:{before}"
            planned.append(Planned(key, REMEMBRANCE, Kind.REMEMBRANCE, before, due, over))
    return planned


def plan_chat(
    events: Iterable[EventInfo], remembrance: tuple[int, int], facts: ChatFacts, now: datetime
) -> list[Planned]:
    """Everything one chat should get from now on, from every event and the remembrance."""
    planned = [p for event in events for p in plan_event(event, facts, now)]
    return planned + plan_remembrance(*remembrance, facts, now)


def event_mark(event: EventInfo) -> str:
    """What, when changed, means an event's reminders must be re-planned."""
    starts = int(event.starts_at.timestamp())
    scope = str(event.scope) if event.scope else "*"
    cancelled = int(event.cancelled_at.timestamp()) if event.cancelled_at else 0
    return f"{event.status}|{starts}|{','.join(sorted(event.topics))}|{scope}|{cancelled}"

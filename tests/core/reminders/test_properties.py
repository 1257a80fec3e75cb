"""Properties of reminder planning for anything a user can type or choose (hypothesis)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.messages import Address
from bot.core.reminders import plan as planning
from bot.core.reminders.plan import (
    DAY,
    MAX_LEAD,
    MAX_LEADS,
    MIN_LEAD,
    after_quiet_hours,
    lead_due,
    parse_leads,
    plan_event,
    plan_remembrance,
    quiet_until,
)
from bot.core.reminders.values import ChatFacts, EventInfo, EventStatus

ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/London",
        "Europe/Berlin",
        "Europe/Moscow",
        "America/New_York",
        "America/Sao_Paulo",
        "Australia/Sydney",
        "Asia/Kolkata",
        "Pacific/Chatham",
    ]
)
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2031, 1, 1), timezones=st.just(UTC)
)
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))
UNITS = {"m": 1, "h": 60, "d": DAY, "w": 7 * DAY}


def exists(naive: datetime, zone: ZoneInfo) -> bool:
    """Whether a wall-clock time happens in `zone` (not skipped by a clock change)."""
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


@given(st.lists(st.tuples(st.integers(1, 40), st.sampled_from(sorted(UNITS))), min_size=1))
def test_lead_times_read_back_what_was_written(parts: list[tuple[int, str]]) -> None:
    text = ", ".join(f"{n}{unit}" for n, unit in parts)
    minutes = {n * UNITS[unit] for n, unit in parts}
    if all(MIN_LEAD <= m <= MAX_LEAD for m in minutes) and len(minutes) <= MAX_LEADS:
        assert parse_leads(text) == tuple(sorted(minutes, reverse=True))
    else:
        try:
            parse_leads(text)
        except ValueError:
            return
        raise AssertionError("out-of-range lead times must be refused")


@given(st.text())
def test_any_typed_text_is_either_a_valid_lead_list_or_refused(text: str) -> None:
    try:
        leads = parse_leads(text)
    except ValueError:
        return
    assert 1 <= len(leads) <= MAX_LEADS and list(leads) == sorted(set(leads), reverse=True)
    assert all(MIN_LEAD <= lead <= MAX_LEAD for lead in leads)


@settings(max_examples=300)
@given(MOMENTS, ZONES, st.integers(1, 28))
def test_day_lead_times_keep_the_wall_clock_time(
    starts: datetime, zone_name: str, days: int
) -> None:
    zone = ZoneInfo(zone_name)
    due = lead_due(starts, days * DAY, zone)
    local_start = starts.astimezone(zone).replace(tzinfo=None)
    wanted = local_start - timedelta(days=days)
    if exists(wanted, zone):
        assert due.astimezone(zone).replace(tzinfo=None) == wanted
    assert due < starts


@given(MOMENTS, st.integers(MIN_LEAD, DAY - 1).filter(lambda m: m % DAY), ZONES)
def test_shorter_lead_times_are_exact_durations(starts: datetime, lead: int, zone: str) -> None:
    assert starts - lead_due(starts, lead, ZoneInfo(zone)) == timedelta(minutes=lead)


@settings(max_examples=300)
@given(MOMENTS, st.integers(0, 3 * DAY), ZONES, TIMES, TIMES)
def test_quiet_hours_defer_to_their_end_unless_the_event_comes_first(
    due: datetime, lead: int, zone_name: str, start: time, end: time
) -> None:
    if start == end:
        return
    zone = ZoneInfo(zone_name)
    starts = due + timedelta(minutes=lead)
    sent = after_quiet_hours(due, starts, (start, end), zone)
    until = quiet_until(due, (start, end), zone)
    if until is None:
        assert sent == due
    elif starts <= until:
        assert sent == due  # the event would start first: no waiting
    else:
        assert sent == until > due
        assert quiet_until(sent, (start, end), zone) is None  # it lands outside quiet hours
        assert sent - due <= timedelta(hours=25)


@given(ZONES, st.integers(2026, 2030))
def test_the_remembrance_comes_at_nine_local_time(zone_name: str, year: int) -> None:
    zone = ZoneInfo(zone_name)
    facts = ChatFacts(1, Address("x", "1"), zone_name, None, True, frozenset({"remembrance"}), ())
    now = datetime(year, 1, 1, tzinfo=zone)
    planned = plan_remembrance(3, 29, facts, now)
    assert len(planned) == 6
    for item in planned:
        local = item.due_at.astimezone(zone)
        assert (local.hour, local.minute) == (9, 0)
        assert (local.month, local.day) in ((3, 22), (3, 28), (3, 29))
        assert item.stale_at.astimezone(zone).replace(tzinfo=None) == datetime(local.year, 3, 30)


CHAT_FACTS = st.builds(
    ChatFacts,
    ref=st.integers(1, 10),
    address=st.sampled_from([Address("x", "1"), Address("x", "2")]),
    timezone=st.one_of(st.none(), ZONES),
    quiet_hours=st.one_of(st.none(), st.tuples(TIMES, TIMES)),
    active=st.booleans(),
    topics=st.frozensets(st.sampled_from(["events", "news"])),
    leads=st.lists(st.integers(MIN_LEAD, MAX_LEAD), max_size=3).map(
        lambda leads: tuple(sorted(set(leads), reverse=True))
    ),
    coming=st.frozensets(st.sampled_from(["e_1", "e_2"])),
)
EVENTS = st.builds(
    EventInfo,
    id=st.sampled_from(["e_1", "e_2"]),
    title=st.just({}),
    description=st.just({}),
    place=st.just({}),
    timezone=ZONES,
    starts_at=MOMENTS,
    ends_at=MOMENTS,
    topics=st.sampled_from([("events",), ("news",), ("events", "news")]),
    scope=st.sampled_from([None, Address("x", "1")]),
    status=st.sampled_from([EventStatus.SCHEDULED, EventStatus.CANCELLED]),
    cancelled_at=st.one_of(st.none(), MOMENTS),
    published_at=st.one_of(st.none(), MOMENTS),
)


@settings(max_examples=300)
@given(EVENTS, st.lists(CHAT_FACTS, min_size=2, max_size=4), MOMENTS)
def test_planning_an_event_for_many_chats_gives_each_what_it_alone_would_get(
    event: EventInfo, chats: list[ChatFacts], now: datetime
) -> None:
    # plan_event computes each distinct combination of facts once: whatever was planned for
    # other chats before, a chat gets exactly what a cold computation gives it.
    alone = []
    for facts in chats:
        planning._event_plan.cache_clear()
        alone.append(plan_event(event, facts, now))
    planning._event_plan.cache_clear()
    assert [plan_event(event, facts, now) for facts in chats] == alone
    assert [plan_event(event, facts, now) for facts in reversed(chats)] == alone[::-1]

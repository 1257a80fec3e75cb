"""The public events page and /events.ics: no sign-in, campaign events only, nobody's answers."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar

from bot.app import Core, build_core
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.adapters.web.events_helpers import EVENT, GROUP_A, opened, publish, publish_for_group
from tests.support.chat import Say
from tests.support.fakes import FixedClock


async def feed(core: Core, query: str = "") -> tuple[Calendar, str]:
    async with opened(core, None) as page:
        response = await page.client.get("/events.ics" + query)
        assert response.status == 200
        kind = response.headers["Content-Type"]
        return Calendar.from_ical(await response.read()), kind


def uids(calendar: Calendar) -> dict[str, str]:
    return {str(e["uid"]): str(e["summary"]) for e in calendar.walk("VEVENT")}


async def test_the_public_page_shows_campaign_events_and_nobody_coming(
    core: Core, say: Say
) -> None:
    campaign = await publish(say, *EVENT, chat="organizer")
    await publish_for_group(say, GROUP_A, "Group A picnic")
    for n in range(11):
        await say("/rsvp", campaign, "going", chat=f"supporter-{n}")
    async with opened(core, None) as page:
        status, html = await page.get("/public/events")
        _, berlin = await page.get("/public/events?tz=Europe/Berlin")
    assert status == 200
    assert "Rally for Chechnya" in html and "Trafalgar Square" in html
    # The venue's own time, and the reader's when they name their zone.
    assert "Saturday, 5 December 2026, 14:00–16:00" in html
    assert "15:00–17:00" in berlin
    assert "Group A picnic" not in html
    for telling in ('class="count"', "11", "going", "Going", "fewer than"):
        assert telling not in html


async def test_the_feed_has_stable_uids_and_asks_for_hourly_refresh(
    core: Core, say: Say, settings: Settings, clock: FixedClock
) -> None:
    campaign = await publish(say, *EVENT, chat="organizer")
    await publish_for_group(say, GROUP_A, "Group A picnic")
    first, kind = await feed(core)
    second, _ = await feed(core)
    assert kind == "text/calendar; charset=utf-8"
    assert uids(first) == uids(second) == {f"{campaign}@allybot": "Rally for Chechnya"}
    assert first["REFRESH-INTERVAL"].to_ical() == b"PT1H"
    assert first["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in first.to_ical().decode()
    assert "X-PUBLISHED-TTL:PT1H" in first.to_ical().decode()
    [zone] = first.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Europe/London"
    [entry] = first.walk("VEVENT")
    assert entry["DTSTART"].params["TZID"] == "Europe/London"
    assert entry.decoded("DTSTART").replace(tzinfo=None) == datetime(2026, 12, 5, 14, 0)
    # Another process on the same database (a restart) gives the same UIDs.
    restarted = await build_core(settings, clock=clock, limiter=Unlimited())
    try:
        again, _ = await feed(restarted)
    finally:
        await restarted.aclose()
    assert uids(again) == uids(first)


async def test_the_feed_speaks_the_readers_language(core: Core, clock: FixedClock) -> None:
    # The content files' event (in both languages) is upcoming on this day.
    clock.now = datetime(2017, 5, 1, 12, 0, tzinfo=UTC)
    english, _ = await feed(core, "?lang=en")
    russian, _ = await feed(core, "?lang=ru")
    assert "Hong Kong" in " ".join(uids(english).values())
    assert "Гонконг любит Чечню" in uids(russian).values()
    assert uids(english).keys() == uids(russian).keys()

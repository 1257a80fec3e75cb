"""The public events page and calendar feed in Chromium, without signing in: the campaign's
upcoming events in the reader's language, nothing about who is coming, usable on a phone."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from playwright.async_api import Browser

from tests.adapters.telegram.fake_server import ALICE, FakeTelegram
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.browser.harness import PHONE, WebBot, dashboard_link, pages, screenshot, sign_in
from tests.browser.test_events import TITLE, fill_event, publish_from_the_form, starting_soon


async def test_the_public_page_and_feed_show_events_and_nobody_coming(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    starts, ends = (moment + timedelta(days=1) for moment in starting_soon())
    async with pages(browser, web.url) as seen:
        organizer = await seen.new()
        await sign_in(organizer, await dashboard_link(fake))
        await organizer.goto(web.url + "/events/new")
        await fill_event(organizer, starts, ends, fast=True)
        event_id = await publish_from_the_form(organizer, web)
    await fake.say(chat_of(ALICE), ALICE, f"/rsvp {event_id} going")

    async with pages(browser, web.url, viewport=PHONE, locale="ru-RU") as seen:
        page = await seen.new()
        await page.goto(web.url + "/public/events")
        assert page.url.endswith("/public/events"), "the public page asked to sign in"
        # The browser's language: Russian, with the venue's zone named.
        assert await page.get_attribute("html", "lang") == "ru"
        text = await page.inner_text("main")
        assert TITLE in text and "Europe/Moscow" in text
        assert await page.locator(".count").count() == 0
        for telling in ("going", "придут", "Alice", "меньше 10"):
            assert telling not in text.lower()
        wide = await page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{wide}px of sideways scroll at 375px"
        await screenshot(page, "public-events-phone")
        # The reader's own zone, when they name it.
        await page.fill("#tz", "America/New_York")
        await page.click(".zone-form button")
        await page.wait_for_load_state()
        assert "(America/New_York)" in await page.inner_text("main")

        # The feed, as a calendar app fetches it: no cookie, the same UID every time.
        first = await page.request.get(web.url + "/events.ics?lang=ru")
        second = await page.request.get(web.url + "/events.ics")
        assert first.headers["content-type"] == "text/calendar; charset=utf-8"
        body = (await first.body()).decode()
        assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H" in body
        assert "BEGIN:VTIMEZONE" in body and "TZID:Europe/Moscow" in body
        uid = f"{event_id}@allybot"
        for fetched in (first, second):
            [entry] = Calendar.from_ical(await fetched.body()).walk("VEVENT")
            assert str(entry["UID"]) == uid and str(entry["SUMMARY"]) == TITLE

    async with pages(browser, web.url) as seen:
        page = await seen.new()
        await page.goto(web.url + "/public/events?lang=en")
        assert await page.inner_text("h1") == "Upcoming events"
        await screenshot(page, "public-events-desktop")

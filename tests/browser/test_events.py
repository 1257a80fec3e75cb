"""The Events pages in Chromium: an event made in the form reaches a supporter as the bot's
reminder; the form without JavaScript; a cancellation from the dashboard told to who said going;
the pages at a phone's width.

The real `allybot run` against the fake Bot API, on the real clock: the reminder loop ticks every
30 s, so what it sends (announcement, reminder, cancellation notice) arrives up to 30 s after it
is due (see tests/e2e/test_organizer_day.py, whose timings these follow).
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.async_api import Browser, Page

from tests.adapters.telegram.fake_server import ALICE, GROUP, FakeTelegram, group_chat, user
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.browser.harness import (
    LINK,
    PHONE,
    WebBot,
    dashboard_link,
    pages,
    screenshot,
    sign_in,
)
from tests.e2e.people import pause

ZONE = "Europe/Moscow"
TITLE = "Vigil at the embassy"
PLACE = "Pushkin square"
DESCRIPTION = "Candles and names, for those who cannot speak for themselves."
# Reminders come 5 minutes before at the earliest; the event starts at the first whole minute
# this far ahead, so the reminder is due within about a minute and a half.
STARTS_AFTER = timedelta(minutes=5, seconds=50)
LOOP_S = 40.0
# A person types a character about every 80 ms.
KEY_MS = 80


def starting_soon() -> tuple[datetime, datetime]:
    earliest = datetime.now(UTC) + STARTS_AFTER
    starts = (earliest + timedelta(minutes=1)).replace(second=0, microsecond=0)
    return starts.astimezone(ZoneInfo(ZONE)), (starts + timedelta(hours=1)).astimezone(
        ZoneInfo(ZONE)
    )


def natural(starts: datetime) -> str:
    """The start as a person writes it: "today 18:07" (or "tomorrow 00:03" near midnight)."""
    day = "today" if starts.date() == datetime.now(starts.tzinfo).date() else "tomorrow"
    return f"{day} {starts:%H:%M}"


async def get_ready(fake: FakeTelegram, person: dict[str, Any]) -> None:
    """A supporter subscribed to events, reminded five minutes before."""
    chat = chat_of(person)
    for line in ("/settings discreet off", "/subscribe events", "/reminders 5m"):
        await fake.say(chat, person, line)
        await pause()


async def type_field(page: Page, name: str, text: str, *, fast: bool = False) -> None:
    field = page.locator(f"#field-{name}")
    if fast:
        await field.fill(text)
    else:
        await field.click()
        await field.press_sequentially(text, delay=KEY_MS)


async def fill_event(page: Page, starts: datetime, ends: datetime, *, fast: bool = False) -> None:
    end = f"{ends:%H:%M}" if ends.date() == starts.date() else f"{ends:%Y-%m-%d %H:%M}"
    for name, text in (
        ("timezone", "Moscow"),
        ("title", TITLE),
        ("start", natural(starts)),
        ("end", end),
        ("place", PLACE),
        ("description", DESCRIPTION),
    ):
        await type_field(page, name, text, fast=fast)


async def publish_from_the_form(page: Page, web: WebBot) -> str:
    """Preview, Publish; the event's id, from its page's address."""
    await page.click("#preview-event")
    await page.wait_for_load_state()
    assert "Preview of the new event:" in await page.locator(".reply-text").inner_text()
    await page.click("button:has-text('Publish')")
    await page.wait_for_load_state()
    assert (await page.locator(".reply-text").inner_text()).startswith("Published.")
    await page.click("text=Back")
    await page.wait_for_url(web.url + "/events")
    await page.click(f"text={TITLE}")
    await page.wait_for_url("**/events/*")
    return page.url.rsplit("/", 1)[1]


@pytest.mark.timeout(300)
async def test_an_event_made_in_the_form_is_reminded_by_the_bot(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    await get_ready(fake, ALICE)
    link = await dashboard_link(fake)
    starts, ends = starting_soon()
    async with pages(browser, web.url) as seen:
        page = await seen.new()
        await sign_in(page, link)
        await page.click("a[href='/events']")
        await page.click("#new-event")
        await page.wait_for_url(web.url + "/events/new")
        await type_field(page, "timezone", "Moscow")
        await type_field(page, "title", TITLE)
        await type_field(page, "start", natural(starts))
        # The start, read as the chat reads it, is echoed in words while the person types on.
        echo = page.locator("#check-start")
        spelled = f"Starts: {starts:%A} {starts.day} {starts:%B} {starts.year}, {starts:%H:%M}"
        await echo.filter(has_text=spelled).wait_for(timeout=5000)
        assert await echo.get_attribute("aria-live") == "polite"
        # An end before the start (midnight of its day) is refused as the person types it.
        await type_field(page, "end", "00:00")
        await page.locator("#check-end.problem").wait_for(timeout=5000)
        assert "The end must come after the start." in await page.inner_text("#check-end")
        await page.locator("#field-end").fill("")
        same_day = ends.date() == starts.date()
        await type_field(page, "end", f"{ends:%H:%M}" if same_day else f"{ends:%Y-%m-%d %H:%M}")
        await type_field(page, "place", PLACE)
        await type_field(page, "description", DESCRIPTION)
        await page.locator("#check-end.ok").wait_for(timeout=5000)
        await screenshot(page, "events-new-form")
        event_id = await publish_from_the_form(page, web)
        assert event_id.startswith("e_")

    # The announcement, then the reminder five minutes before, from the fake Bot API.
    [announcement] = await fake.replies(ALICE["id"], within=LOOP_S)
    assert (announcement.text or "").startswith(f"📣 New event: “{TITLE}”"), announcement.text
    due = starts - timedelta(minutes=5)
    wait_s = (due - datetime.now(UTC)).total_seconds() + LOOP_S
    [reminder] = await fake.replies(ALICE["id"], within=max(wait_s, 1.0))
    arrived = datetime.now(UTC)
    assert (reminder.text or "").startswith(f"⏰ Reminder: “{TITLE}” starts in"), reminder.text
    assert due - timedelta(seconds=1) <= arrived <= due + timedelta(seconds=LOOP_S)
    assert "Traceback" not in web.stderr


async def test_the_form_works_without_javascript(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    link = await dashboard_link(fake)
    starts, ends = starting_soon()
    async with pages(browser, web.url, java_script_enabled=False) as seen:
        page = await seen.new()
        await sign_in(page, link)
        await page.goto(web.url + "/events/new")
        await fill_event(page, starts, ends, fast=True)
        await page.locator("#field-start").fill("someday soon")
        await page.click("#preview-event")
        await page.wait_for_load_state()
        assert "nothing was created" in await page.inner_text("[role=alert]")
        assert "could not read the start “someday soon”" in await page.inner_text("#check-start")
        assert await page.get_attribute("#field-start", "aria-invalid") == "true"
        # What was right is kept, and said so.
        assert await page.input_value("#field-title") == TITLE
        assert await page.input_value("#field-description") == DESCRIPTION
        assert await page.input_value("#field-place") == PLACE
        assert "Time zone: Europe/Moscow" in await page.inner_text("#check-timezone")
        await screenshot(page, "events-new-form-no-js")
        # Put right, it goes through without a script: preview, Publish, the list.
        await page.locator("#field-start").fill(natural(starts))
        await publish_from_the_form(page, web)
        assert TITLE in await page.inner_text("h1")


@pytest.mark.timeout(240)
async def test_cancelling_in_the_dashboard_tells_who_said_going(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    link = await dashboard_link(fake)
    starts, ends = starting_soon()
    starts, ends = starts + timedelta(hours=2), ends + timedelta(hours=2)
    async with pages(browser, web.url) as seen:
        page = await seen.new()
        await sign_in(page, link)
        await page.goto(web.url + "/events/new")
        await fill_event(page, starts, ends, fast=True)
        event_id = await publish_from_the_form(page, web)

        [going] = await fake.say(chat_of(ALICE), ALICE, f"/rsvp {event_id} going")
        assert "going" in (going.text or "")
        await page.reload()
        # One person going reads "fewer than 10", never "1".
        assert [await c.inner_text() for c in await page.locator(".count").all()] == [
            "fewer than 10",
            "fewer than 10",
        ]

        # The events page at a phone's width: no sideways scrolling.
        async with pages(browser, web.url, viewport=PHONE) as phone_pages:
            phone = await phone_pages.new()
            await sign_in(phone, await dashboard_link(fake))
            await phone.goto(web.url + "/events")
            assert TITLE in await phone.inner_text("table")
            wide = await phone.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert wide <= 0, f"{wide}px of sideways scroll at 375px"
            await screenshot(phone, "events-phone")
            await phone.goto(web.url + "/events/new")
            assert await phone.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            )
            await screenshot(phone, "events-new-form-phone")
        await page.goto(web.url + "/events")
        await screenshot(page, "events-desktop")

        await page.goto(f"{web.url}/events/{event_id}")
        await screenshot(page, "events-detail")
        await page.click("#cancel-event")
        await page.wait_for_load_state()
        # One person said going: the page's question counts them as "fewer than 10".
        question = await page.inner_text("main")
        assert f"Cancel “{TITLE}”?" in question and "fewer than 10" in question, question
        assert not re.search(r"\b1 chat", question), question
        await page.click("#confirm-cancel")
        await page.wait_for_load_state()
        assert (await page.inner_text(".reply-text")).startswith(f"Cancelled “{TITLE}”.")

    [notice] = await fake.replies(ALICE["id"], within=LOOP_S)
    assert (notice.text or "").startswith("❌") and TITLE in (notice.text or ""), notice.text
    await asyncio.sleep(0)
    assert "Traceback" not in web.stderr


async def group_admins_link(
    fake: FakeTelegram, admin: dict[str, Any], group: dict[str, Any]
) -> str:
    """A group's admin (who started the bot privately) asks /dashboard in the group; the link
    comes to their private chat, never the group."""
    fake.make_admin(group["id"], admin["id"])
    fake.chats[admin["id"]] = chat_of(admin)
    sent = await fake.answered(group, admin, "/dashboard@" + fake.bot_user["username"])
    found = [m[0] for s in sent if (m := LINK.search(s.text or ""))]
    assert found and all(s.chat_id == admin["id"] for s in sent), [s.text for s in sent]
    return found[0]


async def test_a_group_admin_cannot_open_another_groups_event(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    starts, ends = (moment + timedelta(days=2) for moment in starting_soon())
    other_group = group_chat(-1007399990002, title="Other allies")
    made: dict[str, str] = {}
    cleo = user(7355509999, "en", "Cleo")
    for admin, group in ((cleo, other_group), (ALICE, GROUP)):
        link = await group_admins_link(fake, admin, group)
        async with pages(browser, web.url) as seen:
            page = await seen.new()
            await sign_in(page, link)
            await page.goto(web.url + "/events/new")
            await fill_event(page, starts, ends, fast=True)
            await page.locator("#field-title").fill(f"Picnic of {group['title']}")
            await page.click("#preview-event")
            await page.wait_for_load_state()
            assert "Preview of the new event:" in await page.inner_text(".reply-text")
            await page.click("button:has-text('Publish')")
            await page.wait_for_load_state()
            await page.goto(web.url + "/events")
            await page.click(f"text=Picnic of {group['title']}")
            await page.wait_for_url("**/events/e_*")
            made[group["title"]] = page.url
            if group is GROUP:
                # Alice's own list: her group's event, never the other group's.
                await page.goto(web.url + "/events")
                listing = await page.inner_text("main")
                assert "Picnic of Allies" in listing and "Other allies" not in listing
                assert "this group" in listing
                # The other group's event, even by its address, does not exist for her.
                answer = await page.goto(made["Other allies"])
                assert answer is not None and answer.status == 404
                assert "Other allies" not in await page.content()

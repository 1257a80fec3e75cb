"""The overview in a browser: supporters subscribe in the chat, the organizer sees the counts."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from playwright.async_api import Browser, Page

from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram, private_chat, user
from tests.browser.harness import PHONE, WebBot, dashboard_link, pages, screenshot, sign_in
from tests.e2e.people import pause, texts

# Ten supporters writing in English and two in Russian, all on Telegram.
ENGLISH = [user(7366600100 + n, "en", f"Quillon{n}") for n in range(10)]
RUSSIAN = [user(7366600200 + n, "ru", f"Ярослава{n}") for n in range(2)]


async def supporters_subscribe(fake: FakeTelegram) -> None:
    """Each supporter opens the chat, then subscribes to events, at a person's pace."""

    async def one(person: dict[str, Any]) -> None:
        _ = texts(person["language_code"])
        await pause()
        await fake.say(private_chat(person), person, "/start")
        await pause()
        [done] = await fake.say(private_chat(person), person, "/subscribe events")
        assert _("Done: you will get reminders about {topic}.").split("{")[0] in (done.text or "")

    await asyncio.gather(*(one(person) for person in ENGLISH + RUSSIAN))


async def cells(page: Page, caption: str) -> list[list[str]]:
    """The rows of the table with this caption, as the reader sees them."""
    table = page.locator("table", has=page.locator("caption", has_text=caption))
    rows = table.locator("tbody tr")
    return [
        [c.strip() for c in await rows.nth(i).locator("th, td").all_inner_texts()]
        for i in range(await rows.count())
    ]


async def test_the_overview_counts_what_supporters_did_without_naming_them(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    await supporters_subscribe(fake)
    link = await dashboard_link(fake)
    async with pages(browser, web.url) as seen:
        page = await seen.new()
        await sign_in(page, link)
        assert await page.locator("h1").inner_text() == "Overview"

        subscribers = await cells(page, "Active subscribers by topic")
        assert ["events", "Telegram", "en", "10"] in subscribers
        assert ["events", "Telegram", "ru", "fewer than 10"] in subscribers
        weekly = await cells(page, "The last 12 weeks")
        assert len(weekly) == 12
        # This week: 12 new subscriptions; nobody erased, no reminder or broadcast yet.
        assert weekly[-1][1:] == ["12"] + ["fewer than 10"] * 3

        # The topic's bar counts only the groups shown as numbers: 12 would give the 2 away.
        chart = page.locator("svg", has=page.locator("title", has_text="Subscribers by topic"))
        labels = await chart.locator("text").all_text_contents()
        assert "10" in labels and "12" not in labels
        erasures = page.locator("svg", has=page.locator("title", has_text="Erasures per week"))
        assert "fewer than 10" in await erasures.locator("text").all_text_contents()

        html = await page.content()
        for person in [*ENGLISH, *RUSSIAN]:
            assert str(person["id"]) not in html
            assert person["first_name"] not in html
        assert str(ORGANIZER["id"]) not in html
        await screenshot(page, "overview-desktop")

    async with pages(browser, web.url, viewport=PHONE) as seen:
        page = await seen.new()
        await sign_in(page, await dashboard_link(fake))
        # Usable at a phone's width: the page itself never scrolls sideways.
        width = await page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        assert re.search(r"Counts as of \d\d:\d\d:\d\d", await page.locator("main").inner_text())
        await screenshot(page, "overview-phone")

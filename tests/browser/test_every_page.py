"""Every page a signed-in organizer can reach, in both languages, at a phone's width: no count
under 10 shows as a number (tables, progress, charts), no page names anybody (no chat id, user
id or name of the people who use the bot), nothing overflows the screen sideways, and no page
asks any host but the app (the harness fails the test on any other).

The campaign here is small on purpose: a handful of supporters, so every count is under 10.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page

from tests.adapters.telegram.fake_server import ALICE, BORIS, ORGANIZER, FakeTelegram, user
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.browser.harness import PHONE, WebBot, dashboard_link, pages, screenshot, sign_in
from tests.e2e.people import pause

CAROL = user(7355509012, "en", "Carolina")
DMITRY = user(7355503456, "ru", "Дмитрий")
SUPPORTERS = (ALICE, BORIS, CAROL, DMITRY)
# Where the crawl never goes: it would end the session or leave the app.
SKIP = ("/logout", "/login/", "/static/")
DIGIT = re.compile(r"^\D*\b[0-9]\b\D*$")


def identities() -> list[str]:
    """What would name a person: every id and first name the fake's people have."""
    found: list[str] = []
    for person in (*SUPPORTERS, ORGANIZER):
        found += [str(person["id"]), str(person["first_name"])]
    return found


async def subscribe_everyone(fake: FakeTelegram) -> None:
    """A few supporters at human pace, in English and Russian, subscribe to two topics."""
    for person in SUPPORTERS:
        chat = chat_of(person)
        fake.chats[person["id"]] = chat
        await fake.say(chat, person, "/start")
        await pause()
        await fake.say(chat, person, "/subscribe events")
        await fake.say(chat, person, "/subscribe news")


async def links_of(page: Page, app_host: str) -> set[str]:
    """The app's own pages a person can follow from `page` (GET links only)."""
    found: set[str] = set()
    for href in await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        parts = urlsplit(str(href))
        if (
            parts.netloc == app_host
            and not parts.path.startswith(SKIP)
            and ".ics" not in parts.path
        ):
            found.add(parts._replace(query="", fragment="").geturl())
    return found


async def check_page(page: Page, seen: dict[str, Any]) -> None:
    html = await page.content()
    named = [who for who in identities() if who in html]
    assert not named, f"{page.url} names {named}"
    for text in await page.locator(".count").all_inner_texts():
        assert not DIGIT.match(text), f"{page.url}: a count under 10 shown as {text!r}"
    # SVG text has no innerText: read its textContent.
    for text in await page.eval_on_selector_all("svg text", "els => els.map(e => e.textContent)"):
        assert not DIGIT.match(str(text).strip()), f"{page.url}: a chart shows {text!r}"
    overflow = await page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"{page.url} scrolls sideways at a phone's width by {overflow}px"
    seen[page.url] = True


async def test_every_page_masks_small_counts_names_nobody_and_fits_a_phone(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    await subscribe_everyone(fake)
    for lang in ("en", "ru"):
        link = await dashboard_link(fake)
        async with pages(browser, web.url, viewport=PHONE) as context:
            page = await context.new()
            await sign_in(page, link)
            await page.goto(f"{web.url}/?lang={lang}")
            visited: dict[str, Any] = {}
            queue = [page.url.split("?")[0]]
            while queue:
                url = queue.pop()
                if url in visited:
                    continue
                response = await page.goto(url)
                assert response is not None and response.ok, (
                    f"{url}: {response and response.status}"
                )
                await check_page(page, visited)
                queue += sorted(await links_of(page, context.app_host) - set(visited))
            assert len(visited) >= 4, sorted(visited)
            # The calendar feed is a download, not a page: read as a calendar app would.
            feed = await (await context.context.request.get(f"{web.url}/events.ics")).text()
            assert "BEGIN:VCALENDAR" in feed
            assert not [who for who in identities() if who in feed]
            await screenshot(page, f"every-page-last-{lang}-phone")

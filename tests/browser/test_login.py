"""Signing in with /dashboard's one-time link: once, within its minutes, for that person only."""

from __future__ import annotations

import asyncio
import time

from playwright.async_api import Browser

from tests.adapters.telegram.fake_server import ALICE, ORGANIZER, FakeTelegram
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.browser.harness import PHONE, WebBot, dashboard_link, pages, screenshot, sign_in
from tests.e2e.people import texts


async def test_a_link_opens_the_dashboard_once(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    link = await dashboard_link(fake)
    async with pages(browser, web.url) as seen:
        page = await seen.new()
        # Opening the link (as a chat app's preview does) spends nothing: the button does.
        await page.goto(link)
        await page.goto(link)
        await sign_in(page, link)
        assert await page.locator("h1").inner_text() == "Overview"
        cookie = next(c for c in await seen.context.cookies() if c["name"] == "allybot")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"

        # The same link in another browser (a forwarded message) is refused.
        async with pages(browser, web.url) as other:
            stranger = await other.new()
            await sign_in(stranger, link)
            assert "no longer works" in await stranger.locator("h1").inner_text()
            assert "/dashboard" in await stranger.locator("[role=alert]").inner_text()
            await stranger.goto(web.url + "/")
            assert stranger.url.endswith("/signin")

        # Logging out ends the session: the overview asks to sign in again.
        await page.click("text=Log out")
        await page.goto(web.url + "/")
        assert page.url.endswith("/signin")


async def test_a_link_is_refused_after_its_minutes(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    """The bot says how long its link works; a minute here (WEB_LOGIN_MINUTES=1), on the clock."""
    web.settings["WEB_LOGIN_MINUTES"] = "1"
    await web.start()
    asked = time.monotonic()
    link = await dashboard_link(fake)
    [reply] = [s for s in fake.in_chat(ORGANIZER["id"]) if link in (s.text or "")]
    assert "within 1 minute" in (reply.text or "")
    await asyncio.sleep(max(0.0, 61.0 - (time.monotonic() - asked)))
    async with pages(browser, web.url, viewport=PHONE) as seen:
        page = await seen.new()
        await sign_in(page, link)
        assert "no longer works" in await page.locator("h1").inner_text()
        await screenshot(page, "login-refused-phone")


async def test_only_organizers_and_admins_get_a_link(web: WebBot, fake: FakeTelegram) -> None:
    await web.start()
    replies = await fake.say(chat_of(ALICE), ALICE, "/dashboard")
    assert all("/login/" not in (r.text or "") for r in replies)
    assert any(texts("en")("Only") in (r.text or "") for r in replies)

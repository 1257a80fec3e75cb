"""The dashboard's defences as a browser meets them, in the real process: the login token is in
no page after signing in and nowhere in the process's log (even at DEBUG), the strict CSP costs
no page anything (no violation reported), and after logging out the back button shows nothing
kept from the session."""

from __future__ import annotations

import re

from playwright.async_api import Browser, ConsoleMessage

from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram
from tests.browser.harness import WebBot, dashboard_link, pages, sign_in

PAGES = ("/", "/content", "/events", "/broadcasts", "/signin")
# The web adapter's own loggers and aiohttp's (the access log is off: request lines hold tokens).
WEB_LINE = re.compile(r"^\S+ \S+ \w+ (bot\.adapters\.web|bot\.dashboard|aiohttp)\S*: .*$", re.M)


async def test_the_token_stays_out_of_pages_and_log_and_csp_costs_nothing(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    web.settings["LOG_LEVEL"] = "DEBUG"
    await web.start()
    link = await dashboard_link(fake)
    token = link.rsplit("/", 1)[1]
    console: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        console.append(message.text)

    async with pages(browser, web.url) as seen:
        page = await seen.new()
        page.on("console", heard)
        await sign_in(page, link)
        assert token not in page.url
        [cookie] = [c for c in await seen.context.cookies() if c["name"] == "allybot"]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        # A script cannot read the session cookie (HttpOnly).
        assert "allybot=" not in await page.evaluate("document.cookie")
        for path in PAGES:
            await page.goto(web.url + path)
            body = await page.content()
            assert token not in body and cookie["value"] not in body, path
            assert str(ORGANIZER["id"]) not in body, path
        await page.goto(web.url + "/content")
        await page.click("text=Log out")
        assert page.url.endswith("/signin")
        # The pages were never stored (no-store): going back asks the server, which says sign in.
        await page.go_back()
        assert page.url.endswith("/signin"), page.url
        assert await page.locator("h1").inner_text() == "Sign in"
    assert not [text for text in console if "Content Security Policy" in text], console

    await web.stop()
    assert "dashboard on http://" in web.stderr
    assert token not in web.stderr and cookie["value"] not in web.stderr
    lines = [found[0] for found in WEB_LINE.finditer(web.stderr)]
    assert any("dashboard on http://" in line for line in lines)
    for line in lines:
        assert str(ORGANIZER["id"]) not in line, line

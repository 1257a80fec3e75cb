"""A Discord server's admin (Manage Server) uses /dashboard in the server: the link comes as an
ephemeral answer only they see (never a message in the channel), and it signs them in to their
server's pages only. A member without Manage Server gets no link."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser

from tests.adapters.telegram.fake_server import FakeTelegram
from tests.browser.harness import LINK, WebBot, pages, screenshot, sign_in
from tests.e2e.conftest import discord, stopped_at_the_end
from tests.e2e.discord import LaggyDiscord, answer, content, ephemeral

# The e2e tests' fake Discord (REST and gateway at 50-150 ms), the same fixture.
__all__ = ["discord"]


@pytest.fixture
async def web_discord(
    fake: FakeTelegram, discord: LaggyDiscord, database_url: str, tmp_path: Path
) -> AsyncIterator[WebBot]:
    """The dashboard's process serving the fake Discord too (not started)."""
    process = WebBot(fake, database_url, tmp_path, discord=discord)
    async with stopped_at_the_end(process):
        yield process
    assert "Traceback" not in process.stderr, process.stderr


async def test_a_server_admin_gets_an_ephemeral_link_that_signs_in(
    web_discord: WebBot, discord: LaggyDiscord, browser: Browser
) -> None:
    await web_discord.start()
    general = discord.guild.channels["general"]

    # A member without Manage Server: no link.
    refused = await answer(discord, await discord.slash("dashboard", admin=False))
    assert "/login/" not in content(refused) and "Only" in content(refused)

    asked = await answer(discord, await discord.slash("dashboard", admin=True))
    assert ephemeral(asked), asked
    found = LINK.search(content(asked))
    assert found, content(asked)
    link = found[0]
    assert "only this group's or server's pages of the dashboard" in content(asked)
    # Nothing about it was posted where the server could read it.
    assert not [m for m in discord.channel_messages[general] if "/login/" in content(m)]

    async with pages(browser, web_discord.url) as seen:
        page = await seen.new()
        await sign_in(page, link)
        assert page.url == web_discord.url + "/", page.url
        assert await page.locator("h1").inner_text() == "Overview"
        # A server's admin, not an organizer: no Content page.
        assert await page.locator("nav a[href='/content']").count() == 0
        response = await page.goto(web_discord.url + "/content")
        assert response is not None and response.status == 403
        await screenshot(page, "discord-admin-signed-in")
        # The link worked once.
        async with pages(browser, web_discord.url) as other:
            again = await other.new()
            await sign_in(again, link)
            assert "no longer works" in await again.locator("h1").inner_text()
    assert link.rsplit("/", 1)[1] not in web_discord.stderr

"""The Content page in a browser, on the running bot's CONTENT_DIR: an item past its `checked:`
date stands out with its file and line, and a mistake made in a file while the bot runs shows on
the next look with its file and line; in English and Russian, at a phone's width too."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from playwright.async_api import Browser

from content.i18n import CatalogTranslator
from content.loader import default_content_dir
from tests.adapters.telegram.fake_server import FakeTelegram
from tests.browser.harness import PHONE, WebBot, dashboard_link, pages, screenshot, sign_in

# The page's check is kept this long (bot/content_check.py KEEP_S), and a little more.
KEPT_S = 5.5


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` in the file by `new`; the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    return text[:at].count("\n") + 1


async def test_the_content_page_shows_stale_items_and_problems_with_file_and_line(
    web: WebBot, fake: FakeTelegram, browser: Browser, tmp_path: Path
) -> None:
    content = tmp_path / "content"
    shutil.copytree(default_content_dir(), content)
    stale_line = edit(content / "donate.yaml", "checked: 2026-12-01", "checked: 2025-01-05")
    web.settings["CONTENT_DIR"] = str(content)
    await web.start()
    link = await dashboard_link(fake)
    async with pages(browser, web.url, viewport=PHONE) as seen:
        page = await seen.new()
        await sign_in(page, link)
        await page.click("nav >> text=Content")
        assert page.url.endswith("/content")
        stale = page.locator("#stale tbody tr.stale")
        assert await stale.count() == 1
        cells = await stale.first.locator("td").all_inner_texts()
        assert cells == ["donate.yaml", str(stale_line), "funds[0]", "2025-01-05"]
        # The same finding is the highlighted row of the problems table.
        highlighted = page.locator("#problems tr.stale")
        assert "last checked on 2025-01-05" in await highlighted.inner_text()
        assert "0 errors" in await page.locator("#content-summary").inner_text()
        await screenshot(page, "content-stale-phone")

        # An organizer breaks a file while the bot runs; the page shows it on a later look.
        broken = edit(content / "events.yaml", "timezone: Asia/Hong_Kong", "timezone: Mars/Olympus")
        await asyncio.sleep(KEPT_S)
        await page.goto(web.url + "/content?lang=ru")
        ru = CatalogTranslator()
        one_error = ru.ngettext("ru", "{n} error", "{n} errors", 1).format(n=1)
        assert one_error in await page.locator("#content-summary").inner_text()
        row = page.locator("#problems tr.error")
        assert await row.count() == 1
        cells = await row.first.locator("td").all_inner_texts()
        assert cells[:3] == ["events.yaml", str(broken), ru.gettext("ru", "error")]
        assert "timezone" in cells[3]
        await screenshot(page, "content-error-ru-phone")

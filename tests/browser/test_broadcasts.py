"""Broadcasts in the browser: compose with the live preview, Confirm, watch the progress, approve
as a second organizer, and read the history's delivery charts.

Supporters subscribe through the fake Bot API at human pace (some in Russian); what the fake then
receives is compared with what the preview showed.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram, group_chat, user
from tests.adapters.telegram.fake_server import private_chat as chat_of
from tests.browser.harness import LINK, PHONE, WebBot, dashboard_link, pages, screenshot, sign_in
from tests.e2e.conftest import SECOND_ORGANIZER
from tests.e2e.people import PACE_S, texts

pytestmark = pytest.mark.timeout(150)

TEXT = (
    "Rally on Saturday at the embassy, 3 buses leave at noon.\n"
    "Stay safe: tell a friend where you go."
)
LINK_LINE = "Petition | https://example.org/sign"
FEWER = "fewer than 10"


def supporters(count: int, first_id: int = 7366600000) -> list[dict[str, Any]]:
    """`count` supporters, every third writing in Russian."""
    return [user(first_id + n, "ru" if n % 3 == 0 else "en", f"Supporter{n}") for n in range(count)]


async def subscribe(fake: FakeTelegram, people: list[dict[str, Any]], discreet_off: bool) -> None:
    """Each supporter subscribes to events in their private chat, at human pace, all at once."""

    async def one(person: dict[str, Any], start: float) -> None:
        await asyncio.sleep(start)
        chat = chat_of(person)
        if discreet_off:
            await fake.say(chat, person, "/settings discreet off")
            await asyncio.sleep(PACE_S)
        await fake.say(chat, person, "/subscribe events")

    await asyncio.gather(*(one(p, 0.15 * i) for i, p in enumerate(people)))


async def signed_in(browser_pages: Any, fake: FakeTelegram, person: dict[str, Any]) -> Page:
    page: Page = await browser_pages.new()
    await sign_in(page, await dashboard_link(fake, person))
    return page


async def compose(page: Page, base: str, text: str) -> None:
    """The organizer writes in the form; the live preview follows; then Preview (the draft)."""
    await page.goto(base + "/broadcasts")
    await page.select_option("#bc-audience", "events")
    await page.fill("#bc-text", text)


async def watch_percent(page: Page, until: str, within: float) -> list[str]:
    """The percents the page shows, read every 100 ms until it shows `until` (the page's own
    script updates them: the test only reads)."""
    shown: list[str] = []
    async with asyncio.timeout(within):
        while not shown or shown[-1] != until:
            percent = await page.locator("#bc-percent").inner_text()
            if not shown or shown[-1] != percent:
                shown.append(percent)
            await asyncio.sleep(0.1)
    return shown


def no_small_numbers(shown: list[str]) -> bool:
    return all(not (s.strip().isdigit() and int(s) < 10) for s in shown)


async def test_compose_preview_confirm_and_watch_it_go(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    # Two messages a second: the delivery takes several seconds, long enough to watch it go.
    web.settings["BROADCAST_TELEGRAM_RATE"] = "2"
    await web.start()
    people = supporters(12)
    # Most chats chose full texts; the Russian ones that did not stay discreet (the default).
    await subscribe(fake, people, discreet_off=True)
    discreet = user(7366699999, "ru", "Discreet")
    await subscribe(fake, [discreet], discreet_off=False)

    async with pages(browser, web.url) as seen:
        page = await signed_in(seen, fake, ORGANIZER)
        await compose(page, web.url, f"{TEXT}\n{LINK_LINE}")
        # With JS the preview follows the typing, before anything is stored.
        telegram = page.locator("#bc-preview-telegram")
        await telegram.wait_for()
        assert await telegram.inner_text() == TEXT
        assert await page.locator(".tg-button").inner_text() == "Petition"
        assert await page.locator("#bc-preview-discord").inner_text() == TEXT

        # Too long: the core's own refusal shows as the organizer types.
        await page.fill("#bc-text", "x" * 2001)
        await page.locator("#bc-preview-error").wait_for()
        assert "2000" in await page.locator("#bc-preview-error").inner_text()
        await page.fill("#bc-text", f"{TEXT}\n{LINK_LINE}")
        await telegram.wait_for()

        await page.click("#bc-submit")
        await page.wait_for_load_state()
        # The draft: who gets it by platform and language (masked under 10), the preview, Confirm.
        breakdown = await page.locator("#bc-breakdown td.num").all_inner_texts()
        assert breakdown and all(cell == FEWER for cell in breakdown), breakdown
        assert "Telegram" in await page.locator("#bc-breakdown").inner_text()
        said = await page.locator("#bc-said").inner_text()
        assert "Confirm" in said and no_small_numbers(said.split())
        shown = await page.locator("#bc-preview-telegram").inner_text()
        assert shown == TEXT
        # The page draws the preview: the organizer's phone gets no copy of the draft.
        assert not [s for s in fake.in_chat(ORGANIZER["id"]) if TEXT in (s.text or "")]
        await screenshot(page, "broadcast-draft")

        await page.click("#bc-confirm")
        await page.wait_for_load_state()
        await page.evaluate("window.notReloaded = true")
        # The bar reaches 100% as the fake delivers, without the page reloading.
        seen_percents = await watch_percent(page, until="100", within=60)
        assert await page.evaluate("window.notReloaded === true")
        assert await page.evaluate("document.getElementById('bc-bar').value") == 100
        # The runner settles the broadcast as done on its next round (every few seconds).
        await expect(page.locator("#bc-progress")).to_have_attribute(
            "data-state", "done", timeout=20_000
        )
        assert await page.locator("#bc-state").inner_text() == "finished"
        # The chart followed too, and a finished broadcast offers no Cancel.
        chart_rows = page.locator("#bc-chart-box .bc-chart-table td")
        assert await chart_rows.all_inner_texts() == ["13", FEWER, FEWER, FEWER]
        assert not await page.locator("#bc-cancel").is_visible()
        assert await page.locator("[data-part=total]").inner_text() == "13"
        assert await page.locator("[data-part=remaining]").inner_text() == FEWER
        # The page showed the bar moving, never backwards.
        numbers = [int(p) for p in seen_percents]
        assert numbers == sorted(numbers) and any(0 < n < 100 for n in numbers), numbers
        await screenshot(page, "broadcast-progress")

    # Every supporter got exactly what the Telegram preview showed, with its link button.
    for person in people:
        [got] = [s for s in fake.in_chat(person["id"]) if s.text == shown]
        assert [b.get("url") for b in got.buttons] == ["https://example.org/sign"]
    # The discreet chat got the neutral line the preview mentions, never the text.
    last = fake.in_chat(discreet["id"])[-1]
    assert last.text == texts("ru")("You have a new update")
    assert not [s for s in fake.in_chat(discreet["id"]) if s.text == shown]


async def test_a_second_organizer_approves_in_their_own_browser(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    web.settings["ORGANIZERS"] = f"telegram:{ORGANIZER['id']},telegram:{SECOND_ORGANIZER['id']}"
    web.settings["BROADCAST_SECOND_APPROVAL_ABOVE"] = "3"
    fake.chats[SECOND_ORGANIZER["id"]] = chat_of(SECOND_ORGANIZER)
    await web.start()
    people = supporters(5, first_id=7377700000)
    await subscribe(fake, people, discreet_off=True)
    text = "Write to the prosecutor today: the letter is in the channel."

    async with pages(browser, web.url) as writer_pages:
        writer = await signed_in(writer_pages, fake, ORGANIZER)
        await compose(writer, web.url, text)
        await writer.click("#bc-submit")
        await writer.wait_for_load_state()
        await writer.click("#bc-confirm")
        await writer.wait_for_load_state()
        assert "another organizer must approve" in await writer.locator("#bc-said").inner_text()
        broadcast_id = writer.url.rstrip("/").split("/")[-2]
        # The writer's own Approve: the core refuses, and the page says so.
        await writer.goto(web.url + "/broadcasts")
        awaiting = writer.locator(f"#awaiting-{broadcast_id}")
        assert "different organizer" in await awaiting.inner_text()
        await awaiting.locator("button").click()
        await writer.wait_for_load_state()
        said = await writer.locator("#bc-said").inner_text()
        assert "a different organizer must approve it" in said
        assert await writer.locator("#bc-state").inner_text() == "waiting for a second organizer"
        assert not [s for p in people for s in fake.in_chat(p["id"]) if s.text == text]

        # The bot asked the other organizer in their chat; they open the dashboard instead.
        [asked] = await fake.replies(SECOND_ORGANIZER["id"])
        assert f"#{broadcast_id}" in (asked.text or "")
        async with pages(browser, web.url) as approver_pages:
            approver = await signed_in(approver_pages, fake, SECOND_ORGANIZER)
            await approver.goto(web.url + "/broadcasts")
            await approver.locator(f"#awaiting-{broadcast_id} button").click()
            await approver.wait_for_load_state()
            assert texts("ru")("Approved.") in await approver.locator("#bc-said").inner_text()
            await screenshot(approver, "broadcast-approved-ru")

    await fake.wait_until(
        lambda: all(any(s.text == text for s in fake.in_chat(p["id"])) for p in people),
        within=30,
    )


async def test_history_charts_on_desktop_and_phone(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    people = supporters(4, first_id=7388800000)
    await subscribe(fake, people, discreet_off=True)
    async with pages(browser, web.url) as seen:
        page = await signed_in(seen, fake, ORGANIZER)
        await compose(page, web.url, "Vigil tonight at 20:00.")
        await page.click("#bc-submit")
        await page.wait_for_load_state()
        await page.click("#bc-confirm")
        await expect(page.locator("#bc-progress")).to_have_attribute(
            "data-state", "done", timeout=30_000
        )
        await page.goto(web.url + "/broadcasts")
        chart = page.locator(".bc-history svg.delivery-chart").first
        await chart.wait_for()
        assert "Delivery of broadcast" in await chart.locator("title").first.inner_html()
        # Four recipients: every bar is a hatched stub saying "fewer than 10", never a number.
        assert await chart.locator("rect[data-masked]").count() == 4
        labels = await chart.locator("text.count").all_text_contents()
        assert labels == [FEWER] * 4
        table = await page.locator(".bc-history .bc-chart-table td").all_inner_texts()
        assert table == [FEWER] * 4
        await screenshot(page, "broadcast-history-desktop")
        await page.set_viewport_size({"width": PHONE["width"], "height": PHONE["height"]})
        await page.reload()
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
            "the page scrolls sideways at 375 px"
        )
        await screenshot(page, "broadcast-history-phone")


async def test_a_group_admin_sees_only_their_group(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    people = supporters(2, first_id=7399900000)
    await subscribe(fake, people, discreet_off=True)
    # The organizer's campaign-wide broadcast, drafted in the chat: #1, not the group's.
    replies = await fake.say(chat_of(ORGANIZER), ORGANIZER, "/broadcast events Hello all", 2)
    assert any("#1" in (r.text or "") for r in replies)
    admin = user(7399911111, "en", "Admin")
    group = group_chat(-1007399990077)
    fake.make_admin(group["id"], admin["id"])
    fake.chats[admin["id"]] = chat_of(admin)
    # Asked in the group, the link comes in the admin's private chat.
    answers = await fake.answered(group, admin, "/dashboard")
    link = next(f[0] for f in (LINK.search(a.text or "") for a in answers) if f)
    async with pages(browser, web.url) as seen:
        page: Page = await seen.new()
        await sign_in(page, link)
        await page.goto(web.url + "/broadcasts")
        # An admin broadcasts only to their own group, and sees no approvals.
        options = await page.locator("#bc-audience option").all_inner_texts()
        assert options == ["This group or server"]
        assert await page.locator("#approval-h").count() == 0
        await page.fill("#bc-text", "Meeting moved to Friday.")
        await page.click("#bc-submit")
        await page.wait_for_load_state()
        await page.click("#bc-confirm")
        await page.wait_for_load_state()
        own = page.url.rstrip("/").split("/")[-2]
        await fake.wait_until(
            lambda: any(s.text == "Meeting moved to Friday." for s in fake.in_chat(group["id"]))
        )
        await page.goto(web.url + "/broadcasts")
        ids = [
            (await item.get_attribute("id") or "").removeprefix("history-")
            for item in await page.locator(".bc-history > li").all()
        ]
        assert ids == [own]
        # Another chat's broadcast does not exist for them, nor its progress, nor its buttons.
        for path in ("/broadcasts/1", "/broadcasts/1/progress"):
            response = await page.goto(web.url + path)
            assert response is not None and response.status == 404
        assert (await page.goto(web.url + f"/broadcasts/{own}")).status == 200  # type: ignore[union-attr]
        cancel = await page.request.post(
            web.url + "/broadcasts/1/cancel",
            form={"csrf": await page.locator("input[name=csrf]").first.input_value()},
        )
        assert cancel.status == 404
    assert "Hello all" not in " ".join(s.text or "" for p in people for s in fake.in_chat(p["id"]))


async def test_without_javascript_the_pages_still_work(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    """The preview comes with the draft page; the progress page refreshes itself."""
    await web.start()
    people = supporters(3, first_id=7311100000)
    await subscribe(fake, people, discreet_off=True)
    text = "Letters to the ministry go out on Monday."
    async with pages(browser, web.url, java_script_enabled=False) as seen:
        page = await signed_in(seen, fake, ORGANIZER)
        await compose(page, web.url, text)
        assert "as you write" in await page.locator("#bc-preview").inner_text()
        await page.click("#bc-submit")
        await page.wait_for_load_state()
        assert await page.locator("#bc-preview-telegram").inner_text() == text
        await page.click("#bc-confirm")
        await page.wait_for_load_state()
        # Reloaded every 5 seconds by the page's own <meta refresh> until it is finished.
        await expect(page.locator("#bc-state")).to_have_text("finished", timeout=30_000)
    for person in people:
        assert any(s.text == text for s in fake.in_chat(person["id"]))

"""A group's admin signs in with /dashboard typed in their group, and sees only their group.

Two Telegram groups, A and B, each with its admin. B's admin creates an event for group B and
broadcasts to group B, both in the chat as admins do. A's admin asks for the dashboard in group
A: the link arrives in their private chat only (never in the group), after the bot asked
Telegram whether they administer the group; a member who does not gets no link. Signed in, A's
admin can open none of B's pages, nor an organizer's (Content), and no page of theirs names
anything of B's; changing B's things through the dashboard is refused by the chat's own rules.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from playwright.async_api import Browser, Page

from tests.adapters.telegram.fake_server import FakeTelegram, Sent, group_chat, user
from tests.browser.harness import (
    WebBot,
    group_dashboard_link,
    make_group_admin,
    pages,
    screenshot,
    sign_in,
)
from tests.e2e.people import button_data

GROUP_A = group_chat(-1007399990011, title="Allies of A")
GROUP_B = group_chat(-1007399990022, title="Allies of B")
ADMIN_A = user(7366600011, "en", "Aminat")
ADMIN_B = user(7366600022, "en", "Bislan")
MEMBER = user(7366600033, "en", "Madina")
# An admin of group A who never opened a private chat with the bot.
SHY_ADMIN = user(7366600044, "en", "Zelim")
TITLE_A = "Candles in group A"
TITLE_B = "Picnic of group B"
TEXT_B = "Group B only: the picnic moves to noon"
BROADCAST = re.compile(r"Broadcast #(\d+)")


def replying_to(group: dict[str, Any], question: Sent, fake: FakeTelegram) -> dict[str, Any]:
    """The `reply_to_message` of an answer to the bot's question in a group."""
    return {
        "message_id": question.message_id,
        "date": 0,
        "chat": group,
        "from": fake.bot_user,
        "text": question.text,
    }


async def group_event(
    fake: FakeTelegram, group: dict[str, Any], admin: dict[str, Any], title: str
) -> str:
    """`admin` creates an event for `group` in the group, answering the form's questions as
    replies to them, and publishes it: the event's id."""
    [intro] = await fake.say(group, admin, f"/newevent@{fake.bot_user['username']}")
    assert "for this group only" in (intro.text or ""), intro.text
    [question] = await fake.tap(intro, button_data(intro, "eventform"), admin)
    for answer in (
        "Europe/Berlin",
        title,
        "2027-01-15 18:00",
        "2027-01-15 20:00",
        "The square by the river",
        "Bring a candle.",
    ):
        asked = replying_to(group, question, fake)
        [question] = await fake.say(group, admin, answer, reply_to_message=asked)
    assert (question.text or "").startswith("Preview of the new event:"), question.text
    [published] = await fake.tap(question, button_data(question, "eventdraft"), admin)
    assert (published.text or "").startswith("Published."), published.text
    for button in published.buttons:
        data = str(button.get("callback_data", ""))
        if data.startswith("ics "):
            return data.split()[1]
    raise AssertionError(f"no calendar button under {published.text!r}")


async def group_broadcast(
    fake: FakeTelegram, group: dict[str, Any], admin: dict[str, Any], text: str
) -> int:
    """`admin` broadcasts `text` to `group` (/broadcast here, in the group) and confirms it in
    their private chat, where the bot answers: the broadcast's number."""
    sent = await fake.answered(group, admin, f"/broadcast@{fake.bot_user['username']} here {text}")
    [draft] = sent
    assert draft.chat_id == admin["id"], "the draft is shown privately"
    found = BROADCAST.search(draft.text or "")
    assert found, draft.text
    # A private answer's buttons act for the group it was asked in ("^bcsend 1").
    [confirm] = [b["text"] for b in draft.buttons if "bcsend" in b.get("callback_data", "")]
    await fake.tap(draft, confirm, admin)
    await fake.wait_until(lambda: any(text in (s.text or "") for s in fake.in_chat(group["id"])))
    return int(found[1])


async def status_of(page: Page, url: str) -> int:
    response = await page.goto(url)
    assert response is not None
    return response.status


@pytest.mark.timeout(240)
async def test_a_groups_admin_sees_only_their_group(
    web: WebBot, fake: FakeTelegram, browser: Browser
) -> None:
    await web.start()
    make_group_admin(fake, GROUP_A, ADMIN_A)
    make_group_admin(fake, GROUP_B, ADMIN_B)
    fake.chats[MEMBER["id"]] = {"id": MEMBER["id"], "type": "private", "first_name": "Madina"}

    event_b = await group_event(fake, GROUP_B, ADMIN_B, TITLE_B)
    event_a = await group_event(fake, GROUP_A, ADMIN_A, TITLE_A)
    broadcast_b = await group_broadcast(fake, GROUP_B, ADMIN_B, TEXT_B)

    # A member of group A who is not its admin gets no link, anywhere.
    link, sent = await group_dashboard_link(fake, GROUP_A, MEMBER)
    assert link is None and all("/login/" not in (s.text or "") for s in sent), sent
    # A's admin gets one, in their private chat only, after the bot asked Telegram.
    link, sent = await group_dashboard_link(fake, GROUP_A, ADMIN_A)
    assert link is not None
    assert {s.chat_id for s in sent} == {ADMIN_A["id"]}
    assert "only this group's or server's pages of the dashboard" in (sent[0].text or "")
    assert not [s for s in fake.sent if s.chat_id == GROUP_A["id"] and "/login/" in (s.text or "")]
    # An admin the bot cannot write to privately is asked to open a private chat, in the group,
    # and the link is not put there instead.
    fake.make_admin(GROUP_A["id"], SHY_ADMIN["id"])
    link_shy, sent = await group_dashboard_link(fake, GROUP_A, SHY_ADMIN)
    assert link_shy is None and all("/login/" not in (s.text or "") for s in sent), sent
    assert [s.chat_id for s in sent] == [GROUP_A["id"]]
    assert "private chat" in (sent[0].text or ""), sent[0].text
    asked = [c.params for c in fake.calls_to("getChatMember")]
    assert any(
        int(p["chat_id"]) == GROUP_A["id"] and int(p["user_id"]) == ADMIN_A["id"] for p in asked
    )

    async with pages(browser, web.url) as seen:
        page = await seen.new()
        await sign_in(page, link)
        assert page.url == web.url + "/", page.url
        # Their menu offers no organizer's page, and the page refuses them in words.
        assert await page.locator("nav a[href='/content']").count() == 0
        assert await status_of(page, web.url + "/content") == 403
        assert "for the campaign's organizers" in await page.locator("[role=alert]").inner_text()
        await screenshot(page, "scopes-content-refused")

        # None of B's pages opens for them.
        for path in (
            f"/events/{event_b}",
            f"/broadcasts/{broadcast_b}",
            f"/broadcasts/{broadcast_b}/progress",
        ):
            assert await status_of(page, web.url + path) in (403, 404), path
            body = await page.content()
            assert TITLE_B not in body and TEXT_B not in body, path

        # No page of theirs names anything of B's; their own event is listed where events are.
        for path in ("/", "/events", "/events?when=past", "/broadcasts"):
            status = await status_of(page, web.url + path)
            body = await page.content()
            for secret in (TITLE_B, TEXT_B, str(GROUP_B["id"]), ADMIN_B["first_name"]):
                assert secret not in body, (path, secret)
            if path == "/events" and status == 200:
                assert TITLE_A in body
                assert f"/events/{event_a}" in body
        await screenshot(page, "scopes-admin-overview")

        # Changing B's things through the dashboard's actions: the chat's own refusals.
        await page.goto(web.url + "/")
        csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
        assert csrf
        # The event is as unknown to them as in their group's chat; the broadcast is refused.
        for command, argument, refusal in (
            ("cancelevent", event_b, "I don't know that event"),
            ("cancel", str(broadcast_b), "Only campaign organizers and the admins who sent it"),
        ):
            answer = await page.request.post(
                web.url + "/act", form={"csrf": csrf, "command": command, "arg": argument}
            )
            assert answer.status == 200
            body = html.unescape(await answer.text())
            assert refusal in body, (command, body)
            assert TITLE_B not in body and TEXT_B not in body and f'value="{argument}"' not in body
    # B's event is still on: nobody in group B was told of a cancellation.
    assert not [s for s in fake.in_chat(GROUP_B["id"]) if "cancel" in (s.text or "").lower()]

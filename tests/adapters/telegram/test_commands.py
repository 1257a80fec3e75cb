"""Every real command through the real PTB stack against the fake Bot API: what people see."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.adapters.telegram.render import MAX_BUTTON_CHARS, WORD_JOINER
from bot.app import Core
from bot.core.labels import shorten
from bot.core.messages import Address, ChatKind, Request
from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    BOT_USERNAME,
    GROUP,
    ORGANIZER,
    FakeTelegram,
    group_chat,
    private_chat,
)
from tests.support.fakes import FixedClock

OLD_GROUP = group_chat(-7399990002, kind="group", title="Old-style group")
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


async def expected_reply(
    core: Core,
    command: str,
    person: dict[str, Any],
    kind: ChatKind,
    locale: str,
    args: tuple[str, ...] = (),
) -> tuple[str, list[str], bool]:
    """What the core answers in a fresh chat of the same kind, and whether privately (a question
    is asked where its answer will be read, however private the command)."""
    reply = await core.dispatcher.dispatch(
        Request(
            command,
            args,
            Address("telegram", "-1" if kind is ChatKind.GROUP else "1"),
            str(person["id"]),
            kind,
            locale,
            is_chat_admin=True,
        )
    )
    assert reply is not None
    labels = [b.label for b in reply.buttons]
    return reply.text, labels, reply.private and not reply.asks


def one_link(text: str) -> str:
    return re.sub(r"/login/[A-Za-z0-9_-]+", "/login/<token>", text)


@pytest.mark.parametrize("person", [ALICE, BORIS], ids=["en", "ru"])
@pytest.mark.parametrize("where", ["private", "group"])
async def test_every_menu_command_shows_the_cores_reply(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core, person: dict[str, Any], where: str
) -> None:
    chat = private_chat(person) if where == "private" else GROUP
    kind = ChatKind.PRIVATE if where == "private" else ChatKind.GROUP
    if where == "group":
        fake.make_admin(GROUP["id"], person["id"], owner=True)
        fake.chats[person["id"]] = private_chat(person)  # they pressed Start once
    locale = person["language_code"]
    for command in core.registry.visible():
        typed = f"/{command.name}" if where == "private" else f"/{command.name}@{BOT_USERNAME}"
        sent = await fake.answered(chat, person, typed)
        text, labels, private = await expected_reply(core, command.name, person, kind, locale)
        # /dashboard's link is new each time it is asked for.
        assert one_link(sent[0].text or "") == one_link(text), command.name
        # Each label as Telegram shows it: a long one shortened at a word (bot.core.labels).
        shown = [shorten(label, MAX_BUTTON_CHARS) for label in labels]
        assert [b["text"] for b in sent[0].buttons] == shown, command.name
        if locale == "ru":
            assert CYRILLIC.search(sent[0].text or ""), command.name
        if where == "group" and private:
            assert {s.chat_id for s in sent} == {person["id"]}, "a private answer, privately"
        elif where == "group":
            assert {s.chat_id for s in sent} == {GROUP["id"]}, command.name
            assert sent[0].reply_to is not None, "group replies quote the command"


async def test_the_command_menu_is_published_in_english_and_russian(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    await fake.wait_until(lambda: len(fake.commands) == 4)  # default and organizer, en and ru
    default = '{"type": "default"}'
    english = fake.commands[(default, None)]
    russian = fake.commands[(default, "ru")]
    visible = [c.name for c in core.registry.visible() if c.shown_to(organizer=False, admin=False)]
    assert [c["command"] for c in english] == visible
    assert [c["command"] for c in russian] == visible
    assert english[0]["description"] == "What this bot is and how to help"
    assert all(CYRILLIC.search(c["description"]) for c in russian)
    assert "ics" not in visible and "rsvp" not in visible  # reached through buttons only
    organizer = f'{{"chat_id": {ORGANIZER["id"]}, "type": "chat"}}'
    assert (organizer, None) in fake.commands and (organizer, "ru") in fake.commands


async def test_pressing_menu_buttons_runs_their_commands(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(ALICE)
    [menu] = await fake.say(chat, ALICE, "/start")
    for label in [b["text"] for b in menu.buttons]:
        [shown] = await fake.tap(menu, label, ALICE)
        data = next(b["callback_data"] for b in menu.buttons if b["text"] == label)
        # The menu, then discreet mode on and off (offered until the chat chooses).
        command, *args = data.split()
        text, _, _ = await expected_reply(core, command, ALICE, ChatKind.PRIVATE, "en", tuple(args))
        assert shown.text == text
    answers = list(fake.callback_answers.values())
    assert len(answers) == len(menu.buttons), "every press is answered, stopping the spinner"


async def test_url_buttons_open_the_funds_and_an_action_button_subscribes(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(ALICE)
    [donate] = await fake.say(chat, ALICE, "/donate")
    links = [b for b in donate.buttons if "url" in b]
    funds = [fund for fund in core.deps.campaign.donate.funds if fund.url is not None]
    assert [b["url"] for b in links[: len(funds)]] == [fund.url.en for fund in funds]
    assert all("callback_data" not in b for b in links)
    await fake.tap(donate, donate.buttons[-1]["text"], ALICE)  # remind me of appeals
    assert [p.address for p in await core.store.subscribers("appeals")] == [
        Address("telegram", str(ALICE["id"]))
    ]


async def test_subscribe_and_unsubscribe_buttons_change_what_the_chat_receives(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(BORIS)
    [offer] = await fake.say(chat, BORIS, "/subscribe")
    [done] = await fake.tap(offer, offer.buttons[0]["text"], BORIS)  # events and rallies
    assert CYRILLIC.search(done.text or "")
    subscribed = await core.store.subscribers("events")
    assert [p.address for p in subscribed] == [Address("telegram", str(BORIS["id"]))]
    [listing] = await fake.say(chat, BORIS, "/unsubscribe")
    await fake.tap(listing, listing.buttons[-1]["text"], BORIS)  # stop all
    assert await core.store.subscribers("events") == []


async def test_calendar_button_sends_an_ics_document_and_rsvp_counts(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core, clock: FixedClock
) -> None:
    clock.now = datetime(2017, 5, 1, tzinfo=UTC)  # before the campaign's Hong Kong fundraiser
    chat = private_chat(ALICE)
    [listing] = await fake.say(chat, ALICE, "/events")
    kinds = {("url" if "url" in b else b["callback_data"].split()[0]) for b in listing.buttons}
    assert {"ics", "rsvp"} <= kinds
    calendar = next(b["text"] for b in listing.buttons if b.get("callback_data", "")[:3] == "ics")
    note, document = await fake.tap(listing, calendar, ALICE, 2)
    assert document.document is not None
    filename, content = document.document
    assert filename == "hong-kong-loves-chechnya.ics"
    assert content.startswith(b"BEGIN:VCALENDAR")
    assert "calendar" in (note.text or "")
    going = next(b["text"] for b in listing.buttons if b.get("callback_data", "")[:4] == "rsvp")
    [answer] = await fake.tap(listing, going, ALICE)
    assert "1 going" in (answer.text or "")


async def test_a_button_that_no_longer_applies_answers_politely(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    chat = private_chat(ALICE)
    for data in ("vanished-command x", "ics no-such-event"):
        fake.press_data(chat, ALICE, data)
    await fake.wait_until(lambda: len(fake.callback_answers) == 2)
    gone, stale_event = fake.callback_answers.values()
    assert "no longer works" in gone["text"]
    [told] = await fake.replies(chat["id"])
    assert "I don't know that event any more" in (told.text or "")
    assert "text" not in stale_event


async def test_a_group_member_who_is_not_admin_cannot_subscribe_the_group(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    for person in (ALICE, BORIS):
        fake.chats[person["id"]] = private_chat(person)
    [refused] = await fake.answered(GROUP, ALICE, f"/subscribe@{BOT_USERNAME} events")
    assert refused.chat_id == ALICE["id"], "told privately"
    assert refused.text == (
        "Only this group's admins can change what it receives. For reminders of your own, send me "
        "the same command in a private chat."
    )
    assert await core.store.subscribers("events") == []
    fake.make_admin(GROUP["id"], BORIS["id"])
    [done] = await fake.answered(GROUP, BORIS, f"/subscribe@{BOT_USERNAME} events")
    assert done.chat_id == BORIS["id"] and CYRILLIC.search(done.text or "")
    assert [p.address.chat_id for p in await core.store.subscribers("events")] == [str(GROUP["id"])]
    checks = fake.calls_to("getChatMember")
    assert [c.params["user_id"] for c in checks] == [ALICE["id"], BORIS["id"]]
    await fake.say(GROUP, ALICE, f"/donate@{BOT_USERNAME}")
    assert len(fake.calls_to("getChatMember")) == 2, "only chat-changing commands ask"
    assert [s.text for s in fake.in_chat(GROUP["id"])][:-1] == [], "only /donate was public"


async def test_a_non_admin_pressing_a_group_button_is_told_privately(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.make_admin(OLD_GROUP["id"], BORIS["id"], owner=True)
    await fake.say(OLD_GROUP, BORIS, f"/start@{BOT_USERNAME}")  # the chat is known
    fake.press_data(OLD_GROUP, ALICE, "subscribe events")  # a subscribe button in the group
    await fake.wait_until(lambda: len(fake.callback_answers) == 1)
    [answer] = fake.callback_answers.values()
    assert answer["show_alert"] is True
    assert answer["text"] == (
        "Only this group's admins can change what it receives. For reminders of your own, send me "
        "the same command in a private chat."
    )
    assert len(fake.in_chat(OLD_GROUP["id"])) == 1, "nothing said in front of the group"


async def test_group_commands_for_other_bots_and_unknown_bare_commands_are_ignored(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.message(GROUP, ALICE, "/donate@some_other_bot")
    fake.message(GROUP, ALICE, "/weather")
    [reply] = await fake.say(GROUP, ALICE, f"/dnate@{BOT_USERNAME}")
    assert reply.text is not None and "Did you mean /donate?" in reply.text
    assert len(fake.in_chat(GROUP["id"])) == 1


async def test_user_input_that_looks_like_html_or_mentions_comes_back_literally(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.make_admin(GROUP["id"], ALICE["id"])
    for typed in (
        "<b>bold</b>",
        "@everyone",
        "&amp;",
        "<a_href='https://evil.example'>x</a>",
        "@Alice_in_the_group",
        "<i>@admin</i>",
    ):
        for chat in (private_chat(ALICE), GROUP):
            [reply] = await fake.say(chat, ALICE, f"/events@{BOT_USERNAME} {typed}")
            shown = (reply.text or "").replace(WORD_JOINER, "")
            assert f"“{typed}” is not one of" in shown
            assert "<" not in (reply.html or "").replace("&lt;", "")
            assert reply.mentions == [], "nobody is pinged through the bot"


async def test_flood_control_during_a_reply_waits_exactly_as_asked(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.flood("sendMessage", retry_after=1)
    [reply] = await fake.say(private_chat(ALICE), ALICE, "/donate")
    assert reply.text
    refused, accepted = fake.calls_to("sendMessage")[-2:]
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 1.0


async def test_a_network_drop_during_a_reply_still_delivers_it_once(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.drop_next("sendMessage")
    [reply] = await fake.say(private_chat(ALICE), ALICE, "/remember")
    assert reply.text
    assert [c.status for c in fake.calls_to("sendMessage")] == [599, 200]
    assert len(fake.in_chat(ALICE["id"])) == 1

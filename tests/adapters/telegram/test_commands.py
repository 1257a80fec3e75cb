"""Every real command through the real PTB stack against the fake Bot API: what people see."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.adapters.telegram.messenger import TelegramMessenger, build_telegram
from bot.adapters.telegram.render import WORD_JOINER
from bot.app import Core
from bot.core.messages import ActionButton, Address, ChatKind, Request, UrlButton
from bot.settings import Settings
from tests.adapters.telegram.fake_server import (
    BOT_USERNAME,
    TOKEN,
    FakeTelegram,
    Sent,
    eventually,
    group_chat,
    private_chat,
    running,
    user,
)
from tests.support.fakes import FixedClock

ORGANIZER = user(7311223344, "en", "Org")
ALICE = user(7355501234, "en", "Alice")
BORIS = user(7355505678, "ru", "Борис")
GROUP = group_chat(-1007399990001)
OLD_GROUP = group_chat(-7399990002, kind="group", title="Old-style group")
CYRILLIC = re.compile("[а-яА-ЯёЁ]")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}",
        organizers=f"telegram:{ORGANIZER['id']}",  # type: ignore[arg-type]
        telegram_bot_token=TOKEN,  # type: ignore[arg-type]
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    # The organizer has opened a chat with the bot, so a chat-scoped menu can be set.
    server.chats[ORGANIZER["id"]] = private_chat(ORGANIZER)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def tg(core: Core, fake: FakeTelegram) -> AsyncIterator[TelegramMessenger]:
    messenger = TelegramMessenger(
        TOKEN,
        core.registry,
        core.translator,
        core.store,
        core.settings.organizers,
        base_url=fake.base_url,
        poll_timeout=1,
        retry_backoff=0.01,
        concurrent_updates=1,
    )
    async with running(messenger, core.dispatcher.dispatch, fake):
        yield messenger


async def say(
    fake: FakeTelegram, chat: dict[str, Any], person: dict[str, Any], text: str, count: int = 1
) -> list[Sent]:
    fake.message(chat, person, text)
    return await fake.replies(chat["id"], count)


async def expected_reply(
    core: Core, command: str, person: dict[str, Any], kind: ChatKind, locale: str
) -> tuple[str, list[str]]:
    """What the core answers the same command in a fresh chat of the same kind."""
    reply = await core.dispatcher.dispatch(
        Request(
            command,
            (),
            Address("telegram", "-1" if kind is ChatKind.GROUP else "1"),
            str(person["id"]),
            kind,
            locale,
            is_chat_admin=True,
        )
    )
    assert reply is not None
    labels = [b.label for b in reply.buttons if isinstance(b, ActionButton | UrlButton)]
    return reply.text, labels


@pytest.mark.parametrize("person", [ALICE, BORIS], ids=["en", "ru"])
@pytest.mark.parametrize("where", ["private", "group"])
async def test_every_menu_command_shows_the_cores_reply(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core, person: dict[str, Any], where: str
) -> None:
    chat = private_chat(person) if where == "private" else GROUP
    kind = ChatKind.PRIVATE if where == "private" else ChatKind.GROUP
    if where == "group":
        fake.make_admin(GROUP["id"], person["id"], owner=True)
    locale = person["language_code"]
    for command in core.registry.visible():
        typed = f"/{command.name}" if where == "private" else f"/{command.name}@{BOT_USERNAME}"
        sent = await say(fake, chat, person, typed)
        text, labels = await expected_reply(core, command.name, person, kind, locale)
        assert sent[0].text == text, command.name
        assert [b["text"] for b in sent[0].buttons] == labels, command.name
        if locale == "ru":
            assert CYRILLIC.search(sent[0].text or ""), command.name
        if where == "group":
            assert sent[0].reply_to is not None, "group replies quote the command"


async def test_the_command_menu_is_published_in_english_and_russian(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    await fake.wait_until(lambda: len(fake.commands) == 4)  # default and organizer, en and ru
    default = '{"type": "default"}'
    english = fake.commands[(default, None)]
    russian = fake.commands[(default, "ru")]
    visible = [c.name for c in core.registry.visible() if not c.organizer_only]
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
    [menu] = await say(fake, chat, ALICE, "/start")
    for label in [b["text"] for b in menu.buttons]:
        fake.press(menu, label, ALICE)
        [shown] = await fake.replies(chat["id"])
        command = next(b["callback_data"] for b in menu.buttons if b["text"] == label)
        text, _ = await expected_reply(core, command, ALICE, ChatKind.PRIVATE, "en")
        assert shown.text == text
    answers = list(fake.callback_answers.values())
    assert len(answers) == len(menu.buttons), "every press is answered, stopping the spinner"


async def test_url_buttons_open_the_funds_and_an_action_button_subscribes(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(ALICE)
    [donate] = await say(fake, chat, ALICE, "/donate")
    links = [b for b in donate.buttons if "url" in b]
    funds = core.deps.campaign.donate.funds
    assert [b["url"] for b in links] == [fund.url for fund in funds]
    assert all("callback_data" not in b for b in links)
    fake.press(donate, donate.buttons[-1]["text"], ALICE)  # remind me of appeals
    await fake.replies(chat["id"])
    assert [p.address for p in await core.store.subscribers("appeals")] == [
        Address("telegram", str(ALICE["id"]))
    ]


async def test_subscribe_and_unsubscribe_buttons_change_what_the_chat_receives(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(BORIS)
    [offer] = await say(fake, chat, BORIS, "/subscribe")
    fake.press(offer, offer.buttons[0]["text"], BORIS)  # events and rallies
    [done] = await fake.replies(chat["id"])
    assert CYRILLIC.search(done.text or "")
    subscribed = await core.store.subscribers("events")
    assert [p.address for p in subscribed] == [Address("telegram", str(BORIS["id"]))]
    [listing] = await say(fake, chat, BORIS, "/unsubscribe")
    fake.press(listing, listing.buttons[-1]["text"], BORIS)  # stop all
    await fake.replies(chat["id"])
    assert await core.store.subscribers("events") == []


async def test_calendar_button_sends_an_ics_document_and_rsvp_counts(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core, clock: FixedClock
) -> None:
    clock.now = datetime(2017, 5, 1, tzinfo=UTC)  # before the campaign's Hong Kong fundraiser
    chat = private_chat(ALICE)
    [listing] = await say(fake, chat, ALICE, "/events")
    kinds = {("url" if "url" in b else b["callback_data"].split()[0]) for b in listing.buttons}
    assert {"ics", "rsvp"} <= kinds
    calendar = next(b["text"] for b in listing.buttons if b.get("callback_data", "")[:3] == "ics")
    fake.press(listing, calendar, ALICE)
    note, document = await fake.replies(chat["id"], 2)
    assert document.document is not None
    filename, content = document.document
    assert filename == "hong-kong-loves-chechnya.ics"
    assert content.startswith(b"BEGIN:VCALENDAR")
    assert "calendar" in (note.text or "")
    going = next(b["text"] for b in listing.buttons if b.get("callback_data", "")[:4] == "rsvp")
    fake.press(listing, going, ALICE)
    [answer] = await fake.replies(chat["id"])
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
    [refused] = await say(fake, GROUP, ALICE, f"/subscribe@{BOT_USERNAME} events")
    assert refused.text == (
        "Only this group's admins can change what it receives. For reminders of your own, send me "
        "the same command in a private chat."
    )
    assert await core.store.subscribers("events") == []
    fake.make_admin(GROUP["id"], BORIS["id"])
    [done] = await say(fake, GROUP, BORIS, f"/subscribe@{BOT_USERNAME} events")
    assert CYRILLIC.search(done.text or "")
    assert [p.address.chat_id for p in await core.store.subscribers("events")] == [str(GROUP["id"])]
    checks = fake.calls_to("getChatMember")
    assert [c.params["user_id"] for c in checks] == [ALICE["id"], BORIS["id"]]
    await say(fake, GROUP, ALICE, f"/donate@{BOT_USERNAME}")
    assert len(fake.calls_to("getChatMember")) == 2, "only chat-changing commands ask"


async def test_a_non_admin_pressing_a_group_button_is_told_privately(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.make_admin(OLD_GROUP["id"], BORIS["id"], owner=True)
    [offer] = await say(fake, OLD_GROUP, BORIS, f"/subscribe@{BOT_USERNAME}")
    fake.press(offer, offer.buttons[0]["text"], ALICE)
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
    [reply] = await say(fake, GROUP, ALICE, f"/dnate@{BOT_USERNAME}")
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
            [reply] = await say(fake, chat, ALICE, f"/events@{BOT_USERNAME} {typed}")
            shown = (reply.text or "").replace(WORD_JOINER, "")
            assert f"“{typed}” is not one of" in shown
            assert "<" not in (reply.html or "").replace("&lt;", "")
            assert reply.mentions == [], "nobody is pinged through the bot"


async def test_a_deep_link_start_is_counted_in_aggregate_and_greets(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    [greeting] = await say(fake, private_chat(ALICE), ALICE, "/start pride2026")
    await say(fake, private_chat(BORIS), BORIS, "/start pride2026")
    assert greeting.text is not None and greeting.text.startswith("Hello!")
    assert await core.store.campaign_starts() == {"pride2026": 2}


async def test_blocking_the_bot_deactivates_the_chat_and_unblocking_restores_it(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(ALICE)
    await say(fake, chat, ALICE, "/subscribe events")

    async def subscribed() -> bool:
        return bool(await core.store.subscribers("events"))

    fake.membership(chat, ALICE, "kicked")
    await eventually(lambda: _not(subscribed))
    fake.membership(chat, ALICE, "member")
    await eventually(subscribed)


async def _not(check: Any) -> bool:
    return not await check()


async def test_flood_control_during_a_reply_waits_exactly_as_asked(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.flood("sendMessage", retry_after=1)
    [reply] = await say(fake, private_chat(ALICE), ALICE, "/donate")
    assert reply.text
    refused, accepted = fake.calls_to("sendMessage")[-2:]
    assert (refused.status, accepted.status) == (429, 200)
    assert accepted.at - refused.at >= 1.0


async def test_a_network_drop_during_a_reply_still_delivers_it_once(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.drop_next("sendMessage")
    [reply] = await say(fake, private_chat(ALICE), ALICE, "/remember")
    assert reply.text
    assert [c.status for c in fake.calls_to("sendMessage")] == [599, 200]
    assert len(fake.in_chat(ALICE["id"])) == 1


async def test_a_forbidden_reply_deactivates_the_chat(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    chat = private_chat(BORIS)
    await say(fake, chat, BORIS, "/subscribe petitions")
    fake.block(BORIS["id"])  # blocked, and Telegram's my_chat_member update got lost
    fake.message(chat, BORIS, "/donate")
    await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 403)
    await eventually(lambda: _not(lambda: core.store.subscribers("petitions")))
    [ok] = await say(fake, private_chat(ALICE), ALICE, "/help")
    assert ok.text, "the bot keeps serving everyone else"


async def test_the_composition_roots_settings_point_the_bot_at_a_self_hosted_api_server(
    core: Core, fake: FakeTelegram
) -> None:
    root = fake.base_url.removesuffix("/bot")  # as a self-hosted server is usually given
    settings = core.settings.model_copy(update={"telegram_api_base_url": root})
    messenger = build_telegram(dataclasses.replace(core, settings=settings))
    async with running(messenger, core.dispatcher.dispatch, fake):
        [reply] = await say(fake, private_chat(BORIS), BORIS, "/remember")
    assert reply.text is not None and CYRILLIC.search(reply.text)
    methods = [c.method for c in fake.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    first_poll = fake.calls_to("getUpdates")[0]
    assert methods.index("getUpdates") > 1 and first_poll.params["timeout"] == 10, "long polling"

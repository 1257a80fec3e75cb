"""Protocol edges with a tiny registry: menus, long texts, channels, send(), start-up."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.adapters.telegram.messenger import (
    TokenRejected,
    WebhookConfig,
    WebhookRefused,
    api_urls,
)
from bot.core.chats import ChatEvents
from bot.core.commands import Arg, Command, Registry
from bot.core.dispatcher import Dispatcher
from bot.core.messages import ActionButton, Address, Reply, Request
from bot.core.ports import Dispatch, RecipientGone, TryLater
from bot.ratelimit import Unlimited
from tests.adapters.telegram.fake_server import (
    ALICE,
    BOT_USERNAME,
    GROUP,
    ORGANIZER,
    TOKEN,
    Failure,
    FakeTelegram,
    group_chat,
    private_chat,
    running,
)
from tests.support.fakes import BareDeps, InMemoryStore

CHANNEL = {"id": -1007399990077, "type": "channel", "title": "Allies news"}
# A Discord organizer too: the Telegram menus must leave it out.
ORGANIZERS = (Address("telegram", str(ORGANIZER["id"])), Address("discord", "1"))
LONG_LINE = "Every word here is a real word of a long announcement. "


class EchoTranslator:
    """English everywhere, with a marked Russian so menus show which language they carry."""

    locales = ("en", "ru")

    def gettext(self, locale: str | None, message: str) -> str:
        return f"[ru] {message}" if locale == "ru" else message

    def ngettext(self, locale: str | None, singular: str, plural: str, n: int) -> str:
        return self.gettext(locale, singular if n == 1 else plural)


async def long_text(request: Request, deps: None) -> Reply:
    """A reply longer than two Telegram messages."""
    text = "\n".join((LONG_LINE * 3).strip() for _ in range(60))
    return Reply(text, buttons=(ActionButton("More", "long"),))


async def buttons(request: Request, deps: None) -> Reply:
    """One action too long for callback data between two that fit."""
    return Reply(
        "Pick one",
        buttons=(
            ActionButton("Fits", "echo", ("a",)),
            ActionButton("Too long", "echo", ("x" * 80,)),
            ActionButton("Fits too", "echo", ("b",)),
        ),
    )


async def echo(request: Request, deps: None) -> Reply:
    """Says back the arguments and whether the asker administers the chat."""
    return Reply(f"{' '.join(request.args)} admin={request.is_chat_admin}")


async def mine(request: Request, deps: None) -> Reply:
    """A private answer too long for an alert, naming the chat it was asked for."""
    where = f"for {request.chat.chat_id} ({request.chat_kind}, admin={request.is_chat_admin})"
    return Reply(where + "\n" + LONG_LINE * 5, buttons=(ActionButton("Again", "mine"),))


REGISTRY: Registry[None] = Registry(
    [
        Command("mine", "Private things", mine, private=True, changes_chat=True),
        Command("long", "A long text", long_text),
        Command("buttons", "Buttons", buttons),
        Command("echo", "Echo", echo, args=(Arg("words", "words", rest=True),), hidden=True),
        Command("manage", "Change the chat", echo, changes_chat=True),
        Command("announce", "Send an announcement", echo, organizer_only=True),
    ]
)


@pytest.fixture
def echo_bot(
    store: InMemoryStore,
    chat_events: ChatEvents,
    new_messenger: Callable[..., TelegramMessenger],
) -> Callable[..., TelegramMessenger]:
    """A messenger on the tiny registry, not yet running; options as TelegramMessenger's."""

    def build(**options: Any) -> TelegramMessenger:
        return new_messenger(REGISTRY, EchoTranslator(), store, chat_events, ORGANIZERS, **options)

    return build


@pytest.fixture
def dispatch(store: InMemoryStore) -> Dispatch:
    dispatcher = Dispatcher(
        REGISTRY, BareDeps(store, EchoTranslator(), frozenset(ORGANIZERS)), Unlimited()
    )
    return dispatcher.dispatch


@pytest.fixture
async def tg(
    fake: FakeTelegram, echo_bot: Callable[..., TelegramMessenger], dispatch: Dispatch
) -> AsyncIterator[TelegramMessenger]:
    async with running(echo_bot(), dispatch, fake) as bot:
        yield bot


async def test_organizer_only_commands_appear_only_in_organizers_menus(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    await fake.wait_until(lambda: len(fake.commands) == 4)
    default = '{"type": "default"}'
    organizer = json.dumps({"chat_id": ORGANIZER["id"], "type": "chat"}, sort_keys=True)
    public = [c["command"] for c in fake.commands[(default, None)]]
    assert public == ["mine", "long", "buttons", "manage"]
    assert [c["command"] for c in fake.commands[(organizer, None)]] == [*public, "announce"]
    assert fake.commands[(organizer, "ru")][-1]["description"] == "[ru] Send an announcement"


async def test_a_long_reply_is_split_at_line_ends_with_buttons_on_the_last_part(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    chat = private_chat(ALICE)
    expected = (await long_text(Request("long", (), Address("t", "1"), "1"), None)).text
    parts = await fake.say(chat, ALICE, "/long", 3)
    assert 8192 < len(expected) <= 3 * 4096
    assert "\n".join(p.text or "" for p in parts) == expected
    assert all(len(p.text or "") <= 4096 for p in parts)
    assert all((p.text or "").endswith("announcement.") for p in parts)
    assert [bool(p.buttons) for p in parts] == [False, False, True]


async def test_an_action_too_long_for_callback_data_is_left_out_not_fatal(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    chat = private_chat(ALICE)
    [shown] = await fake.say(chat, ALICE, "/buttons")
    assert [b["text"] for b in shown.buttons] == ["Fits", "Fits too"]
    [pressed] = await fake.tap(shown, "Fits too", ALICE)
    assert pressed.text == "b admin=False"


async def test_a_command_posted_in_a_channel_is_answered_there_as_from_an_admin(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    [reply] = await fake.say(CHANNEL, None, f"/manage@{BOT_USERNAME}")
    assert reply.text == "admin=True"
    assert fake.calls_to("getChatMember") == []


async def test_an_anonymous_group_admin_may_change_the_group(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    anonymous = {
        "id": 1087968824,
        "is_bot": True,
        "first_name": "Group",
        "username": "GroupAnonymousBot",
    }
    [reply] = await fake.say(GROUP, anonymous, "/manage", sender_chat=GROUP)
    assert reply.text == "admin=True"


async def test_answers_in_a_forum_group_stay_in_the_asker_s_topic(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    forum = {**group_chat(-1007399990033, title="Allies forum"), "is_forum": True}
    [shown] = await fake.say(forum, ALICE, "/buttons", message_thread_id=7, is_topic_message=True)
    assert shown.thread == 7 and shown.reply_to is not None
    [pressed] = await fake.tap(shown, "Fits", ALICE)
    assert (pressed.text, pressed.thread) == ("a admin=False", 7)


async def test_send_maps_telegrams_refusals_for_the_caller(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    chat = private_chat(ALICE)
    fake.chats[ALICE["id"]] = chat
    await tg.send(Address("telegram", str(ALICE["id"])), Reply("News <3"))
    assert fake.in_chat(ALICE["id"])[-1].text == "News <3"

    fake.flood("sendMessage", retry_after=7)
    with pytest.raises(TryLater) as flood:
        await tg.send(Address("telegram", str(ALICE["id"])), Reply("News"))
    assert flood.value.retry_after == 7

    fake.drop_next("sendMessage")
    with pytest.raises(TryLater) as dropped:
        await tg.send(Address("telegram", str(ALICE["id"])), Reply("News"))
    assert dropped.value.retry_after is None, "the broadcaster's own backoff applies"

    with pytest.raises(RecipientGone):
        await tg.send(Address("telegram", "7399999999"), Reply("News"))  # chat not found
    fake.block(ALICE["id"])
    with pytest.raises(RecipientGone):
        await tg.send(Address("telegram", str(ALICE["id"])), Reply("News"))
    assert len(fake.in_chat(ALICE["id"])) == 1


async def test_send_before_the_bot_runs_asks_to_try_later(
    echo_bot: Callable[..., TelegramMessenger],
) -> None:
    with pytest.raises(TryLater):
        await echo_bot().send(Address("telegram", "1"), Reply("x"))


async def test_telegram_down_at_start_is_waited_out(
    fake: FakeTelegram, echo_bot: Callable[..., TelegramMessenger], dispatch: Dispatch
) -> None:
    fake.fail_next("getMe", Failure(502, "Bad Gateway"), times=2)
    fake.fail_next("getMe", Failure(drop=True))
    async with running(echo_bot(), dispatch, fake):
        [reply] = await fake.say(private_chat(ALICE), ALICE, "/echo hi")
    assert reply.text == "hi admin=False"
    assert [c.status for c in fake.calls_to("getMe")] == [502, 502, 599, 200]


async def test_a_polling_outage_is_survived(tg: TelegramMessenger, fake: FakeTelegram) -> None:
    fake.fail_next("getUpdates", Failure(502, "Bad Gateway"))
    fake.fail_next("getUpdates", Failure(drop=True))
    await fake.wait_until(
        lambda: [c.status for c in fake.calls_to("getUpdates")][-2:] == [502, 599]
    )
    fake.message(private_chat(ALICE), ALICE, "/echo back")
    [reply] = await fake.replies(ALICE["id"], within=15)  # PTB pauses polling after failures
    assert reply.text == "back admin=False"


async def test_a_rejected_token_stops_with_a_message_that_does_not_contain_it(
    fake: FakeTelegram, echo_bot: Callable[..., TelegramMessenger], dispatch: Dispatch
) -> None:
    fake.token = "7300000001:" + "AAnotTheRightOneForThisBotAtAll_xyz"
    with pytest.raises(TokenRejected) as rejected:
        await echo_bot().run(dispatch)
    assert TOKEN not in str(rejected.value)
    assert rejected.value.__cause__ is None and rejected.value.__suppress_context__


async def listening(port: int) -> None:
    """Wait until the webhook server accepts connections (it starts after setWebhook)."""
    async with asyncio.timeout(10):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.02)
                continue
            writer.close()
            await writer.wait_closed()
            return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SECRET = "k" * 20 + "_-" + "Zq09" * 5  # 42 characters of Telegram's alphabet
HOOK = "https://bot.example.org/telegram/hook"


def hook_update(update_id: int, text: str) -> dict[str, Any]:
    chat = private_chat(ALICE)
    return {
        "update_id": update_id,
        "message": {
            "message_id": 5 + update_id,
            "date": 0,
            "chat": chat,
            "from": ALICE,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}],
        },
    }


async def test_webhook_mode_registers_the_webhook_and_refuses_posts_without_its_secret(
    fake: FakeTelegram, echo_bot: Callable[..., TelegramMessenger], dispatch: Dispatch
) -> None:
    asked: list[Request] = []

    async def counting(request: Request) -> Reply | None:
        asked.append(request)
        return await dispatch(request)

    port = free_port()
    config = WebhookConfig(HOOK, f"127.0.0.1:{port}", SECRET)
    async with running(echo_bot(webhook=config), counting, fake, ready_on="setWebhook"):
        assert fake.webhook is not None
        assert fake.webhook["url"] == config.url
        assert fake.webhook["secret_token"] == SECRET
        fake.chats[ALICE["id"]] = private_chat(ALICE)
        await listening(port)
        url = f"http://127.0.0.1:{port}/telegram/hook"
        header = "X-Telegram-Bot-Api-Secret-Token"
        forged = {
            "none": {},
            "empty": {header: ""},
            "a guess": {header: "guess"},
            "a prefix": {header: SECRET[:-1]},
            "one more": {header: SECRET + "x"},
        }
        async with aiohttp.ClientSession() as http:
            refused = []
            for number, headers in enumerate(forged.values(), start=1):
                answer = await http.post(
                    url, json=hook_update(number, "/echo forged"), headers=headers
                )
                refused.append(answer.status)
            right = await http.post(
                url, json=hook_update(9, "/echo hook"), headers={header: SECRET}
            )
            nonsense = await http.post(url, data=b"not json", headers={header: SECRET})
        assert refused == [403] * len(forged)
        assert (right.status, nonsense.status) == (200, 400)
        [reply] = await fake.replies(ALICE["id"])
        assert reply.text == "hook admin=False"
        assert [r.args for r in asked] == [("hook",)], "forged posts reached nothing"
        assert [s.text for s in fake.sent] == ["hook admin=False"]
    assert fake.calls_to("getUpdates") == []


def test_a_webhook_without_a_long_secret_cannot_be_configured() -> None:
    for secret in ("", "s3cret", "x" * 31, "x" * 257, "é" * 40, "a b" * 20):
        with pytest.raises(ValueError, match="secret"):
            WebhookConfig(HOOK, "127.0.0.1:8443", secret)


async def test_a_webhook_url_telegram_refuses_stops_the_start(
    fake: FakeTelegram, echo_bot: Callable[..., TelegramMessenger], dispatch: Dispatch
) -> None:
    fake.fail_next(
        "setWebhook", Failure(400, "Bad Request: bad webhook: HTTPS url must be provided")
    )
    config = WebhookConfig("http://bot.example.org/hook", f"127.0.0.1:{free_port()}", SECRET)
    with pytest.raises(WebhookRefused, match="TELEGRAM_WEBHOOK_URL: Bad webhook"):
        await echo_bot(webhook=config).run(dispatch)


def test_a_self_hosted_api_server_root_or_bot_url_both_work() -> None:
    expected = ("http://localhost:8081/bot", "http://localhost:8081/file/bot")
    assert api_urls("http://localhost:8081") == expected
    assert api_urls("http://localhost:8081/") == expected
    assert api_urls("http://localhost:8081/bot") == expected


async def burst(
    fake: FakeTelegram, chat: dict[str, Any], person: dict[str, Any], text: str
) -> None:
    """`person` sends `text` 20 times at once; wait until all 20 are answered somewhere."""
    before = len(fake.sent)
    for _ in range(20):
        fake.message(chat, person, text)
    await fake.wait_until(lambda: len(fake.sent) >= before + 20)


async def test_a_burst_of_group_commands_asks_telegram_about_admins_at_most_once(
    fake: FakeTelegram, echo_bot: Callable[..., TelegramMessenger], dispatch: Dispatch
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    fake.make_admin(GROUP["id"], ORGANIZER["id"])
    # Updates handled concurrently, as in production: the first question is shared, not repeated.
    async with running(echo_bot(concurrent_updates=16), dispatch, fake):
        await burst(fake, GROUP, ALICE, f"/echo@{BOT_USERNAME} hi")
        assert fake.calls_to("getChatMember") == [], "no command that needs it, no question"
        await burst(fake, GROUP, ALICE, f"/manage@{BOT_USERNAME}")
        assert len(fake.calls_to("getChatMember")) == 1
        assert {s.chat_id for s in fake.sent[-20:]} == {ALICE["id"]}, "refused privately"
        await burst(fake, GROUP, ORGANIZER, f"/manage@{BOT_USERNAME}")
        assert len(fake.calls_to("getChatMember")) == 2
        assert {s.text for s in fake.sent[-20:]} == {"admin=True"}


async def test_the_bots_own_membership_change_makes_it_ask_about_admins_again(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    [refused] = await fake.answered(GROUP, ALICE, f"/manage@{BOT_USERNAME}")
    assert refused.text is not None and "Only this group's admins" in refused.text
    fake.make_admin(GROUP["id"], ALICE["id"])
    await fake.answered(GROUP, ALICE, f"/manage@{BOT_USERNAME}")
    assert len(fake.calls_to("getChatMember")) == 1, "still cached"
    fake.membership(GROUP, ALICE, "administrator")  # e.g. the bot was promoted meanwhile
    [allowed] = await fake.answered(GROUP, ALICE, f"/manage@{BOT_USERNAME}")
    assert allowed.text == "admin=True"
    assert len(fake.calls_to("getChatMember")) == 2


async def test_a_private_answer_from_a_group_keeps_acting_for_the_group_when_pressed(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    fake.make_admin(GROUP["id"], ALICE["id"])
    [answer] = await fake.answered(GROUP, ALICE, f"/mine@{BOT_USERNAME}")
    assert answer.chat_id == ALICE["id"]
    assert (answer.text or "").startswith(f"for {GROUP['id']} (group, admin=True)")
    assert answer.buttons[0]["callback_data"] == "^mine", "marked as acting for a group"
    [again] = await fake.tap(answer, "Again", ALICE)
    assert again.chat_id == ALICE["id"]
    assert (again.text or "").startswith(f"for {GROUP['id']} (group, admin=True)")
    # A long private answer to a press in the group goes to the presser's private chat too.
    fake.press_data(GROUP, ALICE, "mine")
    [pressed] = await fake.replies(ALICE["id"])
    assert (pressed.text or "").startswith(f"for {GROUP['id']} (group")
    assert fake.in_chat(GROUP["id"]) == []


async def test_a_group_marked_button_nobody_remembers_does_nothing(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    # Forged, or pressed after a restart: it must not act for the private chat instead.
    fake.press_data(private_chat(ALICE), ALICE, "^mine")
    await fake.wait_until(lambda: len(fake.callback_answers) == 1)
    [answer] = fake.callback_answers.values()
    assert "no longer works" in answer["text"]
    assert fake.sent == []


async def test_a_private_answer_in_a_channel_leaves_only_the_neutral_line(
    tg: TelegramMessenger, fake: FakeTelegram
) -> None:
    [line] = await fake.say(CHANNEL, None, f"/mine@{BOT_USERNAME}")
    assert line.text == (
        "My answer to that is only for you. Please open a private chat with me, press Start, "
        "then try again."
    )
    assert [s.chat_id for s in fake.sent] == [CHANNEL["id"]]

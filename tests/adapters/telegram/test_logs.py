"""A whole end-to-end Telegram session, troubles included, leaves no token or id in any log."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.adapters.telegram.logging import TokenRedactor
from bot.app import Core
from tests.adapters.telegram.fake_server import (
    ALICE,
    BORIS,
    BOT_USERNAME,
    GROUP,
    ORGANIZER,
    TOKEN,
    Failure,
    FakeTelegram,
    eventually,
    group_chat,
    private_chat,
    running,
)

MARKER = "zebra-7f3a-private-words"
OLD_GROUP = group_chat(-7399990003, kind="group")
SUPERGROUP_ID = -1007399990003
SECRETS = [
    TOKEN,
    TOKEN.split(":")[1],
    str(ALICE["id"]),
    str(BORIS["id"]),
    str(ORGANIZER["id"]),
    str(GROUP["id"]),
    str(GROUP["id"]).removeprefix("-100"),
    str(OLD_GROUP["id"]),
    str(SUPERGROUP_ID),
    MARKER,
]


async def whole_session(
    core: Core, fake: FakeTelegram, core_messenger: Callable[..., TelegramMessenger]
) -> None:
    """Every command, every kind of button and every kind of trouble, once."""
    fake.fail_next("getMe", Failure(502, "Bad Gateway"))
    fake.fail_next("getUpdates", Failure(502, "Bad Gateway"))
    messenger = core_messenger()
    async with running(messenger, core.dispatcher.dispatch, fake):
        fake.make_admin(GROUP["id"], BORIS["id"])
        for person in (ALICE, BORIS):
            chat = private_chat(person)
            for command in core.registry.visible():
                await fake.say(chat, person, f"/{command.name}")
                await fake.answered(GROUP, person, f"/{command.name}@{BOT_USERNAME}")
        chat = private_chat(ALICE)
        [menu] = await fake.say(chat, ALICE, "/start")
        for label in [b["text"] for b in menu.buttons]:
            await fake.tap(menu, label, ALICE)
        fake.press_data(chat, ALICE, f"ics {MARKER}")
        fake.press_data(chat, ALICE, f"gone {MARKER}")
        fake.message(chat, ALICE, f"/events <b>{MARKER}</b>")
        fake.message(chat, ALICE, f"/settings timezone {MARKER}")
        fake.message(chat, ALICE, f"/start {MARKER}")
        await fake.replies(chat["id"], 4)
        fake.flood("sendMessage", retry_after=1)
        await fake.say(chat, ALICE, "/donate")
        fake.drop_next("sendMessage")
        await fake.say(chat, ALICE, "/remember")
        fake.fail_next("sendMessage", Failure(400, f"Bad Request: can't parse {MARKER}"))
        fake.message(chat, ALICE, "/help")
        await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 400)
        fake.block(BORIS["id"])
        fake.message(private_chat(BORIS), BORIS, "/donate")
        await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 403)
        fake.membership(GROUP, ALICE, "kicked")
        fake.make_admin(OLD_GROUP["id"], ALICE["id"], owner=True)
        await fake.answered(OLD_GROUP, ALICE, f"/subscribe@{BOT_USERNAME} events")
        fake.migrate(OLD_GROUP, SUPERGROUP_ID, ALICE)
        await fake.say(chat, ALICE, "/help")
    assert [c.status for c in fake.calls_to("getMe")] == [502, 200]


async def test_no_token_id_or_typed_text_reaches_the_logs(
    core: Core,
    fake: FakeTelegram,
    core_messenger: Callable[..., TelegramMessenger],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    await whole_session(core, fake, core_messenger)
    assert any(r.name.startswith("bot.adapters.telegram.messenger") for r in caplog.records)
    assert any(r.name.startswith("telegram.ext") for r in caplog.records)
    assert any(r.levelno >= logging.ERROR for r in caplog.records), "errors were logged too"
    logged = caplog.text + "\n".join(
        f"{r.getMessage()} {r.exc_text or ''} {r.stack_info or ''}" for r in caplog.records
    )
    for secret in SECRETS:
        assert secret not in logged
    assert not any(r.name.startswith(("httpx", "httpcore")) for r in caplog.records)


def test_the_redactor_hides_the_token_in_messages_arguments_and_tracebacks() -> None:
    redactor = TokenRedactor(TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError as error:
        record = logging.LogRecord(
            "telegram.Bot",
            logging.ERROR,
            __file__,
            1,
            "calling %s/getMe",
            (f"https://api.telegram.org/bot{TOKEN}",),
            (type(error), error, error.__traceback__),
        )
    assert redactor.filter(record)
    line = logging.Formatter().format(record)
    assert TOKEN not in line and "<redacted>" in line
    assert "getMe" in line and "rejected by the server" in line
    other = "bot123456789:" + "AAAnotherTokenShapedSecret_abcdefgh"
    assert other.removeprefix("bot") not in redactor.redact(f"GET /{other}/getMe")


async def test_an_update_the_library_cannot_read_is_not_printed_in_its_error_line(
    core: Core,
    fake: FakeTelegram,
    core_messenger: Callable[..., TelegramMessenger],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    async with running(core_messenger(), core.dispatcher.dispatch, fake):
        # An administrator without its rights: python-telegram-bot cannot build the update and
        # logs "Error while parsing updates! Received data was ..." at CRITICAL.
        chat = {**GROUP, "title": MARKER}
        fake.push(
            "my_chat_member",
            {
                "chat": chat,
                "from": ALICE,
                "date": 0,
                "old_chat_member": {"status": "member", "user": fake.bot_user},
                "new_chat_member": {"status": "administrator", "user": fake.bot_user},
            },
        )

        async def complained() -> bool:
            return any("Received data was" in r.getMessage() for r in caplog.records)

        await eventually(complained)
    assert "Received data was '<withheld>'" in caplog.text
    for secret in (MARKER, str(GROUP["id"]), str(ALICE["id"])):
        assert secret not in caplog.text

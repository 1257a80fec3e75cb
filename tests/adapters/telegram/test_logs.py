"""A whole end-to-end Telegram session, troubles included, leaves no token or id in any log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.adapters.telegram.logging import TokenRedactor
from bot.adapters.telegram.messenger import TelegramMessenger
from bot.app import Core
from bot.settings import Settings
from tests.adapters.telegram.fake_server import (
    BOT_USERNAME,
    TOKEN,
    Failure,
    FakeTelegram,
    group_chat,
    private_chat,
    running,
    user,
)

ORGANIZER = user(7311223344, "en", "Org")
ALICE = user(7355501234, "en", "Alice")
BORIS = user(7355505678, "ru", "Борис")
GROUP = group_chat(-1007399990001)
MARKER = "zebra-7f3a-private-words"
SECRETS = [
    TOKEN,
    TOKEN.split(":")[1],
    str(ALICE["id"]),
    str(BORIS["id"]),
    str(ORGANIZER["id"]),
    str(GROUP["id"]),
    str(GROUP["id"]).removeprefix("-100"),
    MARKER,
]


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
    await server.start()
    yield server
    await server.stop()


async def whole_session(core: Core, fake: FakeTelegram) -> None:
    """Every command, every kind of button and every kind of trouble, once."""
    fake.fail_next("getMe", Failure(502, "Bad Gateway"))
    fake.fail_next("getUpdates", Failure(502, "Bad Gateway"))
    messenger = TelegramMessenger(
        TOKEN,
        core.registry,
        core.translator,
        core.store,
        core.settings.organizers,
        base_url=fake.base_url,
        poll_timeout=1,
        retry_backoff=0.01,
        start_backoff=0.01,
        concurrent_updates=1,
    )
    async with running(messenger, core.dispatcher.dispatch, fake):
        fake.make_admin(GROUP["id"], BORIS["id"])
        for person in (ALICE, BORIS):
            chat = private_chat(person)
            for command in core.registry.visible():
                fake.message(chat, person, f"/{command.name}")
                await fake.replies(chat["id"])
                fake.message(GROUP, person, f"/{command.name}@{BOT_USERNAME}")
                await fake.replies(GROUP["id"])
        chat = private_chat(ALICE)
        fake.message(chat, ALICE, "/start")
        [menu] = await fake.replies(chat["id"])
        for label in [b["text"] for b in menu.buttons]:
            fake.press(menu, label, ALICE)
            await fake.replies(chat["id"])
        fake.press_data(chat, ALICE, f"ics {MARKER}")
        fake.press_data(chat, ALICE, f"gone {MARKER}")
        fake.message(chat, ALICE, f"/events <b>{MARKER}</b>")
        fake.message(chat, ALICE, f"/settings timezone {MARKER}")
        fake.message(chat, ALICE, f"/start {MARKER}")
        await fake.replies(chat["id"], 4)
        fake.flood("sendMessage", retry_after=1)
        fake.message(chat, ALICE, "/donate")
        await fake.replies(chat["id"])
        fake.drop_next("sendMessage")
        fake.message(chat, ALICE, "/remember")
        await fake.replies(chat["id"])
        fake.fail_next("sendMessage", Failure(400, f"Bad Request: can't parse {MARKER}"))
        fake.message(chat, ALICE, "/help")
        await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 400)
        fake.block(BORIS["id"])
        fake.message(private_chat(BORIS), BORIS, "/donate")
        await fake.wait_until(lambda: fake.calls_to("sendMessage")[-1].status == 403)
        fake.membership(GROUP, ALICE, "kicked")
        fake.message(chat, ALICE, "/help")
        await fake.replies(chat["id"])
    assert [c.status for c in fake.calls_to("getMe")] == [502, 200]


async def test_no_token_id_or_typed_text_reaches_the_logs(
    core: Core, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    await whole_session(core, fake)
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

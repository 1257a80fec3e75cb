"""Supporters' safety: logs carry no ids or text, and erasure leaves nothing on disk."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from bot.app import Core
from bot.core.redaction import SecretRedactor
from bot.settings import Settings
from tests.support.chat import Say

CHAT = "5550001234"
PRIVATE_WORDS = "Grozny-safehouse-Kadyrov"


async def test_a_whole_session_logs_no_chat_id_user_id_or_text(
    say: Say, core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    script = [
        "/start",
        "/help",
        "/donate",
        "/events",
        "/events past",
        "/petition",
        "/petition letter",
        "/remember",
        "/subscribe events",
        "/subscribe",
        "/unsubscribe events",
        f"/settings timezone {PRIVATE_WORDS}",
        "/settings timezone Europe/Berlin",
        "/settings language ru",
        f"/settings quiet {PRIVATE_WORDS}",
        "/settings quiet off",
        f"/{PRIVATE_WORDS}",
        f"/ics {PRIVATE_WORDS}",
        "/rsvp hong-kong-loves-chechnya going",
        "/forget",
        "/forget confirm",
    ]
    caplog.set_level(logging.INFO)
    for ours in ("bot", "handlers", "content", "db"):
        caplog.set_level(logging.DEBUG, logger=ours)
    for line in script:
        await say(line, chat=CHAT, user="7770009999")
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert CHAT not in logged
    assert "7770009999" not in logged
    assert PRIVATE_WORDS not in logged


async def test_forget_leaves_no_trace_of_the_chat_in_the_database_file(
    say: Say, settings: Settings
) -> None:
    await say("/subscribe events", chat=CHAT)
    await say("/settings timezone Europe/Berlin", chat=CHAT)
    await say("/rsvp hong-kong-loves-chechnya going", chat=CHAT)
    await say("/forget confirm", chat=CHAT)
    path = Path(settings.database_url.split("///", 1)[1])
    with sqlite3.connect(path) as db:
        db.execute("pragma wal_checkpoint(TRUNCATE)")
        tables = [t for (t,) in db.execute("select name from sqlite_master where type='table'")]
        for table in tables:
            for row in db.execute(f"select * from {table}"):
                assert CHAT not in map(str, row), table


def test_tokens_are_redacted_from_any_log_line(caplog: pytest.LogCaptureFixture) -> None:
    token = "123456789:" + "AAFakeTokenOnlyForTheRedactionTest_x"
    logger = logging.getLogger("test.redaction")
    logger.addFilter(SecretRedactor(["discord-secret-token"]))
    with caplog.at_level(logging.INFO):
        logger.info("POST https://api.telegram.org/bot%s/getMe", token)
        logger.info("login with %s", "discord-secret-token")
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{token}/getMe")
        except ConnectionError:
            logger.exception("request failed")
    assert token not in caplog.text and "discord-secret-token" not in caplog.text
    assert caplog.text.count("<redacted>") == 3

"""A database error while answering a command: the person gets the friendly apology in their
language, and the log (as the bot configures it) names the error's type, never the chat id, the
user id or any parameter of the failed statement.

The chats table's companion (chat_topics) is renamed away between two runs on the same file, so
the first read of a chat's stored choices, before any handler runs, fails with a real
OperationalError from SQLite.
"""

from __future__ import annotations

import io
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import build_core
from bot.core.conversation import FREE_TEXT
from bot.core.dispatcher import SORRY
from bot.core.i18n import gettext_for
from bot.core.messages import Address, ChatKind, Request
from bot.core.redaction import SecretRedactor
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.support.chat import speaker
from tests.support.fakes import FixedClock

CHAT = "918273645"
PERSON = "918273646"
GROUP = "-100918273647"


@pytest.fixture
def log_text() -> Iterator[io.StringIO]:
    """Everything logged, rendered as bot.logs.configure_logging renders it on stderr."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactor())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def break_topics(database: Path) -> None:
    connection = sqlite3.connect(database)
    try:
        connection.execute("ALTER TABLE chat_topics RENAME TO chat_topics_gone")
        connection.commit()
    finally:
        connection.close()


async def test_a_database_error_is_an_apology_and_a_log_line_without_ids(
    settings: Settings, clock: FixedClock, log_text: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    core = await build_core(settings, clock=clock, limiter=Unlimited())
    try:
        say = speaker(core.dispatcher.dispatch, chat=CHAT)
        await say("/subscribe events", user=PERSON, locale="ru")
        await say("/subscribe events", chat=GROUP, user=PERSON, kind=ChatKind.GROUP, admin=True)
    finally:
        await core.aclose()
    break_topics(Path(settings.database_url.split("///", 1)[1]))

    core = await build_core(settings, clock=clock, limiter=Unlimited())
    try:
        say = speaker(core.dispatcher.dispatch, chat=CHAT)
        with caplog.at_level(logging.DEBUG):
            reply = await say("/settings", user=PERSON, locale="ru")
            again = await say("/subscribe petitions", user=PERSON, locale="ru")
            # People talking in the group get no apology to each of their messages.
            talk = Request(
                FREE_TEXT, ("hi all",), Address("console", GROUP), PERSON, ChatKind.GROUP
            )
            group_reply = await core.dispatcher.dispatch(talk)
        sorry = gettext_for(core.translator, "ru")(SORRY)
    finally:
        await core.aclose()

    assert sorry != SORRY  # the apology is in the asker's language
    assert reply.text == sorry and again.text == sorry
    assert group_reply is None
    logged = log_text.getvalue() + caplog.text
    assert "/settings failed with OperationalError" in logged
    for private in (CHAT, PERSON, GROUP, "[parameters", "'console'"):
        assert private not in logged, logged

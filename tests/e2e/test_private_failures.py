"""A database error on Telegram, end to end: the real `allybot run` process against the fake Bot
API. A subscribed person's chat cannot be read (its topics table is renamed away before the
start, as a broken or half-restored database would be): their command is answered with the
apology, the process keeps serving, and its stderr names the error's type but never the chat
id, the user id or a parameter of the failed statement.
"""

from __future__ import annotations

from bot.app import build_core
from bot.ratelimit import Unlimited
from tests.adapters.telegram.fake_server import FakeTelegram, private_chat, user
from tests.e2e.conftest import BotProcess, execute, is_sqlite
from tests.e2e.test_stop import settings_for
from tests.support.broadcast import add_subscribers

PERSON = user(7355591357, "en", "Ally")
SORRY = "Sorry, something went wrong on our side. Please try again later."


async def test_a_database_error_is_an_apology_and_stderr_shows_no_ids(
    fake: FakeTelegram, bot: BotProcess
) -> None:
    core = await build_core(settings_for(bot.database_url), limiter=Unlimited())
    try:
        await add_subscribers(core.engine, "telegram", [str(PERSON["id"])])
    finally:
        await core.aclose()
    await execute(bot.database_url, "ALTER TABLE chat_topics RENAME TO chat_topics_gone")
    fake.chats[PERSON["id"]] = private_chat(PERSON)

    await bot.start()
    [first] = await fake.say(private_chat(PERSON), PERSON, "/settings")
    [second] = await fake.say(private_chat(PERSON), PERSON, "/subscribe petitions")

    assert first.text == SORRY and second.text == SORRY
    assert bot.process is not None and bot.process.returncode is None  # still serving
    code, _ = await bot.stop()
    assert code == 0, bot.stderr
    # The driver's error class: SQLite's "no such table", PostgreSQL's "relation does not exist".
    error = "OperationalError" if is_sqlite(bot.database_url) else "ProgrammingError"
    assert f"/settings failed with {error}" in bot.stderr, bot.stderr
    for private in (str(PERSON["id"]), "[parameters", "no such table", "does not exist"):
        assert private not in bot.stderr, bot.stderr

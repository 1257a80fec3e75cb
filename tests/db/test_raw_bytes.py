"""After /forget, the erased chat is in no byte of the database, its -wal or its -shm: while the
bot runs and after a clean stop, with an SQLite that does not zero deleted content by itself."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import Core, build_core
from bot.core.messages import ActionButton, ChatKind, Reply
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.db.insecure_sqlite import without_secure_delete
from tests.support.chat import Say, speaker
from tests.support.fakes import FixedClock
from tests.support.reminders import RecordingMessenger, compose, make_event

SUPPORTER = "5550001234"  # a Telegram private chat: the chat id is the person's id
GROUP = "-1005550009876"
ADMIN = "7770004321"
ZONE = "Pacific/Chatham"
WORDS = "Safehouse meeting Thursday, ask for Zelimkhan"


def needles() -> dict[str, bytes]:
    return {
        name: value.encode("utf-8")
        for name, value in {
            "supporter id": SUPPORTER,
            "group id": GROUP,
            "group id digits": GROUP.lstrip("-"),
            "admin id": ADMIN,
            "time zone": ZONE,
            "broadcast text": WORDS,
        }.items()
    }


def files(settings: Settings) -> list[Path]:
    path = Path(settings.database_url.split("///", 1)[1])
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def found(settings: Settings) -> list[str]:
    """Which erased values any of the three files still holds, byte for byte."""
    hits = []
    for path in files(settings):
        data = path.read_bytes() if path.exists() else b""
        hits += [f"{name} in {path.name}" for name, value in needles().items() if value in data]
    return hits


def button(reply: Reply, command: str) -> str:
    pressed = next(b for b in reply.buttons if isinstance(b, ActionButton) and b.command == command)
    return " ".join(("/" + pressed.command, *pressed.args))


async def fill(core: Core, clock: FixedClock, say: Say) -> None:
    """A supporter with a subscription, a time zone, an RSVP and a reminder sent; a group whose
    admin broadcast to it."""
    messenger = RecordingMessenger()
    rem = compose(core, {"console": messenger})
    event = await make_event(rem, clock, "2026-12-01 18:00")
    for line in ("/subscribe events", f"/settings timezone {ZONE}", "/settings quiet off"):
        await say(line)
    await say(f"/rsvp {event.id} going")
    clock.now = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
    await rem.scheduler.tick()
    assert messenger.texts(SUPPORTER), "a reminder row was written and sent"
    group = {"chat": GROUP, "user": ADMIN, "kind": ChatKind.GROUP, "admin": True}
    preview = await say(f"/broadcast here now {WORDS}", **group)
    await say(button(preview, "bcsend"), **group)


async def test_forget_leaves_no_byte_of_the_chat_while_running_and_after_a_clean_stop(
    settings: Settings, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    without_secure_delete(monkeypatch)
    core = await build_core(settings, clock=clock, limiter=Unlimited())
    try:
        say = speaker(core.dispatcher.dispatch, chat=SUPPORTER)
        await fill(core, clock, say)
        assert set(found(settings)) >= {"supporter id in allybot.sqlite3-wal"}, "the test sees"

        mine = await say("/forget confirm")
        theirs = await say(
            "/forget confirm", chat=GROUP, user=ADMIN, kind=ChatKind.GROUP, admin=True
        )

        assert "Erased" in mine.text and "Nothing was stored" not in theirs.text
        assert "1 broadcast started" in theirs.text
        assert found(settings) == [], "while the bot runs"
    finally:
        await core.aclose()
    assert found(settings) == [], "after a clean stop"
    assert not files(settings)[1].exists() or files(settings)[1].stat().st_size == 0

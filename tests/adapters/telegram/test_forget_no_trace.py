"""A group admin's /forget through the real Telegram adapter leaves no byte naming the group or
the admin in the database's files, with an SQLite that does not zero deleted rows by itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.telegram import TelegramMessenger
from bot.app import Core
from tests.adapters.telegram.fake_server import (
    ALICE,
    BOT_USERNAME,
    GROUP,
    FakeTelegram,
    Sent,
    private_chat,
)
from tests.db.insecure_sqlite import without_secure_delete

TEXT = "Rally at the square, ask for Zelimkhan"


@pytest.fixture(autouse=True)
def insecure_sqlite(monkeypatch: pytest.MonkeyPatch) -> None:
    """Before the core opens its first connection."""
    without_secure_delete(monkeypatch)


def database_files(core: Core) -> list[Path]:
    path = Path(core.settings.database_url.split("///", 1)[1])
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def traces(core: Core) -> list[str]:
    needles = {
        "group id": str(GROUP["id"]).encode(),
        "group id digits": str(GROUP["id"]).lstrip("-").encode(),
        "admin id": str(ALICE["id"]).encode(),
        "broadcast text": TEXT.encode(),
    }
    found = []
    for path in database_files(core):
        data = path.read_bytes() if path.exists() else b""
        found += [f"{name} in {path.name}" for name, needle in needles.items() if needle in data]
    return found


def button(sent: Sent, command: str) -> str:
    return next(b["text"] for b in sent.buttons if command in b.get("callback_data", "").split()[0])


async def test_a_group_admin_who_broadcast_here_then_forgot_leaves_no_id_in_the_files(
    tg: TelegramMessenger, fake: FakeTelegram, core: Core
) -> None:
    fake.make_admin(GROUP["id"], ALICE["id"])
    fake.chats[ALICE["id"]] = private_chat(ALICE)
    [subscribed] = await fake.answered(GROUP, ALICE, f"/subscribe@{BOT_USERNAME} events")
    assert "events" in (subscribed.text or "").lower() or subscribed.text
    [preview] = await fake.answered(GROUP, ALICE, f"/broadcast@{BOT_USERNAME} here now {TEXT}")
    assert preview.chat_id == ALICE["id"] and TEXT in (preview.text or "")
    [started] = await fake.tap(preview, button(preview, "bcsend"), ALICE)
    assert "#" in (started.text or ""), started.text
    assert traces(core), "the group, its admin and the text are stored before /forget"

    [erased] = await fake.answered(GROUP, ALICE, f"/forget@{BOT_USERNAME} confirm")
    assert erased.chat_id == ALICE["id"], "the answer is only for the admin"
    assert "Nothing was stored" not in (erased.text or ""), erased.text
    assert "broadcast" in (erased.text or "").lower(), erased.text
    # While the bot runs: not in the file, the write-ahead log or its index.
    assert traces(core) == []

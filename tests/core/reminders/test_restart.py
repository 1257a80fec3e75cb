"""The whole bot process SIGKILLed mid-schedule on a real SQLite file, then restarted: no reminder
sent twice, and at most the window in force lost.

Delivery is at-most-once (README, "Events and reminders"): a batch of rows is committed as
"sending" before the platform gets any of them. So a kill at any point never duplicates; what a
kill can lose is the rows claimed but not yet sent, at most the platform's window (which the
process logs as it changes), counted as unconfirmed at the next start.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import build_core
from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from bot.core.reminders.values import EventDraft
from bot.settings import Settings
from db.stores.events import SqlEventStore
from tests.support.paths import REPO

CHATS = 8
EVENTS = 6
LEAD_MINUTES = 5
# Each chat gets each event's announcement (it was just published) and its one reminder.
TOTAL = CHATS * EVENTS * 2


async def prepare(path: Path) -> None:
    """Chats subscribed to events, reminded 5 minutes before; events a second apart from soon."""
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{path}")  # type: ignore[call-arg]
    core = await build_core(settings)
    try:
        store = SqlEventStore(core.engine)
        now = datetime.now(UTC)
        for number in range(CHATS):
            address = Address("console", f"chat{number}")
            prefs = ChatPrefs(address, ChatKind.PRIVATE, now, quiet_hours=None)
            await core.store.save_chat(replace(prefs, topics=frozenset({"events"})))
            await store.set_leads(address, (LEAD_MINUTES,))
        first = (now + timedelta(minutes=LEAD_MINUTES, seconds=3)).replace(tzinfo=None)
        for number in range(EVENTS):
            starts = first.replace(microsecond=0) + timedelta(seconds=number)
            draft = EventDraft(
                f"Event {number}", starts, starts + timedelta(hours=1), "UTC", "Here", "Come."
            )
            saved = await store.save_draft(draft, None, now)
            assert await store.confirm(saved.id, now) is not None
    finally:
        await core.aclose()


def start(path: Path, sent: Path, *die: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.run_reminders",
            f"sqlite+aiosqlite:///{path}",
            str(sent),
            *die,
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def most_window(err: str) -> int:
    """The widest window the process logged: what a kill could leave unconfirmed."""
    sizes = [int(size) for size in re.findall(r"window (?:starts at|now) (\d+)", err)]
    assert sizes, "the window is logged"
    return max(sizes)


def lines(sent: Path) -> list[str]:
    return sent.read_text().splitlines() if sent.exists() else []


def reminded(sent: Path) -> list[str]:
    """The reminders sent, without the announcements of the newly published events."""
    return [line for line in lines(sent) if "📣" not in line]


def wait_for(condition: object, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.005)
    raise AssertionError("timed out")


def states(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("select state, count(*) from reminder_plan group by state"))


def finish(process: subprocess.Popen[bytes], sent: Path, expected: int) -> str:
    """Let a restarted bot deliver the rest, wait a little longer for any repeat, stop it."""
    try:
        wait_for(lambda: len(lines(sent)) >= expected, 30)
        time.sleep(1.5)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=10)
    return err.decode()


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    path = tmp_path / "allybot.sqlite3"
    asyncio.run(prepare(path))
    return path, tmp_path / "sent.txt"


def test_killed_mid_schedule_then_restarted_nothing_repeated_at_most_a_window_lost(
    files: tuple[Path, Path],
) -> None:
    path, sent = files
    first = start(path, sent)
    # Kill right after a whole event's reminders went out: mid-schedule, events still to come
    # (the announcements, due first, all went before the reminders).
    wait_for(lambda: len(reminded(sent)) >= 2 * CHATS and len(reminded(sent)) % CHATS == 0, 30)
    os.kill(first.pid, signal.SIGKILL)
    _, err = first.communicate(timeout=10)
    done_before = len(lines(sent))
    assert CHATS <= done_before < TOTAL
    unconfirmed = states(path).get("sending", 0)
    assert unconfirmed <= most_window(err.decode())
    finish(start(path, sent), sent, TOTAL - unconfirmed)
    delivered = Counter(lines(sent))
    assert max(delivered.values()) == 1, "none twice"
    counts = states(path)
    assert counts.get("sent", 0) + counts.get("unconfirmed", 0) == TOTAL
    # Every one not confirmed before the kill arrived, except those claimed and not yet sent.
    assert len(delivered) >= TOTAL - counts.get("unconfirmed", 0)


def test_killed_after_the_platform_took_a_message_it_is_not_sent_again(
    files: tuple[Path, Path],
) -> None:
    path, sent = files
    crash = start(path, sent, "die-after", str(CHATS + 3))
    _, crash_err = crash.communicate(timeout=60)
    assert crash.returncode == -signal.SIGKILL
    assert len(lines(sent)) == CHATS + 3
    claimed = states(path).get("sending", 0)
    # The one the platform took, and any claimed with it that had not gone yet.
    assert 1 <= claimed <= most_window(crash_err.decode())
    err = finish(start(path, sent), sent, TOTAL - claimed + 1)
    delivered = Counter(lines(sent))
    assert len(delivered) == TOTAL - claimed + 1 and max(delivered.values()) == 1
    assert f"{claimed} reminders were being sent when a sender stopped; not resent" in err


def test_the_at_most_once_price_is_a_window_at_most_and_it_is_reported(
    files: tuple[Path, Path],
) -> None:
    path, sent = files
    crash = start(path, sent, "die-before", str(CHATS + 3))
    _, crash_err = crash.communicate(timeout=60)
    assert len(lines(sent)) == CHATS + 2
    claimed = states(path).get("sending", 0)
    assert 1 <= claimed <= most_window(crash_err.decode())
    err = finish(start(path, sent), sent, TOTAL - claimed)
    delivered = Counter(lines(sent))
    assert len(delivered) == TOTAL - claimed and max(delivered.values()) == 1
    assert states(path).get("unconfirmed") == claimed
    assert f"{claimed} reminders were being sent when a sender stopped; not resent" in err
    for chat in range(CHATS):
        assert f"chat{chat}" not in err, "logs carry no chat ids"

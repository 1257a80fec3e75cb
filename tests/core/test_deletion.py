"""Self-destruct's arithmetic and loop: choices, due times, and what counts as done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.app import Core
from bot.core.deletion import (
    LONGEST,
    DeletionService,
    DueDeletion,
    choice_word,
    epoch,
    parse_choice,
    parse_choices,
)
from bot.core.messages import Address, ChatKind
from bot.core.ports import ChatPrefs
from db.stores.deletions import SqlDeletionStore
from tests.support.fakes import FixedClock
from tests.support.reminders import RecordingMessenger

ALICE = Address("console", "alice")


@given(st.integers(min_value=1, max_value=int(LONGEST.total_seconds())))
def test_every_choice_reads_back_from_its_word(seconds: int) -> None:
    after = timedelta(seconds=seconds)
    assert parse_choice(choice_word(after)) == after


@given(st.text(max_size=12))
def test_any_text_is_a_choice_within_48_hours_or_refused(text: str) -> None:
    try:
        after = parse_choice(text)
    except ValueError:
        return
    assert timedelta(0) < after <= LONGEST


def test_the_choices_are_sorted_without_repeats_and_never_past_telegrams_limit() -> None:
    assert parse_choices("47h, 1h,24h,1h") == (
        timedelta(hours=1),
        timedelta(hours=24),
        timedelta(hours=47),
    )
    for bad in ("", "0s", "49h", "3d", "1 hour", "1h,,x"):
        with pytest.raises(ValueError):
            parse_choices(bad)


def test_a_deletion_is_never_due_before_its_time() -> None:
    moment = datetime(2026, 12, 1, 12, 0, 0, 1, tzinfo=UTC)
    assert epoch(moment) == int(moment.replace(microsecond=0).timestamp()) + 1


class Chats:
    def __init__(self, prefs: ChatPrefs) -> None:
        self.prefs = prefs

    async def get_chat(self, address: Address) -> ChatPrefs | None:
        return self.prefs if address == self.prefs.address else None


class MemoryStore:
    def __init__(self) -> None:
        self.rows: dict[int, tuple[Address, str, int]] = {}

    async def schedule(self, address: Address, message_ids: Sequence[str], due: int) -> bool:
        for message_id in message_ids:
            self.rows[len(self.rows) + 1] = (address, message_id, due)
        return True

    async def next_due(self) -> int | None:
        return min((due for _, _, due in self.rows.values()), default=None)

    async def due(self, now: int, limit: int) -> list[DueDeletion]:
        ready = [(k, v) for k, v in sorted(self.rows.items()) if v[2] <= now][:limit]
        return [DueDeletion(v[0], (v[1],), (k,)) for k, v in ready]

    async def remove(self, rows: Sequence[int]) -> None:
        for row in rows:
            self.rows.pop(row, None)


async def test_messages_go_at_their_time_and_a_busy_platform_keeps_them() -> None:
    clock = FixedClock(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    prefs = ChatPrefs(ALICE, ChatKind.PRIVATE, clock(), delete_after=timedelta(hours=1))
    store = MemoryStore()
    messenger = RecordingMessenger()
    service = DeletionService(store, Chats(prefs), {"console": messenger}, clock, poll_s=60)
    await service.sent(ALICE, ["7", "8"])
    await service.sent(Address("console", "bob"), ["9"])  # no self-destruct there
    assert len(store.rows) == 2
    # Nothing is due: the loop sleeps the poll interval at most.
    assert await service.tick() == 60
    assert not messenger.deleted
    clock.now += timedelta(minutes=59, seconds=30)
    assert await service.tick() == 30
    clock.now += timedelta(seconds=30)
    messenger.busy.add("alice")
    assert await service.tick() == 1.0  # the platform's retry_after
    assert len(store.rows) == 2
    messenger.busy.clear()
    assert await service.tick() == 60
    assert messenger.deleted == [(ALICE, ("7",)), (ALICE, ("8",))]
    assert not store.rows


async def test_a_chat_that_blocked_the_bot_drops_its_schedule() -> None:
    clock = FixedClock(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    prefs = ChatPrefs(ALICE, ChatKind.PRIVATE, clock(), delete_after=timedelta(seconds=20))
    store = MemoryStore()
    messenger = RecordingMessenger(gone={"alice"})
    service = DeletionService(store, Chats(prefs), {"console": messenger}, clock)
    await service.sent(ALICE, ["1"])
    clock.now += timedelta(seconds=21)
    await service.tick()
    assert not store.rows


async def test_the_schedule_is_kept_on_disk_and_goes_with_forget(
    core: Core, tmp_path: Path
) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    await core.store.save_chat(
        ChatPrefs(ALICE, ChatKind.PRIVATE, now, delete_after=timedelta(hours=47))
    )
    assert (await core.store.get_chat(ALICE)).delete_after == timedelta(hours=47)  # type: ignore[union-attr]
    store = SqlDeletionStore(core.engine)
    assert not await store.schedule(Address("console", "nobody"), ["1"], 100)
    assert await store.schedule(ALICE, ["1", "2"], 100)
    assert await store.schedule(ALICE, ["3"], 200)
    assert await store.next_due() == 100
    [due] = await store.due(150, 10)
    assert (due.address, due.message_ids) == (ALICE, ("1", "2"))
    await store.remove(due.rows)
    assert await store.pending(ALICE) == 1
    erased = await core.store.forget_chat(ALICE)
    assert erased["message_deletions"] == 1
    assert await store.next_due() is None

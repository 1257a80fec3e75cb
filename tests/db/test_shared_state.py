"""Drafts and rate limits in the database (what several processes on PostgreSQL share): the same
bounds and verdicts as the in-memory versions, nothing of a draft left once it is answered,
dropped or expired, and no id in clear. Run on SQLite and PostgreSQL (the stores are portable;
the composition root uses them on PostgreSQL only)."""

from __future__ import annotations

from itertools import count

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.conversation import DRAFT_TTL_S, Conversations, Draft
from bot.core.messages import Address
from bot.ratelimit import TokenBucketLimiter
from db.models.shared import RateBucket, SharedDraft
from db.stores.shared import SqlDrafts, SqlRateLimiter, shared_state

ALICE = Address("telegram", "5550001234")
GROUP = Address("telegram", "-100")
START = 1_800_000_000.0


class Clock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


async def rows(engine: AsyncEngine, table: str) -> list[tuple[object, ...]]:
    async with engine.connect() as connection:
        return [tuple(row) for row in await connection.execute(text(f"SELECT * FROM {table}"))]


async def test_a_draft_is_continued_once_and_leaves_no_row(engine: AsyncEngine) -> None:
    drafts = SqlDrafts(engine, Clock())
    await drafts.remember(ALICE, "5550001234", "newevent", ("Rally", "2027-03-29 18:00"))
    stored = await rows(engine, "shared_drafts")
    assert len(stored) == 1
    # Hashes only: neither the chat's nor the person's id is in the row.
    assert not any("5550001234" in str(value) for value in stored[0])
    draft = await drafts.take(ALICE, "5550001234")
    assert draft is not None
    assert (draft.command, draft.args) == ("newevent", ("Rally", "2027-03-29 18:00"))
    assert await drafts.take(ALICE, "5550001234") is None  # answered once
    assert await rows(engine, "shared_drafts") == []


async def test_an_expired_draft_cannot_be_answered_and_its_row_goes(engine: AsyncEngine) -> None:
    clock = Clock()
    drafts = SqlDrafts(engine, clock)
    await drafts.remember(ALICE, "u", "newevent", ("What I typed",))
    await drafts.remember(GROUP, "other", "broadcast", ())
    clock.now += DRAFT_TTL_S - 1
    await drafts.remember(GROUP, "late", "broadcast", ())
    clock.now += 1  # the first two are exactly at their time to live
    assert await drafts.take(ALICE, "u") is None
    # Taking anybody's draft sweeps every expired one: what a person typed does not stay.
    assert len(await rows(engine, "shared_drafts")) == 1
    assert await drafts.take(GROUP, "late") is not None
    assert await rows(engine, "shared_drafts") == []


async def test_a_new_command_drops_the_draft_and_forget_drops_the_chats(
    engine: AsyncEngine,
) -> None:
    drafts = SqlDrafts(engine, Clock())
    await drafts.remember(GROUP, "a", "broadcast", ())
    await drafts.remember(GROUP, "b", "broadcast", ())
    await drafts.remember(ALICE, "5550001234", "broadcast", ())
    await drafts.drop(GROUP, "a")
    assert await drafts.count() == 2
    await drafts.forget_chat(GROUP)
    assert await drafts.count() == 1
    assert await drafts.take(GROUP, "b") is None
    assert await drafts.take(ALICE, "5550001234") is not None


async def test_the_caps_hold_per_chat_and_overall_oldest_first(engine: AsyncEngine) -> None:
    clock = Clock()
    drafts = SqlDrafts(engine, clock, max_drafts=5, max_per_chat=3)
    await drafts.remember(ALICE, "p", "plan", ())
    for user in "abcd":
        clock.now += 1
        await drafts.remember(GROUP, user, "plan", ())
    assert await drafts.count() == 4
    assert await drafts.take(GROUP, "a") is None  # the chat's oldest made room
    for number in range(3):
        clock.now += 1
        await drafts.remember(Address("telegram", f"{number}"), "x", "plan", ())
    assert await drafts.count() == 5
    assert await drafts.take(ALICE, "p") is None  # the oldest overall made room
    # The same person asking again replaces their draft (and it becomes the newest).
    clock.now += 1
    await drafts.remember(GROUP, "b", "plan", ("again",))
    draft = await drafts.take(GROUP, "b")
    assert draft is not None and draft.args == ("again",)


async def test_asking_again_makes_a_draft_the_newest_even_within_the_same_instant(
    engine: AsyncEngine,
) -> None:
    drafts = SqlDrafts(engine, Clock(), max_drafts=100, max_per_chat=2)
    for user in ("a", "b", "a", "c"):  # the clock never moves
        await drafts.remember(GROUP, user, "plan", (user,))
    assert await drafts.take(GROUP, "b") is None  # b was the oldest when c came
    assert await drafts.take(GROUP, "a") is not None


async def test_the_limiter_refuses_like_the_in_memory_one_and_forgets(
    engine: AsyncEngine,
) -> None:
    clock = Clock()
    shared, local = SqlRateLimiter(engine, 60, 10, clock), TokenBucketLimiter(60, 10, clock)
    for _ in range(10):
        assert (await shared.check("telegram:5550001234")).allowed
        assert (await local.check("telegram:5550001234")).allowed
    refused = await shared.check("telegram:5550001234")
    assert refused == await local.check("telegram:5550001234")
    assert not refused.allowed and refused.retry_after_s == 2
    assert not any(
        "5550001234" in str(v) for row in await rows(engine, "rate_buckets") for v in row
    )
    await shared.forget("telegram:5550001234")
    assert await rows(engine, "rate_buckets") == []
    assert (await shared.check("telegram:5550001234")).allowed


async def test_refilled_buckets_are_pruned(engine: AsyncEngine) -> None:
    clock = Clock()
    limiter = SqlRateLimiter(engine, 120, 20, clock)
    for person in range(30):
        await limiter.check(f"p{person}")
    clock.now += 61.0
    await limiter.check("latecomer")
    async with engine.connect() as connection:
        assert len((await connection.execute(select(RateBucket.key))).all()) == 1


keys = count()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    per_minute=st.integers(1, 600),
    burst=st.integers(1, 30),
    gaps=st.lists(st.floats(0, 30, allow_nan=False), min_size=1, max_size=60),
)
async def test_the_shared_verdicts_are_the_in_memory_ones_for_any_timing(
    engine: AsyncEngine, per_minute: int, burst: int, gaps: list[float]
) -> None:
    """Whatever pace a person (or a script) keeps, the database's bucket says exactly what the
    in-memory one says, refusals' waits included."""
    clock = Clock(START + next(keys) * 10_000)
    shared = SqlRateLimiter(engine, per_minute, burst, clock)
    local = TokenBucketLimiter(per_minute, burst, clock)
    key = f"telegram:{next(keys)}"
    for gap in gaps:
        clock.now += gap
        assert await shared.check(key) == await local.check(key)


async def test_sqlite_keeps_both_in_memory(engine: AsyncEngine) -> None:
    drafts, limiter = shared_state(engine, 120, 20)
    if engine.dialect.name == "sqlite":
        assert drafts is None and isinstance(limiter, TokenBucketLimiter)
    else:
        assert isinstance(drafts, SqlDrafts) and isinstance(limiter, SqlRateLimiter)
    assert SharedDraft.__tablename__ == "shared_drafts"


CHATS = [Address("telegram", "1"), Address("telegram", "-100"), Address("discord", "9")]
USERS = ["a", "b", "c", "d"]
operations = st.lists(
    st.tuples(
        st.sampled_from(["remember", "take", "drop", "forget", "wait"]),
        st.integers(0, len(CHATS) - 1),
        st.sampled_from(USERS),
        st.lists(st.text(max_size=12), max_size=3),
        st.floats(0, DRAFT_TTL_S / 2, allow_nan=False),
    ),
    max_size=40,
)


def _shown(draft: Draft | None) -> tuple[str, tuple[str, ...]] | None:
    return None if draft is None else (draft.command, draft.args)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=operations)
async def test_shared_drafts_answer_as_the_in_memory_ones(
    engine: AsyncEngine, steps: list[tuple[str, int, str, list[str], float]]
) -> None:
    """Whatever people type, in whatever order, with whatever pauses: each answer continues the
    same draft (or none) as one process's memory would, under the per-chat cap and the expiry."""
    clock = Clock(START + next(keys) * 100_000)
    # Chats of their own per example: the table is shared by every example of this test.
    prefix = str(next(keys))
    chats = [Address(c.platform, prefix + c.chat_id) for c in CHATS]
    shared = SqlDrafts(engine, clock, max_drafts=1_000, max_per_chat=2)
    local = Conversations(clock, max_drafts=1_000, max_per_chat=2)
    for action, which, user, args, pause in steps:
        chat = chats[which]
        if action == "remember":
            await shared.remember(chat, user, "plan", tuple(args))
            local.remember(chat, user, "plan", tuple(args))
        elif action == "take":
            assert _shown(await shared.take(chat, user)) == _shown(local.take(chat, user))
        elif action == "drop":
            await shared.drop(chat, user)
            local.drop(chat, user)
        elif action == "forget":
            await shared.forget_chat(chat)
            local.forget_chat(chat)
        else:
            clock.now += pause
    for chat in chats:
        for user in USERS:
            assert _shown(await shared.take(chat, user)) == _shown(local.take(chat, user))

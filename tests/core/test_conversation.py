"""Step-by-step drafts stay bounded in memory, answer only their own asker, and expire.

The clock is a number the test moves; the caps are small so the property tests reach them.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from bot.core.commands import Arg, Command, Registry
from bot.core.conversation import (
    FREE_TEXT,
    MAX_DRAFTS,
    MAX_DRAFTS_PER_CHAT,
    Conversations,
    MemoryDrafts,
)
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.ratelimit import Unlimited
from content.i18n import CatalogTranslator
from handlers.registry import build_registry
from tests.support.fakes import BareDeps, InMemoryStore

TTL = 10.0
CHATS = [Address("console", name) for name in ("p1", "p2", "group")]
USERS = ["u1", "u2", "u3", "u4"]


@dataclass
class Tick:
    """A monotonic clock the test moves."""

    now: float = 1000.0

    def __call__(self) -> float:
        return self.now


class DraftMachine(RuleBasedStateMachine):
    """Random remembers, answers, drops, erasures and waits against a model of what was asked.

    `strict` (caps never reached): every answer is exactly the model's. Otherwise drafts may be
    evicted to keep the caps, so an answer may be missing but is never wrong.
    """

    max_drafts = 5
    max_per_chat = 2
    strict = False

    def __init__(self) -> None:
        super().__init__()
        self.clock = Tick()
        self.conversations = Conversations(
            self.clock,
            ttl_s=TTL,
            max_drafts=self.max_drafts,
            max_per_chat=self.max_per_chat,
        )
        # (chat, user) -> (command, expires): the draft the model says is waiting.
        self.model: dict[tuple[Address, str], tuple[str, float]] = {}
        self.serial = 0

    @rule(chat=st.sampled_from(CHATS), user=st.sampled_from(USERS))
    def remember(self, chat: Address, user: str) -> None:
        self.serial += 1
        command = f"cmd{self.serial}"
        self.conversations.remember(chat, user, command, (command,))
        self.model[(chat, user)] = (command, self.clock.now + TTL)

    @rule(chat=st.sampled_from(CHATS), user=st.sampled_from(USERS))
    def take(self, chat: Address, user: str) -> None:
        draft = self.conversations.take(chat, user)
        expected = self.model.pop((chat, user), None)
        live = expected is not None and self.clock.now < expected[1]
        if draft is not None:
            # Only the asker's own, latest, unexpired draft is ever an answer.
            assert expected is not None and live
            assert (draft.command, draft.args) == (expected[0], (expected[0],))
        elif self.strict:
            assert not live

    @rule(chat=st.sampled_from(CHATS), user=st.sampled_from(USERS))
    def drop(self, chat: Address, user: str) -> None:
        self.conversations.drop(chat, user)
        self.model.pop((chat, user), None)

    @rule(chat=st.sampled_from(CHATS))
    def forget_chat(self, chat: Address) -> None:
        self.conversations.forget_chat(chat)
        for key in [k for k in self.model if k[0] == chat]:
            del self.model[key]

    @rule(seconds=st.sampled_from([0.5, 3.0, TTL - 0.5, TTL, TTL + 0.5, 3 * TTL]))
    def wait(self, seconds: float) -> None:
        self.clock.now += seconds

    @invariant()
    def within_the_caps(self) -> None:
        assert len(self.conversations) <= self.max_drafts
        for chat in CHATS:
            assert self.conversations.open_in(chat) <= self.max_per_chat


class StrictDraftMachine(DraftMachine):
    max_drafts = len(CHATS) * len(USERS)
    max_per_chat = len(USERS)
    strict = True

    @invariant()
    def nothing_was_evicted(self) -> None:
        # With room for every (chat, user), a live draft of the model is always still held.
        live = [k for k, (_, expires) in self.model.items() if self.clock.now < expires]
        assert len(self.conversations) >= len(live)


TestDraftsStayWithinTheCaps = DraftMachine.TestCase
TestDraftsStayWithinTheCaps.settings = settings(max_examples=300, stateful_step_count=60)
TestDraftsAnswerExactlyTheirAsker = StrictDraftMachine.TestCase
TestDraftsAnswerExactlyTheirAsker.settings = settings(max_examples=200, stateful_step_count=60)


def test_a_draft_expires_at_its_ttl_not_a_moment_later() -> None:
    clock = Tick()
    conversations = Conversations(clock, ttl_s=TTL)
    chat = Address("console", "c")
    conversations.remember(chat, "u", "plan", ())
    clock.now += TTL - 0.001
    assert conversations.take(chat, "u") is not None
    conversations.remember(chat, "u", "plan", ())
    clock.now += TTL
    assert conversations.take(chat, "u") is None
    # Also when someone else's later draft keeps the chat itself alive.
    conversations.remember(chat, "u", "plan", ())
    clock.now += 1
    conversations.remember(chat, "other", "plan", ())
    clock.now += TTL - 1
    assert conversations.take(chat, "u") is None
    assert conversations.take(chat, "other") is not None


def test_a_full_chat_gives_up_its_oldest_draft_and_leaves_other_chats_alone() -> None:
    conversations = Conversations(Tick(), max_drafts=100, max_per_chat=3)
    group, private = Address("console", "group"), Address("console", "private")
    conversations.remember(private, "p", "plan", ())
    for user in ("a", "b", "c", "d"):
        conversations.remember(group, user, "plan", ())
    assert conversations.open_in(group) == 3
    assert conversations.take(group, "a") is None  # the oldest made room
    assert [conversations.take(group, u) is not None for u in ("b", "c", "d")] == [True] * 3
    assert conversations.take(private, "p") is not None


def test_caps_that_cannot_hold_are_refused() -> None:
    with pytest.raises(ValueError):
        Conversations(max_drafts=5, max_per_chat=6)


def test_fifty_thousand_askers_stay_within_the_caps() -> None:
    """A flood of distinct users, each in their own chat, plus a crowd in one group."""
    clock = Tick()
    conversations = Conversations(clock)
    group = Address("telegram", "-100")
    for number in range(50_000):
        user = str(number)
        conversations.remember(Address("telegram", user), user, "plan", (user,))
        conversations.remember(group, user, "plan", (user,))
        clock.now += 0.001
        assert len(conversations) <= MAX_DRAFTS
    assert conversations.open_in(group) <= MAX_DRAFTS_PER_CHAT
    # The latest askers are still answered, each with their own draft; the earliest made room.
    latest = conversations.take(Address("telegram", "49999"), "49999")
    assert latest is not None and latest.args == ("49999",)
    assert conversations.take(Address("telegram", "0"), "0") is None


def _bare_dispatcher(
    commands: Registry[BareDeps], conversations: Conversations
) -> Dispatcher[BareDeps]:
    deps = BareDeps(InMemoryStore(), CatalogTranslator(), frozenset({Address("console", "boss")}))
    return Dispatcher(commands, deps, Unlimited(), MemoryDrafts(conversations))  # type: ignore[arg-type]


async def test_fifty_thousand_askers_through_the_dispatcher_stay_within_the_cap() -> None:
    async def plan(request: Request, deps: BareDeps) -> Reply:
        return Reply("planned")

    conversations = Conversations()
    prompted = Command("plan", "Plan", plan, args=(Arg("title", "t", prompt="Name?"),))
    dispatcher = _bare_dispatcher(Registry([prompted]), conversations)
    for number in range(50_000):
        user = str(number)
        reply = await dispatcher.dispatch(Request("plan", (), Address("console", user), user))
        assert reply is not None and reply.text.startswith("Name?")
    assert len(conversations) == MAX_DRAFTS
    answer = Request(FREE_TEXT, ("Vigil",), Address("console", "49999"), "49999")
    assert await dispatcher.dispatch(answer) == Reply("planned")


async def test_fifty_thousand_strangers_open_no_organizer_flow() -> None:
    """Organizer-only flows are refused at step one: a flood of them leaves no draft at all."""
    conversations = Conversations()
    dispatcher = _bare_dispatcher(build_registry(), conversations)  # type: ignore[arg-type]
    flows = (("eventform", ()), ("bcwrite", ("events",)), ("editevent", ("e_1",)))
    for number in range(50_000):
        user = str(number)
        command, args = flows[number % len(flows)]
        kind = ChatKind.GROUP if number % 2 else ChatKind.PRIVATE
        request = Request(command, args, Address("console", user), user, kind)
        reply = await dispatcher.dispatch(request)
        assert reply is not None and reply.text.startswith("Only campaign organizers")
    assert len(conversations) == 0

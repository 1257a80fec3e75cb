"""Step-by-step commands: when a command lacks arguments that have a prompt, the dispatcher asks
for them one at a time and takes the asker's next plain message as the answer.

The dispatcher sees drafts through the small async port `Drafts`. With one process (SQLite) they
live in memory only (`Conversations`, through `MemoryDrafts`), for a few minutes: a half-typed
event is not worth a database row, and a restart simply means typing the command again. Several
processes on PostgreSQL (Telegram webhook workers behind a load balancer: any worker takes any
update) keep them in the database instead, with the same bounds (db.stores.shared.SqlDrafts); the
composition root decides which.

Memory is bounded whatever arrives: at most MAX_DRAFTS drafts overall and MAX_DRAFTS_PER_CHAT in
one chat (a flood in one big group cannot crowd everyone else out), and each insert costs O(1)
(amortized): `cachetools.TTLCache` drops expired chats and, when full, the least recently active
ones, instead of rebuilding a dict on every insert past the limit. cachetools is the one
third-party import in bot.core; the import contracts forbid only our own packages and the
platform SDKs, and it stays behind this module's small API (nothing else sees the cache).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cachetools import TTLCache

from bot.core.messages import Address

# A plain message (not a command) reaches the dispatcher as a Request with this command name
# and the whole text as its one argument.
FREE_TEXT = ""
DRAFT_TTL_S = 15 * 60
MAX_DRAFTS = 10_000
# Only organizers and a group's own admins may open drafts in a group (the dispatcher refuses
# everyone else first), so a real group never needs more than a handful at once.
MAX_DRAFTS_PER_CHAT = 20


@dataclass(frozen=True, slots=True)
class Draft:
    command: str
    args: tuple[str, ...]
    expires: float


class Drafts(Protocol):
    """The command each (chat, user) is in the middle of: what the dispatcher needs of drafts."""

    async def remember(
        self, chat: Address, user_id: str, command: str, args: tuple[str, ...]
    ) -> None: ...

    async def take(self, chat: Address, user_id: str) -> Draft | None:
        """The draft waiting for this user's answer, removed; None if none or expired."""
        ...

    async def drop(self, chat: Address, user_id: str) -> None: ...

    async def forget_chat(self, chat: Address) -> None:
        """Every draft open in this chat, whoever started it, goes (after /forget)."""
        ...


# One chat's drafts by user id, oldest first (dicts keep insertion order).
_ChatDrafts = dict[str, Draft]


def _count(drafts: _ChatDrafts) -> int:
    return len(drafts)


class Conversations:
    """The command each (chat, user) is in the middle of, with the answers given so far.

    The cache is keyed by chat, each value that chat's drafts, weighed by how many it holds: the
    cache's size bound is then the overall bound on drafts, and the per-chat bound is kept here.
    A chat's value is replaced (never changed in place) so the cache's weighing stays true; that
    copies at most MAX_DRAFTS_PER_CHAT entries, a constant. A chat's entry is refreshed on every
    change, so it outlives each of its drafts; each draft's own expiry is checked when taken.
    """

    def __init__(
        self,
        monotonic: Callable[[], float] = time.monotonic,
        *,
        ttl_s: float = DRAFT_TTL_S,
        max_drafts: int = MAX_DRAFTS,
        max_per_chat: int = MAX_DRAFTS_PER_CHAT,
    ) -> None:
        if not 1 <= max_per_chat <= max_drafts:
            raise ValueError("need 1 <= max_per_chat <= max_drafts")
        self._monotonic = monotonic
        self._ttl_s = ttl_s
        self._max_per_chat = max_per_chat
        self._chats: TTLCache[Address, _ChatDrafts, float] = TTLCache(
            maxsize=max_drafts, ttl=ttl_s, timer=monotonic, getsizeof=_count
        )

    def remember(self, chat: Address, user_id: str, command: str, args: tuple[str, ...]) -> None:
        now = self._monotonic()
        drafts = self._live(chat, now, without=user_id)
        while len(drafts) >= self._max_per_chat:
            # The chat's oldest draft makes room: its asker has most likely moved on.
            del drafts[next(iter(drafts))]
        drafts[user_id] = Draft(command, args, now + self._ttl_s)
        self._chats[chat] = drafts

    def take(self, chat: Address, user_id: str) -> Draft | None:
        """The draft waiting for this user's answer, removed; None if none or expired."""
        now = self._monotonic()
        draft = self._chats.get(chat, {}).get(user_id)
        self.drop(chat, user_id)
        if draft is None or draft.expires <= now:
            return None
        return draft

    def drop(self, chat: Address, user_id: str) -> None:
        if user_id in self._chats.get(chat, {}):
            self._store(chat, self._live(chat, self._monotonic(), without=user_id))

    def forget_chat(self, chat: Address) -> None:
        """Every draft open in this chat, whoever started it, goes (after /forget)."""
        self._chats.pop(chat, None)

    def open_in(self, chat: Address) -> int:
        """How many drafts this chat holds (expired ones until the chat is next touched)."""
        return len(self._chats.get(chat, {}))

    def __len__(self) -> int:
        """How many drafts are held overall: an upper bound on those still answerable."""
        return int(self._chats.currsize)

    def _live(self, chat: Address, now: float, without: str) -> _ChatDrafts:
        """A fresh copy of the chat's unexpired drafts, without `without`'s."""
        held = self._chats.get(chat, {})
        return {user: d for user, d in held.items() if user != without and d.expires > now}

    def _store(self, chat: Address, drafts: _ChatDrafts) -> None:
        # An empty value would weigh nothing, so chats without drafts are never kept.
        if drafts:
            self._chats[chat] = drafts
        else:
            self._chats.pop(chat, None)


class MemoryDrafts:
    """`Drafts` over one process's `Conversations` (SQLite: one process serves every update)."""

    def __init__(self, conversations: Conversations | None = None) -> None:
        self.conversations = Conversations() if conversations is None else conversations

    async def remember(
        self, chat: Address, user_id: str, command: str, args: tuple[str, ...]
    ) -> None:
        self.conversations.remember(chat, user_id, command, args)

    async def take(self, chat: Address, user_id: str) -> Draft | None:
        return self.conversations.take(chat, user_id)

    async def drop(self, chat: Address, user_id: str) -> None:
        self.conversations.drop(chat, user_id)

    async def forget_chat(self, chat: Address) -> None:
        self.conversations.forget_chat(chat)

"""Step-by-step commands: when a command lacks arguments that have a prompt, the dispatcher asks
for them one at a time and takes the asker's next plain message as the answer.

Drafts live in memory only, for a few minutes: a half-typed event is not worth a database row,
and a restart simply means typing the command again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.messages import Address

# A plain message (not a command) reaches the dispatcher as a Request with this command name
# and the whole text as its one argument.
FREE_TEXT = ""
DRAFT_TTL_S = 15 * 60
MAX_DRAFTS = 10_000


@dataclass(frozen=True, slots=True)
class Draft:
    command: str
    args: tuple[str, ...]
    expires: float


class Conversations:
    """The command each (chat, user) is in the middle of, with the answers given so far."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._drafts: dict[tuple[Address, str], Draft] = {}
        self._monotonic = monotonic

    def remember(self, chat: Address, user_id: str, command: str, args: tuple[str, ...]) -> None:
        now = self._monotonic()
        if len(self._drafts) >= MAX_DRAFTS:
            self._drafts = {k: d for k, d in self._drafts.items() if d.expires > now}
        self._drafts[(chat, user_id)] = Draft(command, args, now + DRAFT_TTL_S)

    def take(self, chat: Address, user_id: str) -> Draft | None:
        """The draft waiting for this user's answer, removed; None if none or expired."""
        draft = self._drafts.pop((chat, user_id), None)
        if draft is None or draft.expires < self._monotonic():
            return None
        return draft

    def drop(self, chat: Address, user_id: str) -> None:
        self._drafts.pop((chat, user_id), None)

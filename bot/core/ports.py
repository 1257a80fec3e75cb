"""The ports: what the core needs from storage, platforms, translation and rate limiting."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Final, Literal, Protocol, runtime_checkable

from bot.core.messages import Address, ChatKind, Reply, Request

Clock = Callable[[], datetime]
Dispatch = Callable[[Request], Awaitable[Reply | None]]
# asyncio.sleep, or a test's stand-in that moves a fake clock.
Sleep = Callable[[float], Awaitable[None]]

TOPICS: tuple[str, ...] = ("events", "petitions", "remembrance", "appeals")
DEFAULT_QUIET_HOURS: tuple[time, time] = (time(22, 0), time(8, 0))


class RsvpAnswer(StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NOT_GOING = "no"


@dataclass(frozen=True, slots=True)
class ChatPrefs:
    """Everything stored about a chat: no names, no usernames, no message text."""

    address: Address
    kind: ChatKind
    created_at: datetime
    locale: str | None = None
    timezone: str | None = None
    quiet_hours: tuple[time, time] | None = DEFAULT_QUIET_HOURS
    topics: frozenset[str] = field(default_factory=frozenset)
    # Discreet mode as the chat chose it; None until it chooses (bot.core.discreet says what
    # that means: on for Russian-language chats).
    discreet: bool | None = None
    # Self-destruct: the bot deletes its own messages here this long after sending them.
    delete_after: timedelta | None = None


class ChatStore(Protocol):
    """Subscriber preferences and RSVPs. Implementations return plain values, never ORM rows."""

    async def get_chat(self, address: Address) -> ChatPrefs | None: ...

    async def save_chat(self, prefs: ChatPrefs) -> None: ...

    async def forget_chat(self, address: Address, user: Address | None = None) -> Mapping[str, int]:
        """Erase every row about this chat and, when given, every row naming the person `user`
        (a broadcast they started or approved); return how many of each kind went (a kind
        with nothing erased may be 0 or absent). Nothing erased stays readable on disk."""
        ...

    async def set_rsvp(self, address: Address, event_id: str, answer: RsvpAnswer) -> None: ...

    async def get_rsvp(self, address: Address, event_id: str) -> RsvpAnswer | None: ...

    async def rsvp_counts(self, event_id: str) -> Mapping[RsvpAnswer, int]: ...

    async def subscribers(self, topic: str) -> list[ChatPrefs]:
        """Active chats subscribed to `topic`."""
        ...

    async def set_active(self, address: Address, active: bool) -> None:
        """A chat switched off gets nothing until it is switched on again: a server channel
        that lost a permission (a chat that blocked or removed the bot is erased instead)."""
        ...

    async def count_campaign_start(self, tag: str) -> None:
        """Count one start through a campaign link, in aggregate only, never per person.
        Callers pass only the tags the content names (bot.core.chats.ChatEvents)."""
        ...

    async def move_chat(self, old: Address, new: Address) -> bool:
        """Give the chat's stored rows its new address; False when nothing was stored."""
        ...


class RecipientGone(Exception):
    """The chat blocked the bot, left, or no longer exists: stop sending to it.

    `reason` says why where the platform knows (a server channel that lost a permission:
    "missing:Send Messages"; "unknown_channel"); `moved_to` is the chat's new address when it
    moved (a Telegram group that became a supergroup).
    """

    def __init__(self, reason: str = "", moved_to: Address | None = None) -> None:
        super().__init__(reason or "recipient gone")
        self.reason = reason
        self.moved_to = moved_to


class ChatGone(Protocol):
    """Where senders report a recipient that is gone (bot.core.chats.ChatEvents)."""

    async def gone(self, chat: Address, error: RecipientGone | None = None) -> None: ...


class TryLater(Exception):
    """The platform asked us to slow down or could not be reached; the send may be retried."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__(f"try again after {retry_after}s" if retry_after else "try again later")
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class PlatformPacing:
    """One platform's limits for sending unprompted (broadcasts), as its messenger declares."""

    rate: float = 25.0  # messages a second overall
    private_rate: float | None = None  # new direct messages a second (Discord DMs)
    per_chat_interval_s: float = 1.0  # at most one message a second to one chat
    group_per_minute: int | None = None  # Telegram: 20 a minute to one group
    hard_cap: float | None = None  # the rate may be configured, never above this
    # Messages a second through the platform's paid lane (Telegram's allow_paid_broadcast, up
    # to 1,000/s, charged per message); None when the campaign has not turned it on.
    paid_rate: float | None = None

    def with_rate(self, rate: float | None) -> PlatformPacing:
        """The same limits at another overall rate, never above the platform's hard cap."""
        chosen = self.rate if rate is None else rate
        if self.hard_cap is not None:
            chosen = min(chosen, self.hard_cap)
        return replace(self, rate=chosen)


class Messenger(Protocol):
    """One platform. `run` serves users until cancelled; `send` pushes a reply unprompted and
    returns the ids of the messages it became; `delete` deletes some of the bot's own messages
    (self-destruct, bot.core.deletion), treating one already gone or too old as deleted.

    `pacing` is how fast the platform lets the bot send unprompted; the fan-out keeps under it.
    """

    platform: str
    pacing: PlatformPacing

    async def run(self, dispatch: Dispatch) -> None: ...

    async def send(self, address: Address, reply: Reply) -> Sequence[str]: ...

    async def delete(self, address: Address, message_ids: Sequence[str]) -> None: ...


@runtime_checkable
class OpensDirectChats(Protocol):
    """A platform where a person's private chat is not their user id (a Discord DM channel):
    `direct_chat` opens it if need be and gives its chat id, where the chat's choices are kept."""

    async def direct_chat(self, user_id: str) -> str: ...


# A sender that read the chat's row with its work (a broadcast recipient, a due reminder) knows
# its self-destruct choice already: seconds, or None for none. LOOK_UP: it does not, read it.
LOOK_UP: Final = "look up"
SelfDestruct = int | None | Literal["look up"]


class SentMessages(Protocol):
    """Where whoever sends reports the ids of what the bot sent (bot.core.chats.ChatEvents), so
    a chat that chose self-destruct has them deleted in time."""

    async def sent(
        self, address: Address, message_ids: Sequence[str], delete_after: SelfDestruct = LOOK_UP
    ) -> None: ...


class Translator(Protocol):
    """gettext by locale; unknown locales and missing messages fall back to English."""

    locales: tuple[str, ...]

    def gettext(self, locale: str | None, message: str) -> str: ...

    def ngettext(self, locale: str | None, singular: str, plural: str, n: int) -> str:
        """The form of a counted text for `n` under the locale's plural rules."""
        ...


@dataclass(frozen=True, slots=True)
class Verdict:
    """The rate limit's answer for one action: go ahead, or wait `retry_after_s` seconds."""

    allowed: bool
    retry_after_s: float = 0.0


ALLOW = Verdict(True)


@dataclass(frozen=True, slots=True)
class TooFast(Reply):
    """The short answer to an action refused by the rate limit (never silence).

    Adapters show it the cheapest way the platform allows: a button press's own callback answer
    on Telegram, an ephemeral response on Discord, a plain reply elsewhere.
    """

    retry_after_s: int = 0


class RateLimiter(Protocol):
    """Asynchronous because several processes on one database share their buckets there."""

    async def check(self, key: str) -> Verdict: ...

    async def forget(self, key: str) -> None:
        """Drop everything held about `key` (after /forget): it starts afresh."""
        ...

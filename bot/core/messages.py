"""The values that cross the boundary between the core and every adapter."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum


class ChatKind(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    CHANNEL = "channel"


@dataclass(frozen=True, slots=True)
class Address:
    """Where a message goes: a platform and a chat id (a string fits ints and snowflakes)."""

    platform: str
    chat_id: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.chat_id}"


AdminCheck = Callable[[], Awaitable[bool]]


@dataclass(frozen=True, slots=True)
class Request:
    """What somebody asked, with what the platform knows about the asker's context.

    `user_id` identifies the asker only for permission checks and rate limiting; it is never stored
    or logged. `locale` and `tz` start as the platform's guess and the dispatcher replaces them with
    the chat's own choices when it has made any.
    """

    command: str
    args: tuple[str, ...]
    chat: Address
    user_id: str
    chat_kind: ChatKind = ChatKind.PRIVATE
    locale: str | None = None
    tz: str | None = None
    # Whether the asker administers this chat (Telegram group admin, Discord Manage Server).
    is_chat_admin: bool = False
    # Where the platform can only tell by asking (a Telegram group's getChatMember), the adapter
    # gives the question instead of the answer: the dispatcher asks it only for a command that
    # needs it, and only after the rate limit, so a flood costs no platform calls.
    admin_check: AdminCheck | None = field(default=None, compare=False, repr=False)
    # The chat is in discreet mode (bot.core.discreet): filled in by the dispatcher, like `locale`.
    discreet: bool = False
    # Asked in the organizer dashboard (bot/adapters/web), which shows the reply on its page: a
    # handler sends nothing to the chat on the side (a phone that may be searched gets no copy
    # of a draft the organizer only looked at in a browser).
    in_dashboard: bool = False

    @property
    def user(self) -> Address:
        return Address(self.chat.platform, self.user_id)


@dataclass(frozen=True, slots=True)
class UrlButton:
    label: str
    url: str


@dataclass(frozen=True, slots=True)
class ActionButton:
    """A button that comes back as a Request for `command` with `args` when pressed."""

    label: str
    command: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ShareButton:
    """A button to pass the campaign on: each adapter makes the best link its platform allows.

    Telegram knows the bot's own username, so it offers a share sheet carrying a link into the
    bot counted under `tag` (t.me/<bot>?start=<tag>) with `text` prefilled; elsewhere it opens
    the campaign's public `page`, or is left out when there is none.
    """

    label: str
    tag: str
    text: str
    page: str | None = None


Button = UrlButton | ActionButton | ShareButton


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str


@dataclass(frozen=True, slots=True)
class Reply:
    """What the bot answers: plain text (adapters escape it), buttons, an optional file.

    `private` asks the adapter to show the reply only to the asker where the platform can (an
    ephemeral Discord response); elsewhere it is an ordinary reply in the same chat.
    """

    text: str
    buttons: tuple[Button, ...] = field(default=())
    attachment: Attachment | None = None
    private: bool = False
    # A question: the asker's next plain message in this chat answers it (a step-by-step
    # command's prompt, or a handler's "Erase now?"), so a platform that moves private replies
    # elsewhere must ask it here.
    asks: bool = False
    # The reply confirms that everything stored about the chat was erased: the dispatcher then
    # drops what it holds in memory about the chat and the asker too.
    erased: bool = False
    # A campaign-wide broadcast sent through the platform's paid lane where it has one
    # (Telegram's allow_paid_broadcast, charged in Stars); other platforms ignore it.
    paid: bool = False
    # Discreet mode: the platform must not let the message be forwarded or saved where it can
    # (Telegram's protect_content); others ignore it.
    protect: bool = False
    # The answer to a button press replaces the message the button is on (a discreet message's
    # Show) instead of arriving as a new one; where a platform cannot edit, it is sent anew.
    edits: bool = False

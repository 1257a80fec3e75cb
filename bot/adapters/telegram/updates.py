"""Reading Telegram updates: who asked what, where, in which language. No I/O here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from telegram import Chat, ChatMember, ChatMemberUpdated, Message
from telegram.constants import ChatType

from bot.core.commands import split_command_line
from bot.core.conversation import FREE_TEXT
from bot.core.messages import Address, ChatKind

PLATFORM = "telegram"

# t.me/<bot>?start=<tag>: Telegram allows up to 64 of these characters in a start parameter.
START_TAG = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

_KINDS: dict[str, ChatKind] = {
    ChatType.PRIVATE: ChatKind.PRIVATE,
    ChatType.GROUP: ChatKind.GROUP,
    ChatType.SUPERGROUP: ChatKind.GROUP,
    ChatType.CHANNEL: ChatKind.CHANNEL,
}


def chat_kind(chat: Chat) -> ChatKind:
    return _KINDS.get(str(chat.type), ChatKind.GROUP)


def address(chat_id: int | str) -> Address:
    return Address(PLATFORM, str(chat_id))


@dataclass(frozen=True, slots=True)
class CommandLine:
    """A command typed in a chat, as far as the message alone tells."""

    name: str
    args: tuple[str, ...]
    addressed_to_us: bool
    user_id: str
    kind: ChatKind
    locale: str | None
    # Anonymous group admins and channel posts speak as the chat itself: only admins can.
    speaks_as_chat: bool


def read_command(message: Message, bot_username: str) -> CommandLine | None:
    """The command in `message`, or None when it is not one for us (another bot's, a bot's)."""
    text = message.text or ""
    parsed = split_command_line(text)
    if parsed is None:
        return None
    name, args = parsed
    mention = text.split(maxsplit=1)[0].partition("@")[2]
    if mention and mention.lower() != bot_username.lower():
        return None
    return _read(message, name, args, addressed=bool(mention))


def read_plain_text(message: Message) -> CommandLine | None:
    """A plain message as the answer to a step-by-step command's question (FREE_TEXT)."""
    text = (message.text or "").strip()
    if not text:
        return None
    return _read(message, FREE_TEXT, (text,), addressed=True)


def _read(
    message: Message, name: str, args: tuple[str, ...], *, addressed: bool
) -> CommandLine | None:
    if message.is_automatic_forward:
        return None
    chat = message.chat
    sender_chat = message.sender_chat
    speaks_as_chat = sender_chat is not None and sender_chat.id == chat.id
    user = message.from_user
    if speaks_as_chat:
        user_id = str(chat.id)
    elif sender_chat is not None:
        user_id = str(sender_chat.id)
    elif user is not None and not user.is_bot:
        user_id = str(user.id)
    else:
        return None
    return CommandLine(
        name=name,
        args=args,
        addressed_to_us=addressed or chat.type == ChatType.PRIVATE,
        user_id=user_id,
        kind=chat_kind(chat),
        locale=user.language_code if user is not None and not speaks_as_chat else None,
        speaks_as_chat=speaks_as_chat,
    )


def start_tag(args: tuple[str, ...]) -> str | None:
    """The campaign tag of a deep link's `/start <tag>`, if it looks like one."""
    if len(args) == 1 and START_TAG.match(args[0]):
        return args[0]
    return None


def membership_active(change: ChatMemberUpdated) -> bool | None:
    """True when the bot is (again) in the chat, False when blocked/kicked/left, else None."""
    member = change.new_chat_member
    if member.status in (ChatMember.BANNED, ChatMember.LEFT):
        return False
    if member.status in (ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER):
        return True
    if member.status == ChatMember.RESTRICTED:
        return bool(getattr(member, "is_member", False))
    return None


def migrated_to(message: Message) -> Address | None:
    """The supergroup a group became, from the service message Telegram posts in the old group."""
    new_id = message.migrate_to_chat_id
    return address(new_id) if new_id is not None else None


def chat_id_of(where: Address) -> int | str:
    """The Bot API chat_id for an address: numeric ids as int, '@channel' names as they are."""
    chat_id = where.chat_id
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id

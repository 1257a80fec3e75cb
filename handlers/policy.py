"""Who may do what: the checks every organizer and admin command shares, answered once.

Campaign organizers (the ORGANIZERS setting) act everywhere. A group's admins (Telegram) or a
server's Manage Server holders (Discord) act only for their own chat, and only from inside it.
"""

from __future__ import annotations

from bot.core.messages import Address, ChatKind, Request
from handlers.deps import Deps


def is_organizer(request: Request, deps: Deps) -> bool:
    """Whether the asker is one of the campaign's organizers."""
    return request.user in deps.organizers


def is_group_admin(request: Request) -> bool:
    """Whether the asker administers the group or server they ask in (never a private chat)."""
    return request.chat_kind is not ChatKind.PRIVATE and request.is_chat_admin


def administers(request: Request, chat: Address | None) -> bool:
    """Whether the asker, asking from inside `chat`, is one of its admins."""
    return chat is not None and chat == request.chat and request.is_chat_admin


def may_manage(request: Request, deps: Deps, scope: Address | None) -> bool:
    """Organizers manage everything; a chat's admins what belongs to their chat (`scope`)."""
    return is_organizer(request, deps) or administers(request, scope)


def may_publish(request: Request, deps: Deps, scope: Address | None) -> bool:
    """Campaign-wide (no scope): organizers; a chat's own: its admins or an organizer, inside it."""
    if scope is None:
        return is_organizer(request, deps)
    return scope == request.chat and (request.is_chat_admin or is_organizer(request, deps))

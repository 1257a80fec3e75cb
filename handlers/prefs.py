"""Reading and creating the one stored row a chat has, shared by the commands that change it."""

from __future__ import annotations

from bot.core.messages import Request
from bot.core.ports import ChatPrefs
from handlers.deps import Deps


async def current_prefs(request: Request, deps: Deps) -> ChatPrefs:
    """The chat's stored preferences, or fresh ones (not yet saved) when it has none."""
    prefs = await deps.store.get_chat(request.chat)
    if prefs is not None:
        return prefs
    return ChatPrefs(
        address=request.chat,
        kind=request.chat_kind,
        created_at=deps.clock(),
        locale=request.locale,
        timezone=request.tz,
    )


async def save_chat_if_new(request: Request, deps: Deps) -> None:
    """Store the chat's row, with fresh preferences, unless it has one already."""
    # RSVPs, lead times and a group's own events hang off that row.
    if await deps.store.get_chat(request.chat) is None:
        await deps.store.save_chat(await current_prefs(request, deps))

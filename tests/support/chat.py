"""The one way tests talk to a dispatcher, as a person types or a slash command fills options."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.core.conversation import FREE_TEXT
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import Dispatch

Say = Callable[..., Awaitable[Reply]]


def speaker(dispatch: Dispatch, *, chat: str) -> Say:
    """`say("/events past")` splits a typed line; `say("/newevent", "A rally", ...)` passes
    arguments exactly (as Discord's options fill them); text without a slash answers a question."""

    async def say(
        text: str,
        *args: str,
        chat: str = chat,
        user: str | None = None,
        locale: str | None = "en",
        kind: ChatKind = ChatKind.PRIVATE,
        admin: bool = False,
        platform: str = "console",
    ) -> Reply:
        if not text.startswith("/"):
            command, words = FREE_TEXT, (text, *args)
        elif args:
            command, words = text[1:], args
        else:
            first, *rest = text.split(" ")
            command, words = first[1:], tuple(w for w in rest if w)
        request = Request(
            command=command,
            args=words,
            chat=Address(platform, chat),
            user_id=user or chat,
            chat_kind=kind,
            locale=locale,
            is_chat_admin=admin,
        )
        reply = await dispatch(request)
        assert reply is not None
        return reply

    return say

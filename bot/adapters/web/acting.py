"""Acting as the signed-in person: every change the dashboard makes is a Request through the
dispatcher, exactly as if they had typed the command in the chat they asked /dashboard from.

So the chat's rules hold unchanged (who may publish, what a valid start is, when a second
organizer must approve), with no second implementation to drift from the first.
"""

from __future__ import annotations

from aiohttp import web

from bot.adapters.web.render import DASHBOARD, language
from bot.adapters.web.session import grant_of
from bot.core.messages import Reply, Request

# What a page may ask the dispatcher to do on the person's behalf: the organizer's and admin's
# commands and their buttons. Anything else (a supporter's /forget, say) stays in the chat.
ALLOWED = frozenset(
    {
        "newevent",
        "editevent",
        "cancelevent",
        "eventdraft",
        "broadcast",
        "bcsend",
        "approve",
        "cancel",
    }
)


def as_request(request: web.Request, command: str, *args: str) -> Request:
    """The Request the signed-in person would make by typing `/command args…` in their chat."""
    grant = grant_of(request)
    return Request(
        command=command,
        args=args,
        chat=grant.chat,
        user_id=grant.user.chat_id,
        chat_kind=grant.chat_kind,
        locale=language(request),
        # A group admin's grant was given after the platform said they administer the group.
        is_chat_admin=grant.scope is not None,
        in_dashboard=True,
    )


async def act(request: web.Request, command: str, *args: str) -> Reply:
    """Dispatch `/command args…` as the signed-in person; their answer, as the chat shows it."""
    if command not in ALLOWED:
        raise web.HTTPForbidden(text="not a dashboard action")
    reply = await request.app[DASHBOARD].dispatch(as_request(request, command, *args))
    # The dispatcher answers every command it is given; None only for a message it ignores.
    return reply if reply is not None else Reply("")

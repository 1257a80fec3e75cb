"""The live preview: the message exactly as recipients get it, on Telegram and on Discord.

The text comes from the core's own composition (bot.core.broadcast.compose.compose_line, the
split and checks /broadcast makes), so the preview is what the platforms receive: plain text,
no header or footer, and the link lines turned into buttons. Discord shows it as a plain message
(markdown escaped, so exactly this text), Telegram as a bubble with an inline keyboard.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from bot.adapters.web.render import DASHBOARD, gettext
from bot.core.broadcast.compose import MAX_TEXT, ComposeError, compose_line
from bot.core.broadcast.values import Message


def preview_context(
    request: web.Request, text: str = "", *, message: Message | None = None
) -> dict[str, Any]:
    """The preview panel's values: for a stored `message`, or for `text` as typed so far."""
    _ = gettext(request)
    when = ""
    error = ""
    if message is None and text.strip():
        now = request.app[DASHBOARD].clock()
        try:
            message, wall = compose_line(text, None, now)
        except ComposeError as problem:
            error = _(problem.msgid).format(**problem.values)
        else:
            if wall is not None:
                when = wall.strftime("%Y-%m-%d %H:%M")
    return {
        "preview": message,
        "preview_when": when,
        "preview_error": error,
        "preview_limit": MAX_TEXT,
        "preview_length": len(message.text) if message is not None else 0,
    }

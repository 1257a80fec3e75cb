"""Reply -> what Telegram shows: escaped HTML, message-sized parts and an inline keyboard."""

from __future__ import annotations

import functools
import html
import logging
import re
from typing import Any
from urllib.parse import quote, urlencode

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.core.commands import MAX_ACTION_BYTES, encode_action
from bot.core.labels import shorten
from bot.core.messages import ActionButton, Button, ShareButton, UrlButton

log = logging.getLogger(__name__)

# Telegram's limit for one message's text after entity parsing, counted in UTF-16 code units.
MAX_MESSAGE_CHARS = 4096
# A button's text has no documented cap, but a phone shows about a line of it: longer labels are
# shortened at a word (an event's title in "🙋 I'll be there: …").
MAX_BUTTON_CHARS = 64


# Telegram turns "@name" in any message into a mention that notifies that person in a group. A
# reply may quote what somebody typed, so the bot must never be a way to ping people: an
# invisible word joiner after the "@" keeps the text as it looks and stops the mention. E-mail
# addresses (a word character before the "@") are left alone.
MENTION = re.compile(r"(?<!\w)@(?=\w)")
WORD_JOINER = "\u2060"


def defuse_mentions(text: str) -> str:
    """The same text as people see it, with no "@name" that Telegram would turn into a ping."""
    # Most replies have no "@" at all; the regex scan is the costly part.
    return MENTION.sub("@" + WORD_JOINER, text) if "@" in text else text


def to_html(text: str) -> str:
    """Plain reply text as Telegram HTML that shows exactly that text (nothing is markup)."""
    return html.escape(defuse_mentions(text), quote=False)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _fitting_prefix(text: str, limit: int) -> int:
    """The number of characters of `text` that fit within `limit` UTF-16 code units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


def split_text(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut `text` into non-empty parts of at most `limit`, at a line break, else a space."""
    parts: list[str] = []
    rest = text.strip()
    while rest:
        if utf16_len(rest) <= limit:
            parts.append(rest)
            break
        fit = _fitting_prefix(rest, limit)
        window = rest[: fit + 1]  # a separator right after the limit is still a clean cut
        cut = window.rfind("\n")
        if cut < fit // 2:
            # A line break near the start would leave a tiny part; a space is the next best.
            space = window.rfind(" ")
            cut = space if space > 0 else (cut if cut > 0 else fit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    return [part for part in parts if part]


def action_data(button: ActionButton) -> str | None:
    """The callback data for `button`, or None when it would not fit Telegram's 64 bytes."""
    data = encode_action(button.command, button.args)
    if len(data.encode("utf-8")) > MAX_ACTION_BYTES:
        return None
    return data


def bot_username(bot: Any) -> str | None:
    """The bot's own username, known once getMe has answered (None before that)."""
    try:
        name = bot.username
    except (RuntimeError, AttributeError):  # PTB raises RuntimeError before initialize()
        return None
    return name if isinstance(name, str) and name else None


def share_url(button: ShareButton, username: str | None) -> str | None:
    """Telegram's share sheet with a link into this bot counted under the button's tag; the
    campaign's page when the bot's name is not known yet; None when there is neither."""
    if username is None:
        return button.page
    deep_link = f"https://t.me/{username}?start={button.tag}"
    return "https://t.me/share/url?" + urlencode(
        {"url": deep_link, "text": button.text}, quote_via=quote
    )


@functools.lru_cache(maxsize=1024)
def keyboard(
    buttons: tuple[Button, ...], username: str | None = None
) -> InlineKeyboardMarkup | None:
    """One button per row, in order; an action that cannot fit is left out rather than failing.

    `username` is the bot's own, for share buttons' links into the bot. Cached: most replies
    carry the same few menus, PTB objects are immutable, and building them is a measurable part
    of answering (bench/telegram_adapter.py).
    """
    rows: list[list[InlineKeyboardButton]] = []
    for button in buttons:
        label = shorten(button.label, MAX_BUTTON_CHARS)
        if isinstance(button, UrlButton):
            rows.append([InlineKeyboardButton(label, url=button.url)])
            continue
        if isinstance(button, ShareButton):
            url = share_url(button, username)
            if url is not None:
                rows.append([InlineKeyboardButton(label, url=url)])
            continue
        data = action_data(button)
        if data is None:
            log.error("action button for /%s does not fit 64 bytes; left out", button.command)
            continue
        rows.append([InlineKeyboardButton(label, callback_data=data)])
    return InlineKeyboardMarkup(rows) if rows else None

"""Turning a core Reply into what Discord shows: escaped text in 2,000-character pieces, link
buttons, persistent action buttons and an attached file."""

from __future__ import annotations

import io
import logging
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import discord

from bot.adapters.discord.forms import answer_button
from bot.core.commands import encode_action
from bot.core.labels import shorten
from bot.core.messages import ActionButton, Attachment, Button, Reply, ShareButton, UrlButton

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_LABEL_CHARS = 80
MAX_BUTTONS = 25
MAX_CUSTOM_ID = 100
ACTION_PREFIX = "ally:"

# What a press of an action button is handed to: the interaction and the encoded action.
ActionHandler = Callable[[discord.Interaction[Any], str], Awaitable[None]]
# A question's answer button (see forms.py): its translated label, and whether it is private.
Answer = tuple[str, bool]
Views = Callable[[tuple[Button, ...], Answer | None], discord.ui.View | None]


def escape(text: str) -> str:
    """Plain text -> Discord markdown that shows exactly that text."""
    return discord.utils.escape_markdown(text)


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Split escaped text into pieces of at most `limit` characters, at paragraph, line or word
    breaks where possible, never between an escaping backslash and the character it escapes."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = 0
        for separator in ("\n\n", "\n", " "):
            found = window.rfind(separator)
            if found >= limit // 2:
                cut = found + len(separator)
                break
        if cut == 0:
            cut = limit
        # A piece ending in an odd run of backslashes would strand an escape from its character.
        while cut > 1 and _odd_backslashes(text[:cut]):
            cut -= 1
        piece, text = text[:cut], text[cut:]
        if piece.strip():
            pieces.append(piece.rstrip())
        text = text.lstrip()
    if text:
        pieces.append(text)
    return pieces


@lru_cache(maxsize=1024)
def _texts(text: str) -> tuple[str, ...]:
    # The same texts (menus, help, event lists) go out again and again.
    return tuple(split_message(escape(text)))


def _odd_backslashes(piece: str) -> bool:
    run = len(piece) - len(piece.rstrip("\\"))
    return run % 2 == 1


def custom_id(button: ActionButton) -> str | None:
    """`ally:<encoded action>`, or None when it would not fit Discord's 100 characters."""
    value = ACTION_PREFIX + encode_action(button.command, button.args)
    return value if len(value) <= MAX_CUSTOM_ID else None


class ActionItem(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=re.escape(ACTION_PREFIX) + r"(?P<action>.+)",
):
    """An action button whose whole meaning lives in its custom id, so presses on messages sent
    before a restart still work (registered with `Client.add_dynamic_items`)."""

    def __init__(self, action: str, label: str = "…") -> None:
        super().__init__(
            discord.ui.Button(
                label=shorten(label, MAX_LABEL_CHARS) or "…",
                style=discord.ButtonStyle.secondary,
                custom_id=ACTION_PREFIX + action,
            )
        )
        self.action = action

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ActionItem:
        label = getattr(item, "label", None) or "…"
        return cls(match["action"], label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        handler: ActionHandler | None = getattr(interaction.client, "on_action", None)
        if handler is not None:
            await handler(interaction, self.action)


class SentView(discord.ui.View):
    """Buttons for an outgoing message. Presses are routed by ActionItem's custom-id template, so
    this view listens for nothing: reported as finished, discord.py never stores it per message
    (a store that would grow with every message sent, forever)."""

    def is_dispatchable(self) -> bool:
        return False

    def is_finished(self) -> bool:
        return True


def build_view(buttons: tuple[Button, ...], answer: Answer | None = None) -> discord.ui.View | None:
    """Link buttons and action buttons, in order, then a question's answer button; at most 25."""
    if not buttons and answer is None:
        return None
    view = SentView(timeout=None)
    for button in buttons[: MAX_BUTTONS - (answer is not None)]:
        label = shorten(button.label, MAX_LABEL_CHARS) or "…"
        if isinstance(button, UrlButton):
            view.add_item(discord.ui.Button(label=label, url=button.url))
            continue
        if isinstance(button, ShareButton):
            # Discord has no link into a bot to pass on: the campaign's public page, if any.
            if button.page is not None:
                view.add_item(discord.ui.Button(label=label, url=button.page))
            continue
        value = custom_id(button)
        if value is None:
            log.warning("dropped an action button whose custom id exceeds 100 characters")
            continue
        view.add_item(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=value)
        )
    if answer is not None:
        label, private = answer
        view.add_item(answer_button(shorten(label, MAX_LABEL_CHARS) or "…", private))
    return view if view.children else None


class ViewCache:
    """Views by button set: replies repeat the same buttons, and building a view is the most
    expensive part of rendering. Only read when sent (never stored by discord.py), so sharable."""

    def __init__(self, size: int = 512) -> None:
        self._views: OrderedDict[
            tuple[tuple[Button, ...], Answer | None], discord.ui.View | None
        ] = OrderedDict()
        self._size = size

    def __call__(
        self, buttons: tuple[Button, ...], answer: Answer | None = None
    ) -> discord.ui.View | None:
        key = (buttons, answer)
        if key in self._views:
            self._views.move_to_end(key)
            return self._views[key]
        view = build_view(buttons, answer)
        self._views[key] = view
        if len(self._views) > self._size:
            self._views.popitem(last=False)
        return view


def build_file(attachment: Attachment | None) -> discord.File | None:
    if attachment is None:
        return None
    return discord.File(io.BytesIO(attachment.content), filename=attachment.filename)


@dataclass(frozen=True, slots=True)
class Piece:
    """One message to send: text, and on the last piece the buttons and the file."""

    content: str | None
    view: discord.ui.View | None
    file: discord.File | None

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for discord.py's send methods (absent values left out)."""
        out: dict[str, Any] = {}
        if self.content:
            out["content"] = self.content
        if self.view is not None:
            out["view"] = self.view
        if self.file is not None:
            out["file"] = self.file
        return out


def render(reply: Reply, views: Views = build_view, answer: Answer | None = None) -> list[Piece]:
    """The messages that show `reply`; buttons (with `answer`'s, for a question) and the file
    ride on the last one."""
    texts: list[str | None] = list(_texts(reply.text)) or [None]
    last = len(texts) - 1
    return [
        Piece(
            content=text,
            view=views(reply.buttons, answer) if index == last else None,
            file=build_file(reply.attachment) if index == last else None,
        )
        for index, text in enumerate(texts)
    ]

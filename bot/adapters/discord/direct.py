"""Plain messages in a DM with the bot: each becomes the core's plain text (FREE_TEXT), so a
question can be answered by typing, as on Telegram.

Discord delivers a DM's content with the non-privileged `dm_messages` intent; server channels
stay unread (no `guild_messages`, no `message_content`). A DM starting with "/" is no slash
command on Discord (those come as interactions), so it is plain text like any other.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

import aiohttp
import discord

from bot.adapters.discord.api import PLATFORM
from bot.adapters.discord.render import ViewCache, render
from bot.core.conversation import FREE_TEXT
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import Dispatch, SentMessages

log = logging.getLogger(__name__)

# How many DM channels' client languages are remembered (a few hundred KB at most).
REMEMBERED_LOCALES = 10_000


class ChannelLocales:
    """The Discord client language last seen in each DM channel's interactions, the most recent
    ones kept: a typed message carries no locale, and the answer should match the question."""

    def __init__(self, size: int = REMEMBERED_LOCALES) -> None:
        self._locales: OrderedDict[str, str] = OrderedDict()
        self._size = size

    def remember(self, channel_id: str, locale: str) -> None:
        self._locales[channel_id] = locale
        self._locales.move_to_end(channel_id)
        while len(self._locales) > self._size:
            self._locales.popitem(last=False)

    def get(self, channel_id: str) -> str | None:
        return self._locales.get(channel_id)


def direct_request(
    message: discord.Message, me: discord.abc.Snowflake | None, locales: ChannelLocales
) -> Request | None:
    """The Request for a person's plain message in a DM with the bot; None for anything else
    (server messages, bots, ourselves, messages without text such as a lone attachment)."""
    if message.guild is not None or not isinstance(message.channel, discord.DMChannel):
        return None
    author = message.author
    if author.bot or (me is not None and author.id == me.id) or message.webhook_id:
        return None
    text = message.content.strip()
    if not text:
        return None
    channel_id = str(message.channel.id)
    return Request(
        command=FREE_TEXT,
        args=(text,),
        chat=Address(PLATFORM, channel_id),
        user_id=str(author.id),
        chat_kind=ChatKind.PRIVATE,
        locale=locales.get(channel_id),
    )


async def answer_direct(
    message: discord.Message,
    dispatch: Dispatch | None,
    me: discord.abc.Snowflake | None,
    locales: ChannelLocales,
    views: ViewCache,
    sent_messages: SentMessages | None = None,
) -> None:
    """Dispatch a typed DM and post the reply (a TooFast refusal too) in the same DM."""
    request = direct_request(message, me, locales)
    if request is None or dispatch is None:
        return
    try:
        reply: Reply | None = await dispatch(request)
        if reply is None:
            return
        posted = [await message.channel.send(**piece.kwargs()) for piece in render(reply, views)]
        if sent_messages is not None:
            # Self-destruct's schedule learns of the answers too (bot.core.chats).
            await sent_messages.sent(request.chat, [str(m.id) for m in posted])
    except discord.HTTPException as error:
        log.warning("could not answer a direct message: HTTP %s code %s", error.status, error.code)
    except (aiohttp.ClientError, OSError) as error:
        log.warning("could not answer a direct message (%s)", type(error).__name__)
    except Exception as error:
        # discord.py's own handler would log the event's arguments: the person's message.
        log.error("a direct message failed (%s)", type(error).__name__)

"""Messages the bot starts for one person about a broadcast: an approval request for another
organizer, news (approved, progress, finished) for its writer.

They go to the person's own private chat, in the language it chose, and follow its discreet
mode like every other message the bot starts: a discreet chat gets the neutral line and Show
(the Show target says what to render again on the press), never the text itself. On a platform
where a person's private chat is not their user id (a Discord DM channel), the messenger opens
it first, so its stored choices are found and what is sent is recorded against it (self-destruct).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from bot.core.discreet import ShowTarget, is_discreet, neutral
from bot.core.i18n import gettext_for
from bot.core.messages import Address, Reply
from bot.core.ports import ChatPrefs, Messenger, OpensDirectChats, Translator

# The full message in a given language (None: the campaign's default).
Compose = Callable[[str | None], Reply]
Push = Callable[[Address, Reply], Awaitable[bool]]


class ChatReader(Protocol):
    async def get_chat(self, address: Address) -> ChatPrefs | None: ...


class Teller:
    """Sends one person's messages through `push` (the platform's send budget)."""

    def __init__(
        self,
        messengers: Mapping[str, Messenger],
        translator: Translator,
        chats: ChatReader | None,
        push: Push,
    ) -> None:
        self._messengers = messengers
        self._translator = translator
        self._chats = chats
        self._push = push

    async def private_chat(self, person: Address) -> Address:
        """The person's private chat: their user id, or the DM the platform opens for them."""
        messenger = self._messengers.get(person.platform)
        if isinstance(messenger, OpensDirectChats):
            return Address(person.platform, await messenger.direct_chat(person.chat_id))
        return person

    async def tell_person(
        self, person: Address, compose: Compose, show: ShowTarget, locale: str | None
    ) -> bool:
        """To `person` in private; `locale` when their chat chose no language. False if it
        could not go."""
        try:
            chat = await self.private_chat(person)
        except Exception:
            # Their DM could not be opened (the platform is down, or they allow no DMs).
            return False
        return await self.tell_chat(chat, compose, show, locale)

    async def tell_chat(
        self, chat: Address, compose: Compose, show: ShowTarget, locale: str | None
    ) -> bool:
        prefs = await self._chats.get_chat(chat) if self._chats is not None else None
        if prefs is not None and prefs.locale:
            locale = prefs.locale
        # Without a row the chat never chose anything, and Show could not answer there (it is
        # the row that says the chat still exists): full text, as before the chat arrived.
        if prefs is not None and is_discreet(prefs.discreet, locale):
            reply = neutral(show, gettext_for(self._translator, locale))
        else:
            reply = compose(locale)
        return await self._push(chat, reply)

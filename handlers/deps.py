"""What every handler may use, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.broadcast import Broadcasts
from bot.core.messages import Address, Request
from bot.core.ports import ChatStore, Clock, Translator
from bot.core.reminders import EventStore
from content.schema import Campaign


@dataclass(frozen=True, slots=True)
class Deps:
    campaign: Campaign
    store: ChatStore
    translator: Translator
    clock: Clock
    organizers: frozenset[Address] = frozenset()
    events: EventStore | None = None
    broadcasts: Broadcasts | None = None

    def gettext(self, request: Request) -> Callable[[str], str]:
        """The `_` for this request's language."""
        locale = request.locale

        def translate(message: str) -> str:
            return self.translator.gettext(locale, message)

        return translate

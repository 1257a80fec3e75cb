"""What every handler may use, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.broadcast.service import Broadcasts
from bot.core.commands import Command
from bot.core.messages import Address, Request
from bot.core.ports import ChatStore, Clock, Translator
from bot.core.reminders.values import EventStore
from bot.core.server_setup import ServerProbe, ServerSetupStore
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
    server_setups: ServerSetupStore | None = None
    server_probes: Mapping[str, ServerProbe] = field(default_factory=dict)
    # The registry's visible commands, so /help lists exactly what the menus publish.
    commands: tuple[Command[Any], ...] = ()

    def gettext(self, request: Request) -> Callable[[str], str]:
        """The `_` for this request's language."""
        locale = request.locale

        def translate(message: str) -> str:
            return self.translator.gettext(locale, message)

        return translate

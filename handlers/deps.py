"""What every handler may use, handed in by the composition root."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.core.broadcast.service import Broadcasts
from bot.core.commands import Command
from bot.core.dashboard.access import DashboardLinks
from bot.core.deletion import DEFAULT_CHOICES
from bot.core.i18n import Plural, gettext_for, ngettext_for
from bot.core.messages import Address, Request
from bot.core.ports import ChatStore, Clock, Translator
from bot.core.privacy import PrivacyReader
from bot.core.reminders.values import EventStore
from bot.core.retention import RetentionPolicy
from bot.core.server_setup import ServerProbe, ServerSetupStore
from content.schema import Campaign


@dataclass(frozen=True, slots=True)
class Deps:
    """Every part a handler may use; production fills each one, so handlers need no fallbacks."""

    campaign: Campaign
    store: ChatStore
    translator: Translator
    clock: Clock
    organizers: frozenset[Address]
    events: EventStore
    broadcasts: Broadcasts
    server_setups: ServerSetupStore
    # Filled by the adapters that can answer questions about servers (Discord), by platform.
    server_probes: Mapping[str, ServerProbe]
    # The registry's visible commands, so /help lists exactly what the menus publish.
    commands: tuple[Command[Any], ...]
    # What /privacy shows: the records naming a chat, and how long each kind is kept.
    privacy: PrivacyReader
    retention: RetentionPolicy
    # /dashboard's one-time links into the web dashboard (bot/core/dashboard/access.py).
    dashboard: DashboardLinks
    # What /settings offers for self-destruct ("delete after"), shortest first (at most 48 h).
    self_destruct_choices: tuple[timedelta, ...] = DEFAULT_CHOICES

    def gettext(self, request: Request) -> Callable[[str], str]:
        """The `_` for this request's language."""
        return gettext_for(self.translator, request.locale)

    def ngettext(self, request: Request) -> Plural:
        """The `ngettext` for this request's language; name it `ngettext` where it is used, so
        `make translations` finds its texts."""
        return ngettext_for(self.translator, request.locale)

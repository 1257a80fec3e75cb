"""Everything the web adapter may use, handed in by the composition root (bot/dashboard.py).

The dashboard changes nothing by itself: every change is a Request through `dispatch`, as the
organizer would type it in their chat, so the chat's rules (who may, what is valid) apply
unchanged. What it reads beyond replies comes from the read-only ports below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.core.broadcast.service import Broadcasts
from bot.core.dashboard.access import WebAccess
from bot.core.messages import Address
from bot.core.ports import Clock, Dispatch, Translator
from bot.core.reminders.values import EventStore


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The dashboard's view of the core."""

    access: WebAccess
    dispatch: Dispatch
    translator: Translator
    clock: Clock
    events: EventStore
    broadcasts: Broadcasts
    organizers: frozenset[Address]
    # The address people open (WEB_URL), for links and for whether cookies are Secure.
    base_url: str
    # More read-only parts, by name, as features add them (the overview's counts, the content
    # check): each feature's pages take theirs from here.
    parts: Mapping[str, Any] = field(default_factory=dict)

    @property
    def secure(self) -> bool:
        """Served over HTTPS (behind a reverse proxy): cookies are Secure, HSTS is sent."""
        return self.base_url.startswith("https://")

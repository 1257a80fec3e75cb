"""What /privacy reads: everything stored about one chat, so the person can see it all at once."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.core.messages import Address


@dataclass(frozen=True, slots=True)
class StoredRecords:
    """The chat's records beyond its own row (bot.core.ports.ChatStore reads that), in counts."""

    # The reminder lead times the chat chose; None when it never chose (nothing is stored).
    leads: tuple[int, ...] | None = None
    rsvps: int = 0
    # Reminders planned for or already sent to the chat (the record that keeps them from repeating).
    reminder_records: int = 0
    # Broadcasts sent from this chat, and deliveries of broadcasts to it.
    broadcasts_started: int = 0
    broadcast_deliveries: int = 0
    # Events made in this group or server channel (their own announcements).
    own_events: int = 0

    @property
    def empty(self) -> bool:
        return self.leads is None and not any(
            (
                self.rsvps,
                self.reminder_records,
                self.broadcasts_started,
                self.broadcast_deliveries,
                self.own_events,
            )
        )


class PrivacyReader(Protocol):
    """Reads, never writes: what is stored about a chat right now."""

    async def stored_about(self, chat: Address) -> StoredRecords: ...

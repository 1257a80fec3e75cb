"""Server setup tables: ids and choices per server, and the command set last synced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.models.base import Base


class ServerSetupRow(Base):
    """One server's announcement setup: ids and choices, never names."""

    __tablename__ = "server_setups"
    __table_args__ = (Index("ix_server_setups_channel", "platform", "channel_id"),)

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    server_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    # Comma-separated topic names: a handful of fixed words, no join table needed.
    topics: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str | None] = mapped_column(String(64))
    locale: Mapped[str | None] = mapped_column(String(8))
    broken_reason: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CommandHashRow(Base):
    """The digest of the command set last uploaded to a platform, so restarts skip the sync."""

    __tablename__ = "command_hashes"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    digest: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

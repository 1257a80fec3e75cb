"""Test settings on a given database (SQLite file or PostgreSQL database)."""

from __future__ import annotations

from bot.settings import Settings


def settings_on(database_url: str, organizers: str = "console:organizer") -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        organizers=organizers,  # type: ignore[arg-type]
    )

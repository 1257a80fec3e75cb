"""Logging that never shows a secret: tokens are redacted wherever they would appear."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from bot.core.redaction import SecretRedactor


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Plain lines on stderr, secrets redacted, chatty HTTP loggers (they print URLs) quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(SecretRedactor(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram URLs contain the token.
    for noisy in (
        "httpx",
        "httpcore",
        "telegram.request",
        "discord.http",
        "discord.gateway",
        "alembic",
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # These print SQL parameters (chat ids) at DEBUG: never let them, whatever LOG_LEVEL says.
    for leaky in ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(leaky).setLevel(logging.WARNING)

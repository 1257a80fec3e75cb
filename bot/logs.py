"""Logging that never shows a secret: tokens are redacted wherever they would appear."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Telegram bot tokens have a recognisable shape; redact any, even one we were not told about.
TELEGRAM_TOKEN = re.compile(r"\d{6,12}:[A-Za-z0-9_-]{30,}")


class RedactSecrets(logging.Filter):
    """Replaces every known secret (and anything shaped like a bot token) with '[redacted]'."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = TELEGRAM_TOKEN.sub("[redacted]", message)
        for secret in self._secrets:
            clean = clean.replace(secret, "[redacted]")
        if clean != message:
            record.msg, record.args = clean, None
        return True


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """Plain lines on stderr, secrets redacted, chatty HTTP loggers (they print URLs) quiet."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
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

"""Logging that never shows a secret: every configured secret is redacted wherever it appears."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from bot.core.redaction import SecretRedactor
from bot.settings import Settings


def configured_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold, in each form a log line could show it.

    Tokens, the webhook secret and DATABASE_KEY; the password in DATABASE_URL; and the path, query
    and password of TELEGRAM_API_BASE_URL, DISCORD_API_BASE_URL and DISCORD_GATEWAY_URL, because
    a self-hosted Bot API server's or a proxy's URL may embed the token or a secret path of its
    own.
    """
    found = [
        secret.get_secret_value()
        for secret in (
            settings.telegram_bot_token,
            settings.discord_bot_token,
            settings.telegram_webhook_secret,
            settings.database_key,
        )
        if secret is not None
    ]
    found += _url_secrets(settings.database_url, with_path=False)
    if settings.telegram_api_base_url:
        found += _url_secrets(settings.telegram_api_base_url, with_path=True, known=TELEGRAM_PATH)
    if settings.discord_api_base_url:
        found += _url_secrets(settings.discord_api_base_url, with_path=True, known=DISCORD_PATH)
    if settings.discord_gateway_url:
        found += _url_secrets(settings.discord_gateway_url, with_path=True)
    # Percent-encoded and decoded forms both: libraries print either.
    return sorted({form for secret in found if secret for form in (secret, unquote(secret))})


# The path ending each client library itself uses, hence no secret: "/bot" (the Telegram adapter
# appends it, see telegram.messenger.api_urls) and Discord's "/api/v10".
TELEGRAM_PATH = re.compile(r"/bot$")
DISCORD_PATH = re.compile(r"/api/v\d+$")


def _url_secrets(url: str, *, with_path: bool, known: re.Pattern[str] | None = None) -> list[str]:
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # a malformed port, say: nothing can be read from it
        return []
    found = [password] if password else []
    if with_path:
        # Whatever the path holds beyond the library's own ending is the operator's and may be
        # secret.
        path = parts.path.rstrip("/")
        if known is not None:
            path = known.sub("", path).rstrip("/")
        if path.strip("/"):
            found.append(path)
        if parts.query:
            found.append(parts.query)
    return found


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

"""Keeping ids and tokens out of discord.py's log lines, and counting its rate-limit waits.

discord.py logs request URLs (which carry channel ids and interaction tokens) when it is rate
limited, and session details when it connects. A filter on each of its loggers rewrites every
record before any handler sees it.
"""

from __future__ import annotations

import logging
import re

from bot.core.redaction import SecretRedactor

# Snowflakes are 17-20 digits today; any run of 15 or more digits goes (ports, counts and times
# are shorter), wherever it stands, even glued to letters.
_SNOWFLAKE = re.compile(r"\d{15,}")
_URL_TOKEN = re.compile(r"(/(?:interactions|webhooks)/(?:\d+|<id>)/)[^/\s?'\"]+")
_SESSION = re.compile(r"(Session ID: |session )[0-9A-Za-z_-]+")
_RATE_LIMITED = "We are being rate limited"


class Redactor(SecretRedactor):
    """Rewrites discord.py log records so no id, token or session id is left in them.

    The shared SecretRedactor removes the bot token (in the message, the traceback and the
    stack); on top of it go what only Discord's log lines carry: snowflake ids, interaction and
    webhook tokens in URLs, and session ids.
    """

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__(secrets)
        self.rate_limited = 0

    def redact(self, text: str) -> str:
        text = super().redact(text)
        text = _URL_TOKEN.sub(r"\1<token>", text)
        text = _SNOWFLAKE.sub("<id>", text)
        return _SESSION.sub(r"\1<session>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "discord.http" and record.getMessage().startswith(_RATE_LIMITED):
            self.rate_limited += 1
        return super().filter(record)


def discord_loggers() -> list[logging.Logger]:
    """Every logger discord.py has created (one per module)."""
    manager = logging.Logger.manager
    names = [
        name for name in manager.loggerDict if name == "discord" or name.startswith("discord.")
    ]
    return [logging.getLogger(name) for name in names]


def install(redactor: Redactor) -> None:
    """Attach `redactor` to all of discord.py's loggers (filters do not inherit)."""
    for logger in discord_loggers():
        if redactor not in logger.filters:
            logger.addFilter(redactor)


def uninstall(redactor: Redactor) -> None:
    for logger in discord_loggers():
        logger.removeFilter(redactor)

"""Log hygiene for the Telegram adapter: the bot token never reaches a log line.

PTB logs the Bot API URL (which embeds the token) at DEBUG, and httpx logs every request URL at
INFO; a leaked token lets anyone read who talks to the bot. So those loggers are kept quiet and a
filter on the root handlers redacts the token wherever it still shows up (exception texts too).
"""

from __future__ import annotations

import logging
import re

from bot.core.redaction import TELEGRAM_TOKEN, SecretRedactor

WITHHELD = "<withheld>"
BOT_URL_TOKEN = re.compile(r"\bbot\d{5,}:[A-Za-z0-9_-]{20,}")

# PTB's DEBUG lines carry chat ids and message texts; httpx/httpcore and tornado's access log carry
# URLs with the token or the webhook path. None of them may speak below these levels.
QUIET_LOGGERS: dict[str, int] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "tornado.access": logging.WARNING,
    "telegram": logging.INFO,
}


class TokenRedactor(SecretRedactor):
    """The shared redactor for this bot's token and any `bot<token>` URL part."""

    def __init__(self, token: str) -> None:
        super().__init__((token,), (BOT_URL_TOKEN, TELEGRAM_TOKEN))
        self.token = token


class UpdateDataWithheld(logging.Filter):
    """PTB's own error lines print whole updates ("Received data was %r", "for update %s"):
    names, ids and message texts. The values of any python-telegram-bot record are withheld;
    its wording, level and traceback still say what went wrong."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("telegram") and record.args:
            args = record.args
            if isinstance(args, dict):
                record.args = dict.fromkeys(args, WITHHELD)
            else:
                record.args = tuple(WITHHELD for _ in args)
        return True


def quiet_noisy_loggers() -> None:
    """Raise the levels of loggers that would print URLs, ids or message texts."""
    for name, level in QUIET_LOGGERS.items():
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < level:
            logger.setLevel(level)


def install_token_redaction(token: str) -> None:
    """Attach one redactor for `token` to every root handler (once) and quiet the noisy loggers."""
    quiet_noisy_loggers()
    root = logging.getLogger()
    for handler in root.handlers:
        if not any(isinstance(f, UpdateDataWithheld) for f in handler.filters):
            # First of all: a redactor formats the message, after which its values are baked in.
            handler.filters.insert(0, UpdateDataWithheld())
        if not any(isinstance(f, TokenRedactor) and f.token == token for f in handler.filters):
            handler.addFilter(TokenRedactor(token))

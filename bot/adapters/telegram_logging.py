"""Log hygiene for the Telegram adapter: the bot token never reaches a log line.

PTB logs the Bot API URL (which embeds the token) at DEBUG, and httpx logs every request URL at
INFO; a leaked token lets anyone read who talks to the bot. So those loggers are kept quiet and a
filter on the root handlers redacts the token wherever it still shows up (exception texts too).
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "<redacted>"

# PTB's DEBUG lines carry chat ids and message texts; httpx/httpcore and tornado's access log carry
# URLs with the token or the webhook path. None of them may speak below these levels.
QUIET_LOGGERS: dict[str, int] = {
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "tornado.access": logging.WARNING,
    "telegram": logging.INFO,
}


class TokenRedactor(logging.Filter):
    """Replace the token (and any `bot<token>` URL part) in every record with a placeholder."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        # Any Telegram-shaped token, not only ours: a self-hosted server URL may carry another.
        self._pattern = re.compile(re.escape(token) + r"|\bbot\d{5,}:[A-Za-z0-9_-]{20,}")

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if text else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is redacted once here.
            record.exc_text = self.redact("".join(traceback.format_exception(*record.exc_info)))
            record.exc_text = record.exc_text.rstrip("\n")
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
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
        if not any(isinstance(f, TokenRedactor) and f.token == token for f in handler.filters):
            handler.addFilter(TokenRedactor(token))

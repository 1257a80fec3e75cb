"""One log filter that keeps secrets out of every part of a record: message, traceback, stack."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Iterable

REDACTED = "<redacted>"
# Any Telegram-shaped bot token, including ones we were not told about (a self-hosted API URL).
TELEGRAM_TOKEN = re.compile(r"\d{5,12}:[A-Za-z0-9_-]{30,}")


class SecretRedactor(logging.Filter):
    """Replaces each known secret, and whatever `patterns` match, with a placeholder."""

    def __init__(
        self, secrets: Iterable[str] = (), patterns: Iterable[re.Pattern[str]] = (TELEGRAM_TOKEN,)
    ) -> None:
        super().__init__()
        # Longest first: where one secret contains another, the whole of it is replaced.
        self.secrets = tuple(sorted({s for s in secrets if s}, key=len, reverse=True))
        alternatives = [re.escape(s) for s in self.secrets] + [p.pattern for p in patterns]
        self._pattern = re.compile("|".join(alternatives)) if alternatives else None

    def redact(self, text: str) -> str:
        return self._pattern.sub(REDACTED, text) if self._pattern and text else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None and not record.exc_text:
            # Formatters reuse exc_text when it is set, so the traceback is redacted once here.
            text = "".join(traceback.format_exception(*record.exc_info))
            record.exc_text = self.redact(text).rstrip("\n")
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True

"""Labels and descriptions shortened to a platform's limit: at a word boundary, with "…".

Each platform caps them (Discord: a button label 80 characters, a command's or option's
description and a choice's name 100; Telegram: a command's description 256, while a button's text
has no documented cap, so we keep it to 64 to stay readable on a phone). A label cut mid-word
reads like a mistake ("…на Всемирном экономическом форум"), so one that does not fit loses whole
words and says so with "…", counted within the limit. Only a first word longer than the limit
by itself is cut inside.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
# Spaces and the punctuation that, left before the "…", reads like a typo: "Sign:…", "Rally —…".
_DANGLING = re.compile(r"[\s,;:–—·-]+$")


def shorten(text: str, limit: int) -> str:
    """`text` unchanged when it fits in `limit` characters, else its longest run of whole words
    that fits together with "…"."""
    if limit < len(ELLIPSIS):
        raise ValueError(f"a limit of {limit} leaves no room for {ELLIPSIS!r}")
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    # A space right after the room still ends a word that fits, hence room itself is tried.
    for cut in range(room, 0, -1):
        if text[cut].isspace():
            kept = _DANGLING.sub("", text[:cut])
            if kept:
                return kept + ELLIPSIS
            break
    return text[:room] + ELLIPSIS

"""Yes or no to a destructive question: only a clear yes goes ahead; anything else keeps."""

from __future__ import annotations

# What a button sends ("confirm") and what people type, in every language the bot speaks.
YES = frozenset({"confirm", "yes", "y", "да", "д"})
# The Keep button's word; typed "no", "нет", "n", "cancel", "отмена" keep just the same.
KEEP = "keep"


def is_yes(answer: str) -> bool:
    """Whether the answer to "Erase?" / "Cancel the event?" is a yes (case and spaces ignored)."""
    return answer.strip().lower().rstrip(".!") in YES

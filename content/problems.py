"""What `content check` reports: the Problem value, and pydantic's errors worded for organizers.

The people who edit the content files are not programmers, so a validation error must read like
advice ("missing field 'timezone'"), not like pydantic's internals ("Field required [type=...]").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic_core import ErrorDetails

# A path into a file's data, the way pydantic's error `loc` spells it: ("events", 0, "starts").
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    """One thing to fix (or, for a warning, to consider) at a line of a content file."""

    file: str
    line: int
    message: str
    warning: bool = False

    def __str__(self) -> str:
        prefix = "warning: " if self.warning else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


def path_text(loc: Loc) -> str:
    """A path as an organizer would point at it: `events[0].title.en`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def short(value: object, limit: int = 40) -> str:
    """A short description of a value from the file (never a repr of a whole structure)."""
    if isinstance(value, str):
        text = repr(value)
        return text if len(text) <= limit else text[: limit - 4] + "...'"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if value is None:
        return "nothing"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, dict):
        return "fields (name: value)"
    return type(value).__name__


# Patterns in the schema, explained in words for the people who edit the files.
_PATTERNS = {
    "id": "ids are 1-32 lowercase letters, digits and dashes, starting with a letter or digit",
    "seed": "seed is the name of a seed file, like 000_0af73d56a477f512.txt",
    "hashtag": "a hashtag is # followed by letters, digits or _ (no spaces)",
}


def validation_message(details: ErrorDetails) -> str:
    """One pydantic error as `field.path: friendly message` (just the message at the top)."""
    path, message = _describe(details)
    return f"{path}: {message}" if path else message


def _describe(details: ErrorDetails) -> tuple[str, str]:
    """(field path, friendly message) for one pydantic error."""
    loc: Loc = tuple(details["loc"])
    kind = details["type"]
    ctx = details.get("ctx") or {}
    value = details.get("input")
    field = loc[-1] if loc else ""
    # These three name the field itself, so the path stops at the mapping that holds it.
    if kind == "missing":
        return path_text(loc[:-1]), f"missing field {field!r}"
    if kind == "extra_forbidden":
        return path_text(loc[:-1]), f"unknown field {short(field)}"
    if kind == "invalid_key":
        return path_text(loc[:-1]), f"field names must be text, not {short(field)}"
    path = path_text(loc)
    if kind == "string_too_long" and isinstance(value, str):
        return path, f"text is {len(value)} characters; the limit is {ctx.get('max_length')}"
    if kind == "string_too_short":
        return path, "must not be empty"
    if kind == "string_pattern_mismatch":
        return path, _PATTERNS.get(str(field), f"does not match {ctx.get('pattern')}")
    if kind == "string_type":
        return path, f"expected text, not {short(value)}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return path, "expected fields (name: value) here"
    if kind in ("tuple_type", "list_type"):
        return path, "expected a list (lines starting with '- ')"
    if kind.startswith("int_"):
        return path, f"expected a whole number, not {short(value)}"
    if kind in ("greater_than_equal", "less_than_equal"):
        bound = ctx.get("ge", ctx.get("le"))
        return path, f"must be at {'least' if kind == 'greater_than_equal' else 'most'} {bound}"
    if kind == "too_short":
        return path, f"list at least {ctx.get('min_length', 1)} item(s)"
    if kind.startswith("date_"):
        return path, "expected a date like 2026-12-01"
    if kind.startswith("datetime_"):
        return path, "expected a local date and time like 2017-06-02 19:00"
    if kind in ("enum", "literal_error"):
        return path, f"expected one of: {ctx.get('expected')}, not {short(value)}"
    if kind == "value_error":
        # The schema's own validators already word their messages for organizers.
        return path, str(details["msg"]).removeprefix("Value error, ")
    return path, str(details["msg"])

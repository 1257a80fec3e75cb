"""What to say when someone types a time zone I don't know, wherever they type one."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.timezones import suggest_zones


def unknown_zone(value: str, _: Callable[[str], str]) -> tuple[str, list[str]]:
    """The answer to an unknown zone name, and the zones it may have meant (to offer next)."""
    suggestions = suggest_zones(value)
    text = _("“{value}” is not a time zone I know.").format(value=value)
    if suggestions:
        text += " " + _("Did you mean one of these?")
    else:
        text += " " + _("Use a name like Europe/Berlin or America/New_York.")
    return text, suggestions

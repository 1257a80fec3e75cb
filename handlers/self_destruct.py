"""/settings → "delete after": the bot deletes its own messages in this chat after a while."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

from babel.units import format_unit

from bot.core.commands import UserError
from bot.core.deletion import choice_word, parse_choice
from bot.core.messages import ActionButton, Reply, Request
from bot.core.ports import ChatPrefs
from handlers.deps import Deps
from handlers.keywords import OFF_WORDS, is_one_of

# The /settings argument that picks this choice (`/settings deleteafter 24h`).
WHAT = "deleteafter"
# No days: next to "47 hours", "24 hours" reads as the choice it is, where "1 day" would not (and
# nothing goes past 48 hours).
_UNITS = ((3600, "duration-hour"), (60, "duration-minute"))


def format_after(after: timedelta, locale: str | None) -> str:
    """'24 hours', '47 часов', '20 seconds' in the reader's language; never days."""
    seconds = int(after.total_seconds())
    for size, unit in _UNITS:
        if seconds % size == 0:
            return format_unit(seconds // size, unit, length="long", locale=locale or "en")
    return format_unit(seconds, "duration-second", length="long", locale=locale or "en")


def summary_line(prefs: ChatPrefs, request: Request, _: Callable[[str], str]) -> str:
    """The line /settings shows: off, or after how long the bot's messages go."""
    after = prefs.delete_after
    return _("Delete my messages after: {after}").format(
        after=_("off") if after is None else format_after(after, request.locale)
    )


def settings_button(_: Callable[[str], str]) -> ActionButton:
    return ActionButton(_("🧹 Delete after"), "settings", (WHAT,))


def read_choice(value: str, choices: tuple[timedelta, ...]) -> timedelta | None:
    """'24h' -> 24 hours if it is one of `choices`; 'off' -> None; ValueError otherwise."""
    if is_one_of(value, OFF_WORDS):
        return None
    after = parse_choice(value)
    if after not in choices:
        raise ValueError(value)
    return after


async def delete_after(prefs: ChatPrefs, value: str | None, request: Request, deps: Deps) -> Reply:
    """Offer the choices, or save one: off, or one of SELF_DESTRUCT_CHOICES."""
    _ = deps.gettext(request)
    choices = deps.self_destruct_choices
    labels = [format_after(c, request.locale) for c in choices]
    if value is None:
        return Reply(
            _(
                "I can delete my own messages in this chat some time after I send them, so a "
                "glance at your phone shows less. Telegram lets me do it for 48 hours only; the "
                "chat itself stays in your chat list. After how long?"
            ),
            buttons=(
                *(
                    ActionButton(label, "settings", (WHAT, choice_word(c)))
                    for c, label in zip(choices, labels, strict=True)
                ),
                ActionButton(_("Off"), "settings", (WHAT, "off")),
            ),
        )
    try:
        after = read_choice(value, choices)
    except ValueError:
        raise UserError(
            _("I could not read “{value}”. Choose one of: {choices}, or off.").format(
                value=value, choices=", ".join(labels)
            )
        ) from None
    await deps.store.save_chat(replace(prefs, delete_after=after))
    if after is None:
        return Reply(_("Self-destruct is off: my messages stay in this chat."))
    return Reply(
        _(
            # Not "this one too": on Discord this answer is ephemeral, which only Discord removes.
            "From now on I delete each message I send in this chat {after} after sending it. "
            "Messages sent before stay."
        ).format(after=format_after(after, request.locale))
    )

"""/reminders: how long before each event this chat is reminded, with preset buttons."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.core.choice_words import fold
from bot.core.commands import UserError
from bot.core.messages import ActionButton, Reply, Request
from bot.core.reminders.plan import parse_leads
from bot.core.reminders.values import DEFAULT_LEADS
from handlers.deps import Deps
from handlers.keywords import DEFAULT_WORDS, OFF_WORDS, is_one_of
from handlers.prefs import save_chat_if_new
from handlers.texts.reminder import format_lead

# Lead-time presets offered as buttons, each as the words /reminders takes.
LEAD_PRESETS = ("1w,1d,1h", "1d,1h", "1d", "3h")


def leads_text(leads: tuple[int, ...], locale: str | None, _: Callable[[str], str]) -> str:
    """'1 day, 1 hour before' or 'off', in the reader's language."""
    if not leads:
        return _("off")
    return _("{leads} before").format(leads=", ".join(format_lead(m, locale) for m in leads))


async def reminders(request: Request, deps: Deps) -> Reply:
    """Show or change how long before events this chat is reminded."""
    _ = deps.gettext(request)
    locale = request.locale
    if not request.args:
        current = await deps.events.leads(request.chat)
        return Reply(
            _("Event reminders: {leads}.").format(leads=leads_text(current, locale, _))
            + "\n"
            + _(
                "When before an event should reminders come? Choose, or send for example "
                "/reminders 1w,1d,1h (w weeks, d days, h hours, m minutes)."
            ),
            buttons=(
                *(
                    ActionButton(leads_text(parse_leads(p), locale, _), "reminders", (p,))
                    for p in LEAD_PRESETS
                ),
                ActionButton(_("Off"), "reminders", ("off",)),
            ),
        )
    value = request.args[0]
    leads = parse_typed_leads(value, _)
    await save_chat_if_new(request, deps)
    await deps.events.set_leads(request.chat, leads)
    if not leads:
        return Reply(_("Event reminders are off. Subscriptions to news stay as they are."))
    return Reply(
        _("Event reminders will come {leads}, in your time zone.").format(
            leads=leads_text(leads, locale, _)
        )
    )


# Units as people type them after a number, in English or Russian: "2d", "2д", "2 дня",
# "3 hours"; each maps to the letter bot.core.reminders.plan reads.
_UNIT_WORDS = {
    "w": ("w", "week", "weeks", "н", "нед", "неделя", "недели", "недель", "неделю"),
    "d": ("d", "day", "days", "д", "дн", "день", "дня", "дней"),
    "h": ("h", "hour", "hours", "ч", "час", "часа", "часов"),
    "m": (
        "m",
        "min",
        "mins",
        "minute",
        "minutes",
        "м",
        "мин",
        "минута",
        "минуты",
        "минут",
        "минуту",
    ),
}
_UNITS = {fold(word): unit for unit, words in _UNIT_WORDS.items() for word in words}
_LEAD = re.compile(r"([0-9]+)\s*([^\W\d_]+)")
_SEPARATORS = re.compile(r"[\s,;]*")


def english_leads(text: str) -> str | None:
    """'2д, 3 часа' -> '2d,3h', as bot.core.reminders.plan reads lead times; None when the text
    holds anything but numbers with units (the plan then checks the numbers)."""
    folded = fold(text)
    found = _LEAD.findall(folded)
    if not found or not _SEPARATORS.fullmatch(_LEAD.sub("", folded)):
        return None
    units = [_UNITS.get(unit) for _, unit in found]
    if None in units:
        return None
    return ",".join(f"{number}{unit}" for (number, _unit), unit in zip(found, units, strict=True))


def parse_typed_leads(value: str, _: Callable[[str], str]) -> tuple[int, ...]:
    """What /reminders was given, in English or Russian, as minutes; UserError if unreadable."""
    if is_one_of(value, OFF_WORDS):
        return ()
    if is_one_of(value, DEFAULT_WORDS):
        return DEFAULT_LEADS
    english = english_leads(value)
    try:
        if english is None:
            raise ValueError(value)
        return parse_leads(english)
    except ValueError:
        raise UserError(
            _(
                "I could not read “{value}”. Write lead times like 1w,1d,1h (w weeks, d days, "
                "h hours, m minutes), from 5 minutes to 4 weeks, at most 5 of them; or off."
            ).format(value=value)
        ) from None

"""/reminders: how long before each event this chat is reminded, with preset buttons."""

from __future__ import annotations

from collections.abc import Callable

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Reply, Request
from bot.core.reminders.plan import parse_leads
from bot.core.reminders.values import DEFAULT_LEADS
from handlers.deps import Deps
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
    leads = _parse(value, _)
    await save_chat_if_new(request, deps)
    await deps.events.set_leads(request.chat, leads)
    if not leads:
        return Reply(_("Event reminders are off. Subscriptions to news stay as they are."))
    return Reply(
        _("Event reminders will come {leads}, in your time zone.").format(
            leads=leads_text(leads, locale, _)
        )
    )


def _parse(value: str, _: Callable[[str], str]) -> tuple[int, ...]:
    word = value.strip().lower()
    if word in ("off", "none"):
        return ()
    if word == "default":
        return DEFAULT_LEADS
    try:
        return parse_leads(value)
    except ValueError:
        raise UserError(
            _(
                "I could not read “{value}”. Write lead times like 1w,1d,1h (w weeks, d days, "
                "h hours, m minutes), from 5 minutes to 4 weeks, at most 5 of them; or off."
            ).format(value=value)
        ) from None

"""What a reminder says: in the chat's language and time zone, with the event's buttons."""

from __future__ import annotations

from collections.abc import Callable

from babel.units import format_unit

from bot.core.discreet import REMINDER, ShowTarget, neutral
from bot.core.i18n import gettext_for
from bot.core.messages import ActionButton, Reply
from bot.core.ports import Translator
from bot.core.reminders.plan import DAY
from bot.core.reminders.values import Due, EventInfo, Kind
from bot.core.timezones import zone_named
from content.i18n import format_time_range
from content.schema import Remembrance
from handlers.events import event_buttons

_UNITS = ((7 * DAY, "duration-week"), (DAY, "duration-day"), (60, "duration-hour"))


def format_lead(minutes: int, locale: str | None) -> str:
    """'1 week', '3 hours', '90 minutes' in the reader's language (with its plural forms)."""
    for size, unit in _UNITS:
        if minutes % size == 0:
            return format_unit(minutes // size, unit, length="long", locale=locale or "en")
    return format_unit(minutes, "duration-minute", length="long", locale=locale or "en")


class ReminderTexts:
    """Renders due reminders for the scheduler (its `render`)."""

    def __init__(self, translator: Translator, remembrance: Remembrance) -> None:
        self._translator = translator
        self._remembrance = remembrance

    def __call__(self, due: Due, event: EventInfo | None, late: bool) -> Reply:
        """The message for one due reminder: a discreet chat's is a neutral line and Show."""
        if due.discreet:
            _ = gettext_for(self._translator, due.locale or "en")
            target = ShowTarget(REMINDER, due.event_id, due.kind.value, due.lead)
            return neutral(target, _)
        return self.full(due.kind, due.lead, event, due.locale, due.timezone, late=late)

    def full(
        self,
        kind: Kind,
        lead: int,
        event: EventInfo | None,
        locale: str | None,
        timezone: str | None,
        *,
        late: bool = False,
    ) -> Reply:
        """The whole reminder or notice, as sent to a chat that is not discreet (and shown by
        a discreet chat's Show)."""
        locale = locale or "en"
        _ = gettext_for(self._translator, locale)
        if kind is Kind.REMEMBRANCE or event is None:
            reply = self._remembrance_reply(lead, locale, _)
        else:
            when = format_time_range(event.starts_at, event.ends_at, zone_named(timezone), locale)
            title = event.title.get(locale)
            if kind is Kind.CANCELLED:
                text = _(
                    # Sent to those who answered "going" and "maybe" alike.
                    "❌ “{title}” ({when}) has been cancelled. You said you would or might come, "
                    "so we are letting you know."
                ).format(title=title, when=when)
                reply = Reply(text)
            elif kind is Kind.ANNOUNCE:
                text = "\n".join(
                    (
                        _("📣 New event: “{title}”").format(title=title),
                        "🕒 " + when,
                        "📍 " + event.place.get(locale),
                        event.description.get(locale),
                    )
                )
                reply = Reply(text, buttons=tuple(event_buttons(event, locale, _)))
            else:
                text = "\n".join(
                    (
                        _("⏰ Reminder: “{title}” starts in {lead}.").format(
                            title=title, lead=format_lead(lead, locale)
                        ),
                        "🕒 " + when,
                        "📍 " + event.place.get(locale),
                    )
                )
                reply = Reply(text, buttons=tuple(event_buttons(event, locale, _)))
        if late and kind is not Kind.ANNOUNCE:
            apology = _("Sorry, this reminder is late: the bot was offline for a while.")
            reply = Reply(apology + "\n\n" + reply.text, buttons=reply.buttons)
        return reply

    def _remembrance_reply(self, lead: int, locale: str, _: Callable[[str], str]) -> Reply:
        content = self._remembrance
        title = content.title.get(locale)
        if lead >= 7:
            opening = _("In a week, on 29 March, is the {title}.")
        elif lead == 1:
            opening = _("Tomorrow, 29 March, is the {title}.")
        else:
            opening = _("Today, 29 March, is the {title}.")
        text = "\n\n".join((opening.format(title=title), content.campaign.get(locale)))
        return Reply(text, buttons=(ActionButton(_("🕯 Why 29 March"), "remember"),))

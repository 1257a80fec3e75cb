"""/settings: time zone, language, quiet hours and discreet mode, each with buttons; a summary
with lead times."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import time

from bot.core.commands import UserError
from bot.core.messages import ActionButton, Reply, Request
from bot.core.ports import ChatPrefs
from bot.core.timezones import resolve_zone, zone_display
from handlers.deps import Deps
from handlers.keywords import OFF_WORDS, ON_WORDS, is_one_of, language_named
from handlers.prefs import current_prefs
from handlers.reminders import leads_text
from handlers.self_destruct import WHAT as DELETE_AFTER
from handlers.self_destruct import delete_after, settings_button, summary_line
from handlers.texts.zones import fixed_zone_note, unknown_zone, zone_buttons, zone_echo

SUGGESTED_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "Asia/Hong_Kong",
)
LANGUAGES = {"en": "English", "ru": "Русский"}
QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


def parse_quiet_hours(text: str) -> tuple[time, time]:
    """'22:00-08:00' -> (22:00, 08:00); raises ValueError on anything else."""
    match = QUIET.match(text)
    if not match:
        raise ValueError(text)
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise ValueError(text)
    return start, end


async def _summary(prefs: ChatPrefs, request: Request, deps: Deps) -> str:
    _ = deps.gettext(request)
    quiet = prefs.quiet_hours
    quiet_text = f"{quiet[0]:%H:%M}–{quiet[1]:%H:%M}" if quiet else _("off")
    lines = [
        _("Your settings:"),
        _("Time zone: {zone}").format(
            zone=zone_display(prefs.timezone) if prefs.timezone else _("not set (UTC)")
        ),
        _("Language: {language}").format(language=LANGUAGES.get(request.locale or "en")),
        _("Quiet hours: {hours}").format(hours=quiet_text),
        _("Discreet mode: on") if request.discreet else _("Discreet mode: off"),
    ]
    leads = await deps.events.leads(request.chat)
    lines.append(
        _("Event reminders: {leads} (change: /reminders)").format(
            leads=leads_text(leads, request.locale, _)
        )
    )
    # Self-destruct (handlers/self_destruct.py).
    lines.append(summary_line(prefs, request, _))
    return "\n".join(lines)


async def settings(request: Request, deps: Deps) -> Reply:
    """Show the chat's settings, or change its time zone, language or quiet hours."""
    _ = deps.gettext(request)
    prefs = await current_prefs(request, deps)
    what = request.args[0] if request.args else None
    value = request.args[1] if len(request.args) > 1 else None
    if what is None:
        return Reply(
            await _summary(prefs, request, deps),
            buttons=(
                ActionButton(_("🌍 Time zone"), "settings", ("timezone",)),
                ActionButton(_("🗣 Language"), "settings", ("language",)),
                ActionButton(_("🌙 Quiet hours"), "settings", ("quiet",)),
                ActionButton(_("🙈 Discreet mode"), "settings", ("discreet",)),
                settings_button(_),
            ),
        )
    if what == "timezone":
        return await _timezone(prefs, value, request, deps)
    if what == "language":
        return await _language(prefs, value, request, deps)
    if what == "discreet":
        return await _discreet(prefs, value, request, deps)
    if what == DELETE_AFTER:
        return await delete_after(prefs, value, request, deps)
    return await _quiet(prefs, value, request, deps)


async def _timezone(prefs: ChatPrefs, value: str | None, request: Request, deps: Deps) -> Reply:
    _ = deps.gettext(request)
    if value is None:
        # A question: the next plain message is the zone (the buttons answer it too).
        return Reply(
            _("Choose your time zone, or type it, for example: Europe/Paris"),
            buttons=tuple(ActionButton(z, "settings", ("timezone", z)) for z in SUGGESTED_ZONES),
            asks=True,
        )
    now = deps.clock()
    zone = resolve_zone(value)
    if zone is None:
        text, suggestions = unknown_zone(value, _, now)
        return Reply(text, buttons=zone_buttons(suggestions, request.locale))
    await deps.store.save_chat(replace(prefs, timezone=zone))
    text = _("Time zone set to {zone}. Event times now show in it.").format(
        zone=zone_echo(value, zone, request.locale)
    )
    # A fixed offset never follows daylight saving time: say so, and offer the places on it.
    note, places = fixed_zone_note(zone, _, request.locale, now)
    return Reply(f"{text} {note}" if note else text, buttons=zone_buttons(places, request.locale))


async def _language(prefs: ChatPrefs, value: str | None, request: Request, deps: Deps) -> Reply:
    _ = deps.gettext(request)
    if value is None:
        return Reply(
            _("Choose a language:"),
            buttons=tuple(
                ActionButton(n, "settings", ("language", c)) for c, n in LANGUAGES.items()
            ),
        )
    code = language_named(value)
    if code is None or code not in LANGUAGES:
        raise UserError(
            _("I speak {languages}. Choose one of: {codes}.").format(
                languages=", ".join(LANGUAGES.values()), codes=", ".join(LANGUAGES)
            )
        )
    await deps.store.save_chat(replace(prefs, locale=code))
    # Answer in the language just chosen.
    return Reply(deps.translator.gettext(code, "Language set to English."))


async def _quiet(prefs: ChatPrefs, value: str | None, request: Request, deps: Deps) -> Reply:
    _ = deps.gettext(request)
    if value is None:
        return Reply(
            _(
                "When should reminders wait? Choose below, or type the hours, for example "
                "22:00-08:00, or off."
            ),
            asks=True,
            buttons=(
                ActionButton("22:00–08:00", "settings", ("quiet", "22:00-08:00")),
                ActionButton("23:00–07:00", "settings", ("quiet", "23:00-07:00")),
                ActionButton(_("Off"), "settings", ("quiet", "off")),
            ),
        )
    if is_one_of(value, OFF_WORDS):
        await deps.store.save_chat(replace(prefs, quiet_hours=None))
        return Reply(_("Quiet hours are off: reminders come at any hour."))
    try:
        quiet = parse_quiet_hours(value)
    except ValueError:
        raise UserError(
            _("I could not read “{value}”. Write quiet hours like 22:00-08:00, or off.").format(
                value=value
            )
        ) from None
    await deps.store.save_chat(replace(prefs, quiet_hours=quiet))
    return Reply(
        _("Quiet hours set to {start}–{end} in your time zone.").format(
            start=f"{quiet[0]:%H:%M}", end=f"{quiet[1]:%H:%M}"
        )
    )


def discreet_explained(_: Callable[[str], str]) -> str:
    """What discreet mode does, for /settings and the offer in /start."""
    return _(
        "In discreet mode, reminders and news from me arrive as “You have a new update” with a "
        "Show button, so nothing shows on a lock screen or in the chat list; my messages here "
        "cannot be forwarded or saved, and calendar files and links get neutral titles."
    )


def discreet_buttons(_: Callable[[str], str]) -> tuple[ActionButton, ...]:
    return (
        ActionButton(_("🙈 Discreet mode on"), "settings", ("discreet", "on")),
        ActionButton(_("Discreet mode off"), "settings", ("discreet", "off")),
    )


async def _discreet(prefs: ChatPrefs, value: str | None, request: Request, deps: Deps) -> Reply:
    _ = deps.gettext(request)
    if value is None:
        state = _("Discreet mode is on.") if request.discreet else _("Discreet mode is off.")
        return Reply(f"{state} {discreet_explained(_)}", buttons=discreet_buttons(_))
    if is_one_of(value, OFF_WORDS):
        await deps.store.save_chat(replace(prefs, discreet=False))
        return Reply(_("Discreet mode is off: reminders and news show their full text."))
    if not is_one_of(value, ON_WORDS):
        raise UserError(_("I could not read “{value}”. Choose on or off.").format(value=value))
    await deps.store.save_chat(replace(prefs, discreet=True))
    return Reply(
        _(
            "Discreet mode is on: reminders and news arrive as “You have a new update”; press "
            "Show to read them."
        ),
        protect=True,
    )

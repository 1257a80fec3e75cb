"""/privacy: everything stored about this chat right now, how long each part is kept, and erasure.

Supporters are at risk for what a seized database says about them, so they can see it all: the
actual values (the chat id too, shown only to the chat itself), the records in counts, and the
retention settings the background purge applies (bot/core/retention.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from babel.units import format_unit

from bot.core.messages import ActionButton, ChatKind, Reply, Request
from bot.core.ports import TOPICS, ChatPrefs
from bot.core.privacy import StoredRecords
from bot.core.server_setup import ServerSetup
from handlers.deps import Deps
from handlers.reminders import leads_text
from handlers.settings import LANGUAGES
from handlers.subscriptions import topic_names
from handlers.texts.reminder import format_lead


def duration_text(period: timedelta, locale: str | None) -> str:
    """'7 days', '24 hours' (or seconds, for the short periods tests use), in the reader's
    language."""
    seconds = int(period.total_seconds())
    if seconds % 60 == 0:
        return format_lead(seconds // 60, locale)
    return format_unit(seconds, "duration-second", length="long", locale=locale or "en")


async def _server_setup(request: Request, deps: Deps) -> ServerSetup | None:
    probe = deps.server_probes.get(request.chat.platform)
    server_id = await probe.server_of(request.chat) if probe is not None else None
    if server_id is None:
        return None
    return await deps.server_setups.get_setup(request.chat.platform, server_id)


def _chat_lines(prefs: ChatPrefs, request: Request, _: Callable[[str], str]) -> list[str]:
    quiet = prefs.quiet_hours
    names = topic_names(_)
    topics = ", ".join(names[t] for t in TOPICS if t in prefs.topics)
    return [
        _("• This chat: {platform} chat {chat_id}, created {date}").format(
            platform=prefs.address.platform,
            chat_id=prefs.address.chat_id,
            date=f"{prefs.created_at:%Y-%m-%d}",
        ),
        _("• Language: {language}").format(
            language=LANGUAGES.get(prefs.locale or "", _("not chosen"))
        ),
        _("• Time zone: {zone}").format(zone=prefs.timezone or _("not set")),
        _("• Quiet hours: {hours}").format(
            hours=f"{quiet[0]:%H:%M}–{quiet[1]:%H:%M}" if quiet else _("off")
        ),
        _("• Reminder topics: {topics}").format(topics=topics or _("none")),
        {
            True: _("• Discreet mode: on"),
            False: _("• Discreet mode: off"),
            None: _("• Discreet mode: not chosen"),
        }[prefs.discreet],
    ]


def _record_lines(records: StoredRecords, request: Request, _: Callable[[str], str]) -> list[str]:
    lines = []
    if records.leads is not None:
        lines.append(
            _("• Reminder times: {leads}").format(
                leads=leads_text(records.leads, request.locale, _)
            )
        )
    counted = (
        (records.rsvps, _("• Answers to events (RSVPs): {count}")),
        (records.reminder_records, _("• Reminders planned or sent here: {count}")),
        (records.broadcast_deliveries, _("• Broadcasts delivered here: {count}")),
        (records.broadcasts_started, _("• Broadcasts sent from here: {count}")),
        (records.own_events, _("• Events made here: {count}")),
    )
    lines.extend(text.format(count=count) for count, text in counted if count)
    return lines


def _setup_lines(setup: ServerSetup, _: Callable[[str], str]) -> list[str]:
    names = topic_names(_)
    return [
        _("• This server's setup: announcements in channel {channel} about {topics}").format(
            channel=setup.channel_id,
            topics=", ".join(names[t] for t in TOPICS if t in setup.topics) or _("none"),
        ),
        _("  time zone {zone}, language {language}").format(
            zone=setup.timezone or _("not set"),
            language=LANGUAGES.get(setup.locale or "", _("not chosen")),
        ),
    ]


def _retention_lines(deps: Deps, request: Request, _: Callable[[str], str]) -> list[str]:
    policy, locale = deps.retention, request.locale
    return [
        _("How long it is kept:"),
        _("• Settings and reminder topics: until you erase them, or block or remove the bot."),
        _("• Answers to an event and its reminder records: {period} after the event ends.").format(
            period=duration_text(policy.after_event, locale)
        ),
        _(
            "• Who received a broadcast: {period} after it finished; then only its totals stay."
        ).format(period=duration_text(policy.broadcast_recipients, locale)),
        _("• Unconfirmed drafts: {period}.").format(period=duration_text(policy.drafts, locale)),
        _(
            "No names, usernames, phone numbers or messages are ever stored. Telegram and "
            "Discord keep their own copy of this conversation: delete it there too."
        ),
    ]


async def privacy(request: Request, deps: Deps) -> Reply:
    """Show what is stored about this chat, for how long, with a button to erase it."""
    _ = deps.gettext(request)
    if request.chat_kind is not ChatKind.PRIVATE and not request.is_chat_admin:
        return Reply(
            _(
                "Only this group's admins can see what is stored about it. For what is stored "
                "about you, send /privacy in a private chat with me."
            )
        )
    prefs = await deps.store.get_chat(request.chat)
    records = await deps.privacy.stored_about(request.chat)
    setup = await _server_setup(request, deps)
    lines: list[str] = []
    if prefs is not None:
        lines += _chat_lines(prefs, request, _)
    lines += _record_lines(records, request, _)
    if setup is not None:
        lines += _setup_lines(setup, _)
    retention = _retention_lines(deps, request, _)
    if not lines:
        return Reply("\n".join([_("Nothing is stored about this chat right now."), *retention]))
    return Reply(
        "\n".join([_("What is stored about this chat right now:"), *lines, "", *retention]),
        buttons=(ActionButton(_("🗑 Erase all of it"), "forget"),),
    )

"""/privacy through the real dispatcher and SQLite store: the actual values, how long, erasure."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from bot.app import Core, build_core
from bot.core.messages import ActionButton, Address, ChatKind, Request
from bot.core.reminders.values import EventDraft
from bot.core.server_setup import ServerSetup
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.handlers.test_setup import GENERAL, NEWS, SERVER, FakeProbe
from tests.handlers.test_supporter_commands import is_russian
from tests.support.chat import Say
from tests.support.fakes import FixedClock

ALICE = Address("console", "alice")


async def a_coming_event(core: Core, clock: FixedClock) -> str:
    """A campaign-wide event an organizer published, three weeks ahead."""
    start = datetime(2026, 12, 12, 18, 0)
    draft = EventDraft("Vigil", start, start.replace(hour=20), "Europe/London", "Square", "Come.")
    saved = await core.deps.events.save_draft(draft, None, clock())
    event = await core.deps.events.confirm(saved.id, clock())
    assert event is not None
    return event.id


async def fill(say: Say, core: Core, clock: FixedClock, locale: str = "en") -> None:
    """A supporter who chose everything there is to choose and answered an event."""
    for line in (
        "/settings timezone Europe/Berlin",
        "/settings quiet 23:00-07:00",
        "/subscribe events",
        "/subscribe remembrance",
        "/reminders 1d,2h",
        f"/rsvp {await a_coming_event(core, clock)} going",
    ):
        await say(line, locale=locale)


async def test_a_chat_with_nothing_stored_is_told_so_with_the_retention_and_no_button(
    say: Say,
) -> None:
    reply = await say("/privacy")
    assert reply.text.startswith("Nothing is stored about this chat right now.")
    assert "alice" not in reply.text
    assert "1 week after the event ends" in reply.text
    assert "30 days after it finished" in reply.text
    assert "Unconfirmed drafts: 1 day" in reply.text
    assert reply.buttons == ()
    assert reply.private


async def test_nothing_stored_in_russian(say: Say) -> None:
    reply = await say("/privacy", locale="ru")
    assert is_russian(reply.text), reply.text
    assert "1 неделя" in reply.text and "30 дней" in reply.text and "1 день" in reply.text


async def test_the_actual_values_the_counts_and_the_erase_button(
    say: Say, core: Core, clock: FixedClock
) -> None:
    await fill(say, core, clock)
    reply = await say("/privacy")
    text = reply.text
    assert text.startswith("What is stored about this chat right now:")
    # The chat id is shown to the chat itself: the person sees exactly what a seizure would.
    assert "console chat alice, created 2026-11-21" in text
    assert "Language: English" in text
    assert "Time zone: Europe/Berlin" in text
    assert "Quiet hours: 23:00–07:00" in text
    assert "Reminder topics: events and rallies, the Day of Remembrance (29 March)" in text
    assert "Reminder times: 1 day, 2 hours before" in text
    assert "Answers to events (RSVPs): 1" in text
    assert "How long it is kept:" in text
    assert [(b.command, b.args) for b in reply.buttons if isinstance(b, ActionButton)] == [
        ("forget", ())
    ]


async def test_the_button_leads_to_forgets_confirmation_and_then_nothing_is_left(
    say: Say, core: Core, clock: FixedClock
) -> None:
    await fill(say, core, clock)
    (button,) = (await say("/privacy")).buttons
    assert isinstance(button, ActionButton)
    asked = await say(f"/{button.command}", *button.args)
    assert "Erase now?" in asked.text
    confirm, _keep = asked.buttons  # Yes, then Keep
    assert isinstance(confirm, ActionButton)
    await say(f"/{confirm.command}", *confirm.args)
    after = await say("/privacy")
    assert after.text.startswith("Nothing is stored about this chat right now.")


async def test_the_values_in_russian(say: Say, core: Core, clock: FixedClock) -> None:
    await fill(say, core, clock, locale="ru")
    await say("/settings language ru")
    reply = await say("/privacy", locale="ru")
    assert is_russian(reply.text), reply.text
    for value in ("alice", "Europe/Berlin", "23:00–07:00", "Русский", "1 день, 2 часа"):
        assert value in reply.text
    assert all(is_russian(b.label) for b in reply.buttons)


async def test_in_a_group_only_its_admins_see_what_is_stored(say: Say) -> None:
    await say("/subscribe events", chat="group1", kind=ChatKind.GROUP, admin=True)
    refused = await say("/privacy", chat="group1", kind=ChatKind.GROUP, user="member")
    assert "Only this group's admins" in refused.text
    assert "group1" not in refused.text and refused.buttons == ()
    shown = await say("/privacy", chat="group1", kind=ChatKind.GROUP, user="admin", admin=True)
    assert "console chat group1" in shown.text
    assert "Reminder topics: events and rallies" in shown.text


async def test_a_servers_setup_is_shown_in_its_channels(core: Core) -> None:
    core.server_probes["discord"] = FakeProbe()
    await core.server_setups.save_setup(
        ServerSetup("discord", SERVER, NEWS, frozenset({"events"}), "Europe/Paris", "en")
    )
    request = Request(
        "privacy", (), Address("discord", GENERAL), "7", ChatKind.GROUP, "en", is_chat_admin=True
    )
    reply = await core.dispatcher.dispatch(request)
    assert reply is not None
    assert f"announcements in channel {NEWS} about events and rallies" in reply.text
    assert "time zone Europe/Paris, language English" in reply.text


async def test_the_periods_shown_are_the_settings(settings: Settings, tmp_path: Path) -> None:
    chosen = settings.model_copy(
        update={
            "retention_after_event": timedelta(days=3),
            "retention_broadcast_recipients": timedelta(days=10),
            "retention_drafts": timedelta(hours=6),
        }
    )
    core = await build_core(chosen, limiter=Unlimited())
    try:
        request = Request("privacy", (), ALICE, "alice", ChatKind.PRIVATE, "en")
        reply = await core.dispatcher.dispatch(request)
        assert reply is not None
        assert "3 days after the event ends" in reply.text
        assert "10 days after it finished" in reply.text
        assert "Unconfirmed drafts: 6 hours" in reply.text
    finally:
        await core.aclose()

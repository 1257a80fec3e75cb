"""The Events pages: what each reader may see, counts masked, changes made as the chat does."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from bot.app import Core
from tests.adapters.web.events_helpers import (
    ADMIN_OF_A,
    EVENT,
    GROUP_A,
    GROUP_B,
    opened,
    publish,
    publish_for_group,
)
from tests.support.chat import Say
from tests.support.fakes import FixedClock

COUNTS = re.compile(r'<span class="count">([^<]*)</span>')


async def test_organizers_see_every_event_with_masked_counts(core: Core, say: Say) -> None:
    campaign = await publish(say, *EVENT, chat="organizer")
    await publish_for_group(say, GROUP_A, "Group A picnic")
    for n in range(12):
        await say("/rsvp", campaign, "going", chat=f"supporter-{n}")
    await say("/rsvp", campaign, "maybe", chat="supporter-x")
    async with opened(core) as page:
        status, html = await page.get("/events")
    assert status == 200
    assert "Rally for Chechnya" in html and "Group A picnic" in html
    shown = COUNTS.findall(html)
    # 12 going shows as 12; the one maybe and the picnic's none read "fewer than 10".
    assert shown.count("12") == 1
    assert shown.count("fewer than 10") == 3
    assert all(c == "12" or c == "fewer than 10" for c in shown)
    assert "supporter" not in html


async def test_a_group_admin_sees_their_group_and_the_campaign_only(core: Core, say: Say) -> None:
    campaign = await publish(say, *EVENT, chat="organizer")
    ours = await publish_for_group(say, GROUP_A, "Group A picnic")
    theirs = await publish_for_group(say, GROUP_B, "Group B secret meeting")
    async with opened(core, ADMIN_OF_A) as page:
        _, listing = await page.get("/events")
        assert "Group A picnic" in listing and "Rally for Chechnya" in listing
        assert "Group B" not in listing
        # Another group's event does not exist for them, even by its id, nor can it be changed.
        assert (await page.get(f"/events/{theirs}"))[0] == 404
        assert (await page.post(f"/events/{theirs}/cancel", {}))[0] == 404
        edit = {"field": "title", "value": "Mine now"}
        assert (await page.post(f"/events/{theirs}/edit", edit))[0] == 404
        # The campaign's event is read only; their own has its edit and cancel forms.
        _, campaign_page = await page.get(f"/events/{campaign}")
        assert "Rally for Chechnya" in campaign_page and "/cancel" not in campaign_page
        _, own_page = await page.get(f"/events/{ours}")
        assert f"/events/{ours}/cancel" in own_page and f"/events/{ours}/edit" in own_page


async def test_a_new_event_without_javascript_keeps_the_values_and_shows_the_error(
    core: Core,
) -> None:
    names = ("title", "start", "end", "timezone", "place", "description")
    fields = dict(zip(names, EVENT, strict=True))
    async with opened(core) as page:
        status, html = await page.post("/events/new", {**fields, "start": "someday soon"})
        assert status == 422
        assert "I could not read the start “someday soon”" in html
        assert 'value="Trafalgar Square"' in html and "Stand with LGBT Chechens." in html
        assert 'aria-invalid="true"' in html
        # All fields right: the bot's preview, with Publish and Discard as forms to /act.
        status, html = await page.post("/events/new", fields)
        assert status == 200
        assert "Preview of the new event:" in html
        assert 'action="/act"' in html and 'name="command" value="eventdraft"' in html
        assert "Publish" in html and "Discard" in html
    # A preview publishes nothing.
    listed = await core.deps.events.listed(core.deps.clock(), past=False)
    assert all(e.title.text != "Rally for Chechnya" for e in listed)


async def test_the_check_echoes_the_start_as_the_chat_does(core: Core) -> None:
    async with opened(core) as page:
        values = {"timezone": "Berlin", "title": "Vigil", "start": "2026-12-05 19:00"}
        status, body = await page.post("/events/check", {**values, "end": "18:00"})
    assert status == 200
    assert "Starts: Saturday 5 December 2026, 19:00 (" in body
    assert "The end must come after the start." in body


async def test_edit_and_cancel_go_through_the_chat_commands(core: Core, say: Say) -> None:
    campaign = await publish(say, *EVENT, chat="organizer")
    async with opened(core) as page:
        _, preview = await page.post(
            f"/events/{campaign}/edit", {"field": "place", "value": "Parliament Square"}
        )
        assert "Preview of the changed event:" in preview and "Parliament Square" in preview
        _, asked = await page.post(f"/events/{campaign}/cancel", {})
        assert "Cancel “Rally for Chechnya”?" in asked
        assert 'name="arg" value="confirm"' in asked
        confirm = [("command", "cancelevent"), ("arg", campaign), ("arg", "confirm")]
        _, done = await page.post("/act", confirm)
        assert "Cancelled “Rally for Chechnya”." in done
        _, listing = await page.get("/events")
    assert "Rally for Chechnya" not in listing


async def test_past_events_are_a_switch_away(core: Core, say: Say, clock: FixedClock) -> None:
    await publish(say, *EVENT, chat="organizer")
    clock.now = datetime(2026, 12, 6, tzinfo=UTC)
    async with opened(core) as page:
        _, upcoming = await page.get("/events")
        _, past = await page.get("/events?when=past")
    assert "Rally for Chechnya" not in upcoming and "No upcoming events." in upcoming
    assert "Rally for Chechnya" in past and 'href="/events"' in past

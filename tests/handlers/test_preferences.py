"""Subscriptions, settings and erasure: what a chat chooses, stored and taken back."""

from __future__ import annotations

from datetime import time

from bot.app import Core
from bot.core.messages import ActionButton, Address, ChatKind
from bot.core.ports import TOPICS
from tests.support.chat import Say

ALICE = Address("console", "alice")


async def test_subscribe_without_a_topic_offers_each_topic_as_a_button(say: Say) -> None:
    reply = await say("/subscribe")
    assert [b.args for b in reply.buttons if isinstance(b, ActionButton)] == [(t,) for t in TOPICS]
    assert reply.private


async def test_subscribing_stores_the_topic_and_hides_its_button(say: Say, core: Core) -> None:
    reply = await say("/subscribe events")
    assert "events and rallies" in reply.text
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.topics == {"events"}
    again = await say("/subscribe")
    assert ("events",) not in [b.args for b in again.buttons if isinstance(b, ActionButton)]
    assert "events and rallies" in again.text


async def test_an_unknown_topic_gets_a_friendly_list(say: Say, core: Core) -> None:
    reply = await say("/subscribe kittens")
    assert "“kittens” is not one of: events, petitions, remembrance, appeals." in reply.text
    assert await core.store.get_chat(ALICE) is None


async def test_unsubscribe_one_topic_then_all(say: Say, core: Core) -> None:
    await say("/subscribe events")
    await say("/subscribe appeals")
    await say("/subscribe remembrance")
    menu = await say("/unsubscribe")
    assert ("all",) in [b.args for b in menu.buttons if isinstance(b, ActionButton)]
    await say("/unsubscribe appeals")
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.topics == {"events", "remembrance"}
    reply = await say("/unsubscribe all")
    assert "You receive no reminders." in reply.text
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.topics == frozenset()


async def test_unsubscribe_with_nothing_to_stop(say: Say) -> None:
    assert "nothing to stop" in (await say("/unsubscribe events")).text


async def test_settings_shows_the_current_choices_with_buttons(say: Say) -> None:
    reply = await say("/settings")
    assert "Time zone: not set (UTC)" in reply.text
    assert "Quiet hours: 22:00–08:00" in reply.text
    assert "Discreet mode: off" in reply.text
    assert [b.args for b in reply.buttons if isinstance(b, ActionButton)] == [
        ("timezone",),
        ("language",),
        ("quiet",),
        ("discreet",),
        ("deleteafter",),
    ]


async def test_time_zone_is_validated_and_forgiving(say: Say, core: Core) -> None:
    assert "Europe/Berlin" in (await say("/settings timezone berlin")).text
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.timezone == "Europe/Berlin"
    assert "America/New_York" in (await say("/settings timezone New York")).text


async def test_a_misspelt_time_zone_gets_suggestions_and_changes_nothing(
    say: Say, core: Core
) -> None:
    await say("/settings timezone Europe/Paris")
    reply = await say("/settings timezone Europe/Berln")
    assert "not a time zone I know" in reply.text
    assert ("timezone", "Europe/Berlin") in [
        b.args for b in reply.buttons if isinstance(b, ActionButton)
    ]
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.timezone == "Europe/Paris"


async def test_choosing_russian_switches_every_later_reply(say: Say) -> None:
    reply = await say("/settings language ru", locale="en")
    assert reply.text == "Язык: русский."
    assert "Что я умею" in (await say("/help", locale="en")).text


async def test_quiet_hours_can_be_set_and_turned_off(say: Say, core: Core) -> None:
    assert "23:00–07:00" in (await say("/settings quiet 23:00-07:00")).text
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.quiet_hours == (time(23, 0), time(7, 0))
    await say("/settings quiet off")
    prefs = await core.store.get_chat(ALICE)
    assert prefs is not None and prefs.quiet_hours is None


async def test_unreadable_quiet_hours_are_explained(say: Say) -> None:
    reply = await say("/settings quiet teatime")
    assert "Write quiet hours like 22:00-08:00" in reply.text


async def test_forget_asks_first_then_erases_everything(say: Say, core: Core) -> None:
    await say("/subscribe events")
    await say("/subscribe appeals")
    await say("/settings timezone Europe/Berlin")
    confirm = await say("/forget")
    assert "cannot be undone" in confirm.text
    assert await core.store.get_chat(ALICE) is not None
    # Yes first, then Keep (tests/handlers/test_confirmations.py).
    button, _keep = [b for b in confirm.buttons if isinstance(b, ActionButton)]
    reply = await say(" ".join(("/" + button.command, *button.args)))
    assert "2 reminder subscriptions" in reply.text
    assert await core.store.get_chat(ALICE) is None
    assert await core.store.subscribers("events") == []


async def test_forget_erases_rsvps_too(say: Say, core: Core) -> None:
    event = core.deps.campaign.events[0].id
    await say(f"/rsvp {event} going")
    reply = await say("/forget confirm")
    assert "and 1 event answer." in reply.text
    assert await core.store.rsvp_counts(event) == {}


async def test_forget_with_nothing_stored(say: Say) -> None:
    assert "nothing to erase" in (await say("/forget confirm")).text


async def test_only_group_admins_change_what_a_group_receives(say: Say, core: Core) -> None:
    group = Address("console", "group-1")
    refused = await say("/subscribe events", chat="group-1", user="member", kind=ChatKind.GROUP)
    assert "Only this group's admins" in refused.text
    assert await core.store.get_chat(group) is None
    await say("/subscribe events", chat="group-1", user="admin", kind=ChatKind.GROUP, admin=True)
    prefs = await core.store.get_chat(group)
    assert prefs is not None and prefs.kind is ChatKind.GROUP and prefs.topics == {"events"}
    # Reading commands stay open to every member.
    assert (
        "Chechnya"
        in (await say("/donate", chat="group-1", user="member", kind=ChatKind.GROUP)).text
    )

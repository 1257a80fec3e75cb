"""/settings → "delete after" through the real core: what it offers and says, in both
languages, and that each promise holds (the deletion loop on a clock the test moves).

What the bot sends is reported as an adapter does (ChatEvents.sent, the ids its platform
gave); the core's own deletion loop then deletes through a recording messenger.
"""

from __future__ import annotations

from bot.app import Core
from bot.core.messages import ActionButton, Address
from tests.support.chat import Say
from tests.support.fakes import FixedClock
from tests.support.reminders import RecordingMessenger

ALICE = Address("console", "alice")


async def test_the_choice_its_summary_a_wrong_word_and_off_each_keep_their_word(
    say: Say, core: Core, clock: FixedClock
) -> None:
    messenger = RecordingMessenger()
    core.outbox["console"] = messenger
    question = await say("/settings deleteafter")
    choices = [b for b in question.buttons if isinstance(b, ActionButton)]
    assert [b.label for b in choices] == ["1 hour", "24 hours", "47 hours", "Off"]
    assert "Delete my messages after: off" in (await say("/settings")).text

    wrong = await say("/settings deleteafter 2h")
    assert wrong.text == "I could not read “2h”. Choose one of: 1 hour, 24 hours, 47 hours, or off."
    chosen = await say("/settings", *choices[0].args)
    assert "From now on I delete each message I send in this chat 1 hour after" in chosen.text
    assert "Delete my messages after: 1 hour" in (await say("/settings")).text
    # "This one too": its id, as the adapter reports it, goes an hour later, not before.
    await core.chat_events.sent(ALICE, ["10"])
    clock.advance(minutes=59)
    await core.deletions.tick()
    assert not messenger.deleted
    clock.advance(minutes=1)
    await core.deletions.tick()
    assert messenger.deleted == [(ALICE, ("10",))]

    off = await say("/settings deleteafter off")
    assert off.text == "Self-destruct is off: my messages stay in this chat."
    assert "Delete my messages after: off" in (await say("/settings")).text
    await core.chat_events.sent(ALICE, ["11"])
    clock.advance(hours=48)
    await core.deletions.tick()
    assert messenger.deleted == [(ALICE, ("10",))]


async def test_in_russian(say: Say) -> None:
    question = await say("/settings самоудаление", locale="ru")
    labels = [b.label for b in question.buttons if isinstance(b, ActionButton)]
    assert labels == ["1 час", "24 часа", "47 часов", "Выключить"], labels
    chosen = await say("/settings", "deleteafter", "24h", locale="ru")
    assert "24 часа" in chosen.text
    assert "24 часа" in (await say("/settings", locale="ru")).text
    off = await say("/settings", "deleteafter", "выкл", locale="ru")
    assert off.text == "Самоудаление выключено: мои сообщения остаются в этом чате."


async def test_discreet_mode_refuses_a_word_it_cannot_read(say: Say) -> None:
    wrong = await say("/settings discreet maybe")
    assert wrong.text == "I could not read “maybe”. Choose on or off."
    assert "Discreet mode: off" in (await say("/settings")).text

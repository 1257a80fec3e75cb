"""Questions answered on Discord, through the real adapter against the fake Discord: in a server
channel through the Answer button and its modal (the bot cannot read server messages), in a DM by
typing. What is asserted is what the person sees next: the next question, the preview, the
result."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.adapters.discord.forms import FORM_ID, form_submission, placeholder
from bot.core.conversation import DRAFT_TTL_S, Conversations, MemoryDrafts
from bot.core.dispatcher import Dispatcher
from bot.core.messages import Address, Reply, Request
from bot.core.ports import TooFast
from bot.ratelimit import Unlimited
from bot.settings import Settings
from tests.adapters.discord.conftest import CYRILLIC, EPHEMERAL, JSON, Bot, answer
from tests.adapters.discord.fake_server import FakeDiscord, Interaction
from tests.support.broadcast import add_subscribers

ANSWER = "ally-answer"
PARAGRAPH = 2


@pytest.fixture
def settings(tmp_path: Path, fake: FakeDiscord) -> Settings:
    # The fake's ordinary member organizes (as in test_organizers.py).
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'allybot.sqlite3'}",
        organizers=f"discord:{fake.member_id}",  # type: ignore[arg-type]
    )


def buttons(message: JSON) -> list[JSON]:
    return [c for row in message.get("components", []) for c in row["components"]]


def button(message: JSON, label: str) -> str:
    """The custom id of the button whose label has `label`."""
    for component in buttons(message):
        if label in component.get("label", ""):
            return str(component["custom_id"])
    raise AssertionError(f"no {label!r} button in {message!r}")


def answer_button(message: JSON) -> str:
    [found] = [b["custom_id"] for b in buttons(message) if b["custom_id"].startswith(ANSWER)]
    return str(found)


async def answer_in_form(
    bot: Bot, question: JSON, text: str, **where: object
) -> tuple[JSON, Interaction]:
    """Press the question's Answer button, check the modal, submit `text`: the reply."""
    fake = bot.fake
    press = await fake.press(question, answer_button(question), **where)  # type: ignore[arg-type]
    await fake.wait_callback(press)
    modal = fake.modal(press)
    assert len(modal["title"]) <= 45
    [row] = modal["components"]
    [field] = row["components"]
    assert field["style"] == PARAGRAPH and len(field["label"]) <= 45
    assert 0 < len(field["placeholder"]) <= 100
    assert field["placeholder"][:20] in question["content"].replace("\\", "")
    submitted = await fake.submit_modal(
        modal["custom_id"],
        {field["custom_id"]: text},
        **where,  # type: ignore[arg-type]
    )
    return await answer(fake, submitted), submitted


async def test_a_broadcast_is_written_through_answer_forms_in_a_server_channel(bot: Bot) -> None:
    fake = bot.fake
    await add_subscribers(bot.core.engine, "discord", ["1001", "1002"])
    start = await answer(fake, await fake.slash("broadcast"))
    question = await answer(fake, await fake.press(start, button(start, "Subscribers of: events")))
    assert question["flags"] & EPHEMERAL
    assert answer_button(question) == ANSWER + ":private"

    # A wrong time: the next question still arrives, the draft is refused at the end, nothing
    # is sent, and the form is started again.
    text_question, submitted = await answer_in_form(bot, question, "next blue moon")
    assert fake.callbacks[submitted.id][0]["data"]["flags"] & EPHEMERAL
    assert answer_button(text_question) and text_question["content"] != question["content"]
    refused, _ = await answer_in_form(bot, text_question, "Rally on Saturday")
    assert "Nothing was sent" in refused["content"] and "Confirm" not in str(refused)
    start = await answer(fake, await fake.slash("broadcast", {"audience": "events"}))
    question = await answer(fake, await fake.press(start, button(start, "Write")))
    text_question, _ = await answer_in_form(bot, question, "now")
    assert answer_button(text_question) and text_question["content"] != question["content"]
    preview, _ = await answer_in_form(bot, text_question, "Rally on *Saturday*")
    assert "Rally on" in preview["content"] and "Saturday" in preview["content"]
    confirmed = await answer(fake, await fake.press(preview, button(preview, "Confirm")))
    assert confirmed["flags"] & EPHEMERAL
    assert "Only" not in confirmed["content"]


# In the form's order: the venue's time zone first, so the times are read in it.
GOOD = [
    "Europe/London",
    "Vigil for Chechnya",
    "2027-03-29 18:00",
    "20:00",
    "Parliament Square, London",
    "We stand together. Bring candles.",
]


async def event_form(bot: Bot, answers: list[str]) -> JSON:
    """/newevent with no options, Start, then each answer through the form while the bot keeps
    asking: the last message the organizer sees."""
    fake = bot.fake
    intro = await answer(fake, await fake.slash("newevent"))
    message = await answer(fake, await fake.press(intro, button(intro, "Start")))
    for text in answers:
        if not any(b["custom_id"].startswith(ANSWER) for b in buttons(message)):
            break
        message, _ = await answer_in_form(bot, message, text)
        assert message["content"]
    return message


async def test_a_new_event_is_answered_question_by_question_and_published(bot: Bot) -> None:
    fake = bot.fake
    # A wrong start is asked for again, with an Answer button; the zone and title are kept.
    asked = await event_form(bot, [*GOOD[:2], "not a date at all"])
    assert "could not read" in asked["content"].lower(), asked["content"]
    assert any(b["custom_id"].startswith(ANSWER) for b in buttons(asked))
    message = asked
    for text in GOOD[2:]:
        message, _ = await answer_in_form(bot, message, text)
    assert "Publish" in str(buttons(message)), message["content"]
    assert "Vigil for Chechnya" in message["content"]
    assert "Europe/London" in message["content"]
    published = await answer(fake, await fake.press(message, button(message, "Publish")))
    assert "Vigil for Chechnya" in published["content"]
    listed = await answer(fake, await fake.slash("events"))
    assert "Vigil for Chechnya" in listed["content"]


async def test_a_broadcast_started_in_a_dm_is_answered_by_typing(bot: Bot) -> None:
    fake = bot.fake
    await add_subscribers(bot.core.engine, "discord", ["1001"])
    dm = fake.dm_channel_id
    start = await answer(fake, await fake.slash("broadcast", in_guild=False))
    await answer(fake, await fake.press(start, button(start, "events"), in_guild=False))

    await fake.dm_message("now")
    await fake.wait_for(lambda: len(fake.channel_messages[dm]) >= 1)
    assert "write the message" in fake.channel_messages[dm][-1]["content"]
    await fake.dm_message("Letters this week")
    await fake.wait_for(lambda: "Confirm" in str(fake.channel_messages[dm][-1]))
    preview = fake.channel_messages[dm][-1]
    assert "Nothing is sent until you press Confirm" in preview["content"]
    assert any("Letters this week" in m["content"] for m in fake.channel_messages[dm])


async def test_forget_in_a_dm_answered_no_by_typing_or_keep_keeps_everything(bot: Bot) -> None:
    fake, core = bot.fake, bot.core
    dm = fake.dm_channel_id
    await answer(fake, await fake.slash("subscribe", {"topic": "events"}, in_guild=False))
    question = await answer(fake, await fake.slash("forget", in_guild=False))
    assert answer_button(question)
    await fake.dm_message("no")
    await fake.wait_for(lambda: bool(fake.channel_messages[dm]))
    assert "Kept" in fake.channel_messages[dm][-1]["content"]

    question = await answer(fake, await fake.slash("forget", in_guild=False))
    kept = await answer(fake, await fake.press(question, button(question, "Keep"), in_guild=False))
    assert "Kept" in kept["content"]
    prefs = await core.store.get_chat(Address("discord", str(dm)))
    assert prefs is not None and "events" in prefs.topics


async def test_messages_from_bots_ourselves_and_empty_ones_are_ignored(bot: Bot) -> None:
    fake = bot.fake
    dm = fake.dm_channel_id
    await fake.dm_message("hello", bot=True)
    await fake.dm_message("hello", user_id=fake.bot_id, bot=True)
    await fake.dm_message("   ")
    await fake.dm_message("/help")  # not a slash command on Discord: plain text
    await fake.wait_for(lambda: bool(fake.channel_messages[dm]))
    [reply] = fake.channel_messages[dm]
    assert "I answer commands" in reply["content"]


async def test_an_empty_or_late_answer_is_still_answered(bot: Bot, settings: Settings) -> None:
    fake, core = bot.fake, bot.core
    now = [0.0]
    dispatcher = Dispatcher(
        core.registry, core.deps, Unlimited(), MemoryDrafts(Conversations(lambda: now[0]))
    )
    await bot.stop()
    await bot.start(dispatcher.dispatch)
    start = await answer(fake, await fake.slash("broadcast", {"audience": "events"}))
    question = await answer(fake, await fake.press(start, button(start, "Write")))

    empty = await fake.submit_modal(ANSWER + "-form:private", {"answer": "  "})
    said = await answer(fake, empty)
    assert said["flags"] & EPHEMERAL and "empty" in said["content"]

    now[0] += DRAFT_TTL_S + 1
    late, _ = await answer_in_form(bot, question, "now")
    assert "no longer open" in late["content"]
    assert fake.callbacks  # every interaction above was acknowledged by `answer`


async def test_a_russian_client_gets_the_answer_button_and_form_in_russian(bot: Bot) -> None:
    fake = bot.fake
    question = await answer(fake, await fake.slash("forget", in_guild=False, locale="ru"))
    [label] = [b["label"] for b in buttons(question) if b["custom_id"].startswith(ANSWER)]
    assert "Ответить" in label
    press = await fake.press(question, answer_button(question), in_guild=False, locale="ru")
    await fake.wait_callback(press)
    [row] = fake.modal(press)["components"]
    assert row["components"][0]["label"] == "Ваш ответ"
    # Typed in the same DM afterwards, the answer comes in the same language.
    await fake.dm_message("нет")
    await fake.wait_for(lambda: bool(fake.channel_messages[fake.dm_channel_id]))
    assert set(fake.channel_messages[fake.dm_channel_id][-1]["content"].lower()) & CYRILLIC


async def test_a_typed_answer_refused_by_the_rate_limit_is_told_so_in_the_dm(bot: Bot) -> None:
    async def too_fast(request: Request) -> Reply | None:
        return TooFast("Too many at once — try again in 3 seconds.", private=True, retry_after_s=3)

    await bot.stop()
    await bot.start(too_fast)
    await bot.fake.dm_message("now")
    dm = bot.fake.dm_channel_id
    await bot.fake.wait_for(lambda: bool(bot.fake.channel_messages[dm]))
    assert "try again in 3 seconds" in bot.fake.channel_messages[dm][-1]["content"]


def test_a_form_is_read_from_action_rows_or_labels_and_its_question_shortened() -> None:
    rows = {"type": 1, "components": [{"type": 4, "custom_id": "answer", "value": "now"}]}
    label = {"type": 18, "component": {"type": 4, "custom_id": "answer", "value": "18:30"}}
    assert form_submission({"custom_id": FORM_ID, "components": [rows]}) == (False, "now")
    assert form_submission({"custom_id": FORM_ID + ":private", "components": [label]}) == (
        True,
        "18:30",
    )
    assert form_submission({"custom_id": "ally:forget keep", "components": [rows]}) is None
    assert form_submission({"custom_id": FORM_ID, "components": []}) == (False, "")
    shown = placeholder("When should it go out\\? " + "Write *now* " * 20)
    assert len(shown) <= 100 and shown.endswith("*now*…") and "\\" not in shown

"""Discreet mode on Discord: a DM's Show edits the message the button is on (an UPDATE_MESSAGE
interaction response) to the full text, through the real discord.py stack."""

from __future__ import annotations

from tests.adapters.discord.conftest import Bot, answer

UPDATE_MESSAGE = 7


def neutral_message(custom_id: str) -> dict[str, object]:
    button = {"type": 2, "style": 2, "label": "Показать", "custom_id": custom_id}
    return {"content": "У вас новое сообщение", "components": [{"type": 1, "components": [button]}]}


async def test_show_in_a_dm_edits_the_message_to_its_full_text(bot: Bot) -> None:
    fake = bot.fake
    # The DM's row, in Russian (discreet until it chooses).
    await answer(
        fake, await fake.slash("subscribe", {"topic": "events"}, in_guild=False, locale="ru")
    )
    event = bot.core.deps.campaign.events[0]
    show = f"ally:show r {event.id} event 60"
    press = await fake.press(neutral_message(show), show, in_guild=False, locale="ru")
    callback = await fake.wait_callback(press)
    assert callback["type"] == UPDATE_MESSAGE, callback
    content = callback["data"]["content"]
    assert event.title.get("ru") in content and "Напоминание" in content, content
    ids = [
        c["custom_id"]
        for row in callback["data"]["components"]
        for c in row["components"]
        if "custom_id" in c
    ]
    assert not [i for i in ids if i.startswith("ally:show")]
    assert any(i.startswith("ally:rsvp ") for i in ids)

    gone = "ally:show r e_404 event 60"
    press = await fake.press(neutral_message(gone), gone, in_guild=False, locale="ru")
    callback = await fake.wait_callback(press)
    assert callback["type"] == UPDATE_MESSAGE
    assert callback["data"]["content"] == "Это сообщение больше недоступно."
    assert callback["data"]["components"] == []

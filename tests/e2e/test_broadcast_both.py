"""A campaign-wide broadcast, end to end, on both platforms at once: preview, Confirm, a second
organizer's approval, then every subscriber on Telegram and Discord gets it exactly once.

The real `allybot run` process serves the fake Telegram and the fake Discord together, on the
real clock, with people acting about once a second. Five chats subscribe to events (two
Telegram private chats, a Discord server's announcement channel, two Discord DMs; English and
Russian), which is more than BROADCAST_SECOND_APPROVAL_ABOVE=3: a second organizer must approve.
"""

from __future__ import annotations

import asyncio

from tests.adapters.discord.fake_payloads import snowflake
from tests.adapters.discord.fake_server import Interaction
from tests.adapters.telegram.fake_server import ORGANIZER, FakeTelegram, private_chat
from tests.e2e.conftest import APPROVAL_ABOVE, SECOND_ORGANIZER, BotProcess
from tests.e2e.discord import LaggyDiscord, answer, button, content, ephemeral
from tests.e2e.people import (
    Subscribers,
    button_data,
    eventually,
    pause,
    subscribe_everyone,
    telegram_copies,
    texts,
)

ON_TELEGRAM = "Rally at the embassy on Saturday, 14:00. Bring a friend and a sign."
ON_DISCORD = "Пишите письма в поддержку до пятницы. Write letters of support by Friday."
DELIVERED_WITHIN_S = 30.0
# After everyone has it: long enough for a duplicate (a retry, a second sender) to show up.
SETTLE_S = 2.0
# How long after Confirm nothing may have gone out yet (it waits for the approval).
PAUSE_BEFORE_APPROVAL_S = 1.0


async def discord_broadcast(
    discord: LaggyDiscord, user_id: int, audience: str, text: str, locale: str
) -> Interaction:
    """An organizer uses /broadcast with its options in #general, to send `text` now.

    The one place the one-line form is written: if `when` leaves the options (a leading time in
    the text instead), only this changes.
    """
    return await discord.slash(
        "broadcast",
        {"audience": audience, "when": "now", "text": text},
        user_id=user_id,
        locale=locale,
    )


def assert_each_got_it_once(
    subscribers: Subscribers, fake: FakeTelegram, discord: LaggyDiscord, text: str
) -> None:
    copies = subscribers.copies(fake, discord, text)
    assert set(copies.values()) == {1}, copies


async def test_a_telegram_organizers_broadcast_is_approved_by_the_discord_organizer_in_a_dm(
    fake: FakeTelegram, discord: LaggyDiscord, both: BotProcess
) -> None:
    await both.start()
    subscribers = await subscribe_everyone(fake, discord)
    assert subscribers.count > APPROVAL_ABOVE
    organizer, chat = ORGANIZER, private_chat(ORGANIZER)
    _ = texts("en")

    # Step by step: the audience from a button, then "now", then the text.
    [menu] = await fake.say(chat, organizer, "/broadcast")
    assert _("Who should get the broadcast?") in (menu.text or "")
    await pause()
    events = _("Subscribers of: {topic}").format(topic=_("events and rallies"))
    [when] = await fake.tap(menu, events, organizer)
    assert (when.text or "").startswith(_("When should it go out?")[:20]), when.text
    await pause()
    [write] = await fake.say(chat, organizer, "now")
    assert (write.text or "").startswith(_("Now write the message.")[:20]), write.text
    await pause()
    exact, preview = await fake.say(chat, organizer, ON_TELEGRAM, count=2)
    # The message itself first, exactly as recipients get it; then what happens to it.
    assert exact.text == ON_TELEGRAM
    assert _("Above is the broadcast exactly as recipients will see it.") in (preview.text or "")
    assert f"goes to {subscribers.count} chats" in (preview.text or "")
    assert "a second organizer must approve it" in (preview.text or "")
    await pause()

    [confirmed] = await fake.tap(preview, button_data(preview, "bcsend"), organizer)
    assert "another organizer must approve it" in (confirmed.text or ""), confirmed.text
    # Nothing goes before the approval.
    await asyncio.sleep(PAUSE_BEFORE_APPROVAL_S)
    assert set(subscribers.copies(fake, discord, ON_TELEGRAM).values()) == {0}

    # Every other organizer is asked: the second one on Telegram, the one on Discord in a DM the
    # bot opens for them (direct_chat), not a channel named by their id.
    [asked] = await fake.replies(SECOND_ORGANIZER["id"], within=10)
    assert ON_TELEGRAM in (asked.text or "")
    button_data(asked, "approve")
    await discord.wait_for(lambda: discord.organizer_id in discord.opened_dms, within=10)
    dm = discord.opened_dms[discord.organizer_id]
    await discord.wait_for(lambda: bool(discord.posted(dm, ON_TELEGRAM)), within=10)
    [request] = discord.posted(dm, ON_TELEGRAM)
    assert not discord.channel_messages[discord.organizer_id]
    await pause()

    approval = await discord.press(
        request,
        button(request, "Approve"),
        in_guild=False,
        user_id=discord.organizer_id,
        dm_channel_id=dm,
    )
    approved = content(await answer(discord, approval))
    assert approved.startswith(_("Approved.")), approved

    # The writer is told, then everyone gets it once, then the writer hears it finished.
    await fake.wait_until(
        lambda: telegram_copies(fake, organizer["id"], "was approved by a second organizer") == 1,
        within=10,
    )
    await eventually(
        lambda: all(subscribers.copies(fake, discord, ON_TELEGRAM).values()),
        within=DELIVERED_WITHIN_S,
    )
    await fake.wait_until(
        lambda: telegram_copies(fake, organizer["id"], "finished: 5 chats: sent 5,") == 1, within=20
    )
    await asyncio.sleep(SETTLE_S)
    assert_each_got_it_once(subscribers, fake, discord, ON_TELEGRAM)
    # Nobody else got the message: not the server's other channels, not the approver's DM twice.
    for name in ("general", "read-only", "hidden"):
        assert not discord.posted(discord.guild.channels[name], ON_TELEGRAM), name
    assert len(discord.posted(dm, ON_TELEGRAM)) == 1
    # The second Telegram organizer's request is now stale; pressing it says where it stands.
    await pause()
    [stale] = await fake.tap(asked, button_data(asked, "approve"), SECOND_ORGANIZER)
    # In their own language (Russian), unlike the request itself (see the report).
    assert texts("ru")("finished") in (stale.text or ""), stale.text


async def test_a_discord_organizers_broadcast_is_previewed_privately_and_approved_on_telegram(
    fake: FakeTelegram, discord: LaggyDiscord, both: BotProcess
) -> None:
    await both.start()
    subscribers = await subscribe_everyone(fake, discord)
    ru = texts("ru")
    organizer = discord.organizer_id

    # In Russian, from a server channel: every answer is for the organizer's eyes only.
    sent = await discord_broadcast(discord, organizer, "events", ON_DISCORD, "ru")
    preview = await answer(discord, sent)
    assert ephemeral(preview), preview
    assert ru("Preview, exactly as recipients will see it:") in content(preview)
    assert ON_DISCORD in content(preview)
    await pause()
    confirm = await discord.press(
        preview, button(preview, ru("✅ Confirm and send")), user_id=organizer, locale="ru"
    )
    confirmed = await answer(discord, confirm)
    assert ephemeral(confirmed), confirmed
    assert str(subscribers.count) in content(confirmed)
    await asyncio.sleep(PAUSE_BEFORE_APPROVAL_S)
    assert set(subscribers.copies(fake, discord, ON_DISCORD).values()) == {0}

    # Both Telegram organizers are asked; the second one (who reads Russian) approves.
    await fake.wait_until(lambda: telegram_copies(fake, ORGANIZER["id"], ON_DISCORD) == 1)
    [asked] = await fake.replies(SECOND_ORGANIZER["id"], within=10)
    assert ON_DISCORD in (asked.text or "")
    await pause()
    [approved] = await fake.tap(asked, button_data(asked, "approve"), SECOND_ORGANIZER)
    assert (approved.text or "").startswith(ru("Approved.")), approved.text

    await eventually(
        lambda: all(subscribers.copies(fake, discord, ON_DISCORD).values()),
        within=DELIVERED_WITHIN_S,
    )
    await asyncio.sleep(SETTLE_S)
    assert_each_got_it_once(subscribers, fake, discord, ON_DISCORD)
    # The organizer's own messages never went anywhere public: no copy in #general.
    assert not discord.posted(discord.guild.channels["general"], ON_DISCORD)


async def test_a_member_who_is_not_an_organizer_is_refused_privately_on_discord(
    fake: FakeTelegram, discord: LaggyDiscord, both: BotProcess
) -> None:
    await both.start()
    sent = await discord_broadcast(discord, discord.member_id, "events", ON_DISCORD, "en-US")
    refused = await answer(discord, sent)
    assert ephemeral(refused), refused
    assert "Only campaign organizers" in content(refused)
    assert not any(discord.channel_messages.values())


async def test_a_discord_organizers_broadcast_news_goes_to_their_dm_not_the_public_channel(
    fake: FakeTelegram, discord: LaggyDiscord, both: BotProcess
) -> None:
    await both.start()
    reader, dm = snowflake(), snowflake()
    subscribed = await discord.dm_slash(
        "subscribe", {"topic": "events"}, user_id=reader, dm=dm, locale="en-US"
    )
    await answer(discord, subscribed)
    await pause()
    # One subscriber: no approval needed, it goes at Confirm.
    preview = await answer(
        discord, await discord_broadcast(discord, discord.organizer_id, "events", ON_DISCORD, "en")
    )
    await pause()
    confirm = await discord.press(preview, button(preview, "Confirm"), user_id=discord.organizer_id)
    assert ephemeral(await answer(discord, confirm))
    await discord.wait_for(lambda: bool(discord.posted(dm, ON_DISCORD)), within=DELIVERED_WITHIN_S)
    await asyncio.sleep(SETTLE_S)
    general = discord.channel_messages[discord.guild.channels["general"]]
    assert not general, [content(m) for m in general]
    # The news is for the writer alone: in the DM the bot opens with them.
    writer_dm = discord.opened_dms[discord.organizer_id]
    await discord.wait_for(
        lambda: bool(discord.posted(writer_dm, "finished")), within=DELIVERED_WITHIN_S
    )

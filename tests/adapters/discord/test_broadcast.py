"""A broadcast through the real Discord adapter (discord.py) against the fake Discord server.

Each server channel gets one post and each opted-in DM one message; every send carries a nonce
that is the same when the same message goes to the same chat again (after a crash), with
enforce_nonce, so Discord itself drops the repeat.
"""

from __future__ import annotations

from bot.core.broadcast.values import DeliveryState, Message
from bot.core.messages import Address, ChatKind, UrlButton
from tests.adapters.discord.conftest import Bot, broadcast
from tests.support.broadcast import add_subscribers


async def test_a_broadcast_through_the_discord_adapter_carries_stable_nonces(bot: Bot) -> None:
    core, fake = bot.core, bot.fake
    general = fake.guild.channels["general"]
    dm = fake.dm_channel_id
    await add_subscribers(core.engine, "discord", [str(general)], kind=ChatKind.GROUP)
    await add_subscribers(core.engine, "discord", [str(dm)])
    message = Message("Rally *Saturday* @everyone", (UrlButton("Map", "https://example.org/m"),))

    done = await broadcast(core, bot.running, message)

    assert done.counts == {DeliveryState.SENT: 2}
    [post] = fake.channel_messages[general]
    [direct] = fake.channel_messages[dm]
    for sent in (post, direct):
        assert "Saturday" in sent["content"]
        assert sent["nonce"] and len(sent["nonce"]) <= 25
        assert sent["enforce_nonce"] is True
    assert post["nonce"] != direct["nonce"]

    # The message sent again to the same channel (as after a crash) has the same nonce.
    await bot.running.send(Address("discord", str(general)), message.reply())
    again = fake.channel_messages[general][-1]
    assert again["nonce"] == post["nonce"]

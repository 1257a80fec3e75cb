"""People acting at human pace against the running process, through both fakes.

One place for what several end-to-end tests do: the pause between a person's actions, waiting
on conditions that span both fakes, reading the bot's texts in each language, and subscribing
a handful of chats on Telegram and Discord.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.i18n import gettext_for
from content.i18n import CatalogTranslator
from tests.adapters.discord.fake_payloads import snowflake
from tests.adapters.telegram.fake_server import ALICE, BORIS, FakeTelegram, Sent, private_chat
from tests.e2e.discord import LaggyDiscord, answer, content

# A person reads the answer, then acts: about a second between two actions of one person.
PACE_S = 1.0
_TRANSLATOR = CatalogTranslator()


def texts(locale: str) -> Callable[[str], str]:
    """The bot's own `_` for `locale`, so tests find its words in either language."""
    return gettext_for(_TRANSLATOR, locale)


async def pause() -> None:
    """The time a person takes before their next action."""
    await asyncio.sleep(PACE_S)


async def eventually(check: Callable[[], bool], within: float, poll_s: float = 0.1) -> None:
    """Wait until `check()` holds; for conditions spanning both fakes (each has its own wait)."""
    async with asyncio.timeout(within):
        # Two fakes, two conditions: polling is the one wait that sees both.
        while not check():  # noqa: ASYNC110
            await asyncio.sleep(poll_s)


def button_data(sent: Sent, prefix: str) -> str:
    """The label of `sent`'s button whose callback data starts with `prefix` (any language)."""
    for candidate in sent.buttons:
        if str(candidate.get("callback_data", "")).startswith(prefix):
            return str(candidate["text"])
    raise AssertionError(f"no {prefix!r} button under {sent.text!r}: {sent.buttons!r}")


def telegram_copies(fake: FakeTelegram, chat_id: int, words: str) -> int:
    return sum(words in (s.text or "") for s in fake.in_chat(chat_id))


@dataclass
class Subscribers:
    """The chats subscribed to events on both platforms, and how to count what each got."""

    telegram: list[dict[str, Any]]
    # The server's announcement channel (/setup) and each DM subscriber's DM channel.
    discord_channels: list[int]

    @property
    def count(self) -> int:
        return len(self.telegram) + len(self.discord_channels)

    def copies(self, fake: FakeTelegram, discord: LaggyDiscord, words: str) -> dict[str, int]:
        """How many messages with `words` each subscriber chat got."""
        got = {f"telegram:{p['id']}": telegram_copies(fake, p["id"], words) for p in self.telegram}
        for channel in self.discord_channels:
            got[f"discord:{channel}"] = len(discord.posted(channel, words))
        return got


async def subscribe_everyone(fake: FakeTelegram, discord: LaggyDiscord) -> Subscribers:
    """Five chats subscribe to events, each person at human pace, all at the same time:

    on Telegram Alice (English) and Boris (Russian) with /subscribe events in their private
    chats; on Discord an admin sets the server up to announce events in #announcements in
    Russian (/setup), and Dana (English) and Дамир (Russian) send /subscribe events in their DMs.
    Each person first turns discreet mode off, so every copy carries the full text.
    """
    dana, damir = snowflake(), snowflake()
    dms = {dana: snowflake(), damir: snowflake()}

    async def on_telegram(person: dict[str, Any]) -> None:
        _ = texts(person["language_code"])
        await pause()
        # Full texts, whatever the language (a Russian chat is discreet until it chooses;
        # test_discreet.py follows discreet chats).
        await fake.say(private_chat(person), person, "/settings discreet off")
        await pause()
        [done] = await fake.say(private_chat(person), person, "/subscribe events")
        assert _("Done: you will get reminders about {topic}.").split("{")[0] in (done.text or "")

    async def server_admin() -> None:
        await pause()
        interaction = await discord.slash(
            "setup",
            {"topics": "events", "language": "ru"},
            admin=True,
            channel_options={"channel": "announcements"},
        )
        assert "#announcements" in content(await answer(discord, interaction))

    async def in_dm(person: int, locale: str) -> None:
        _ = texts(locale[:2])
        await pause()
        chosen = await discord.dm_slash(
            "settings",
            {"what": "discreet", "value": "off"},
            user_id=person,
            dm=dms[person],
            locale=locale,
        )
        await answer(discord, chosen)
        await pause()
        interaction = await discord.dm_slash(
            "subscribe", {"topic": "events"}, user_id=person, dm=dms[person], locale=locale
        )
        done = content(await answer(discord, interaction))
        assert _("Done: you will get reminders about {topic}.").split("{")[0] in done

    await asyncio.gather(
        on_telegram(ALICE),
        on_telegram(BORIS),
        server_admin(),
        in_dm(dana, "en-US"),
        in_dm(damir, "ru"),
    )
    return Subscribers(
        telegram=[ALICE, BORIS],
        discord_channels=[discord.guild.channels["announcements"], *dms.values()],
    )

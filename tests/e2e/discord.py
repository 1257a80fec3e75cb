"""The fake Discord as the end-to-end tests need it: slow like the real one, with an organizer,
and with people who each talk to the bot in their own DM.

Built on tests/adapters/discord/fake_server.py without changing it: a subclass adds the latency
(around its REST handler, the way a delaying middleware would) and the helpers below.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from aiohttp import web

from tests.adapters.discord.fake_payloads import JSON, snowflake
from tests.adapters.discord.fake_server import FakeDiscord, Interaction

EPHEMERAL = 64
# Discord's REST round trip from a server near its edge, roughly.
LATENCY = (0.05, 0.15)


class LaggyDiscord(FakeDiscord):
    """FakeDiscord whose REST calls each take `latency` seconds (None: at once), and which knows
    the campaign's organizer on Discord (`organizer_id`, not an admin of the server)."""

    def __init__(self) -> None:
        super().__init__()
        self.latency: tuple[float, float] | None = LATENCY
        self.organizer_id = snowflake()

    async def _rest(self, request: web.Request) -> web.StreamResponse:
        # The route was bound to this method when the app was built (FakeDiscord.start), so the
        # delay applies to every REST call, interaction callbacks and follow-ups included.
        if self.latency is not None:
            await asyncio.sleep(random.uniform(*self.latency))
        return await super()._rest(request)

    async def dm_slash(
        self, name: str, options: dict[str, str], *, user_id: int, dm: int, locale: str = "en-US"
    ) -> Interaction:
        """`user_id` uses a slash command in their own DM channel `dm` with the bot.

        FakeDiscord.slash puts every DM in one channel; subscribers need one each.
        """
        data: JSON = {
            "id": str(snowflake()),
            "name": name,
            "type": 1,
            "options": [{"type": 3, "name": k, "value": v} for k, v in options.items()],
        }
        return await self._interact(
            2,
            data,
            in_guild=False,
            admin=False,
            locale=locale,
            channel="general",
            user_id=user_id,
            dm_channel_id=dm,
        )

    def posted(self, channel_id: int, words: str) -> list[JSON]:
        """The bot's messages in a channel (or DM channel) that contain `words`."""
        return [m for m in self.channel_messages[channel_id] if words in (m.get("content") or "")]


async def answer(fake: FakeDiscord, interaction: Interaction, within: float = 10.0) -> JSON:
    """The message an interaction was answered with (after a deferral, its first follow-up)."""
    callback = await fake.wait_callback(interaction, within)
    if callback["type"] == 5:
        followups = await fake.wait_followups(interaction, within=within)
        first: JSON = followups[0]
        # The deferral said whether the answer is ephemeral; the follow-up carries it too.
        return {**first, "flags": first.get("flags", 0) | callback.get("data", {}).get("flags", 0)}
    assert callback["type"] == 4, callback
    data: JSON = callback["data"]
    return data


def button(message: JSON, label: str) -> str:
    """The custom id of the button whose label contains `label`."""
    for row in message.get("components", []):
        for component in row["components"]:
            if label in component.get("label", ""):
                return str(component["custom_id"])
    raise AssertionError(f"no {label!r} button in {message!r}")


def ephemeral(message: JSON) -> bool:
    return bool(int(message.get("flags") or 0) & EPHEMERAL)


def content(message: Any) -> str:
    return str(message.get("content") or "")


# The Answer button under a question, and the modal's custom id (bot.adapters.discord.forms).
ANSWER_PREFIX = "ally-answer"
ACTION_PREFIX = "ally:"


def buttons_of(message: JSON) -> list[JSON]:
    return [c for row in message.get("components", []) for c in row["components"]]


def answer_button(message: JSON) -> str:
    """The custom id of a question's ✍️ Answer button (there must be exactly one)."""
    [found] = [
        str(b["custom_id"])
        for b in buttons_of(message)
        if str(b.get("custom_id", "")).startswith(ANSWER_PREFIX)
    ]
    return found


def action_args(message: JSON, command: str) -> tuple[str, ...]:
    """The arguments an action button for `command` carries (`ally:ics e_1` -> ("e_1",))."""
    for candidate in buttons_of(message):
        words = str(candidate.get("custom_id", "")).removeprefix(ACTION_PREFIX).split()
        if str(candidate.get("custom_id", "")).startswith(ACTION_PREFIX) and words[:1] == [command]:
            return tuple(words[1:])
    raise AssertionError(f"no {command!r} button in {message!r}")


async def dm_press(
    fake: FakeDiscord, message: JSON, custom_id: str, *, user_id: int, dm: int, locale: str
) -> JSON:
    """`user_id` presses a button on a message in their DM `dm`: what they see next."""
    pressed = await fake.press(
        message, custom_id, in_guild=False, user_id=user_id, dm_channel_id=dm, locale=locale
    )
    return await answer(fake, pressed)


async def dm_form_answer(
    fake: FakeDiscord, question: JSON, text: str, *, user_id: int, dm: int, locale: str
) -> JSON:
    """`user_id` presses the question's ✍️ Answer button in their DM, gets the modal, types
    `text` in its one field and submits it: what they see next."""
    where: dict[str, Any] = {
        "in_guild": False,
        "user_id": user_id,
        "dm_channel_id": dm,
        "locale": locale,
    }
    press = await fake.press(question, answer_button(question), **where)
    await fake.wait_callback(press)
    modal = fake.modal(press)
    [row] = modal["components"]
    [field] = row["components"]
    submitted = await fake.submit_modal(modal["custom_id"], {field["custom_id"]: text}, **where)
    return await answer(fake, submitted)

"""Slash commands named in Russian for a Russian Discord client, read from what the fake
received; Discord sends the canonical (English) names back, and the core gets those. The names
are declared in the registry, which refuses names Discord would refuse."""

from __future__ import annotations

import re

import discord
import pytest

from bot.adapters.discord.commands import CoreTranslator, build_tree
from bot.adapters.discord.sync import commands_hash
from bot.core.commands import Arg, Command, Registry
from bot.core.messages import Reply, Request
from tests.adapters.discord.conftest import CYRILLIC, JSON, Bot, answer

# Discord's rule for command and option names.
NAME = re.compile(r"^[-_\w]{1,32}$")


def uploaded(bot: Bot) -> dict[str, JSON]:
    _, commands = bot.fake.command_puts[-1]
    return {c["name"]: c for c in commands}


async def test_a_russian_client_sees_every_command_and_option_named_in_russian(bot: Bot) -> None:
    commands = uploaded(bot)
    assert set(commands) == {c.name for c in bot.registry.visible()}
    russian = [c["name_localizations"]["ru"] for c in commands.values()]
    assert len(set(russian)) == len(russian)
    for name, command in commands.items():
        ru = command["name_localizations"]["ru"]
        assert NAME.match(ru) and ru == ru.lower() and set(ru) & CYRILLIC, name
        options = command.get("options", [])
        option_names = [o["name_localizations"]["ru"] for o in options]
        assert len(set(option_names)) == len(option_names), name
        for option in options:
            localized = option["name_localizations"]["ru"]
            assert NAME.match(localized) and set(localized) & CYRILLIC, (name, option["name"])
    assert commands["events"]["name_localizations"]["ru"] == "события"
    assert commands["subscribe"]["name_localizations"]["ru"] == "подписаться"
    # Other languages see the canonical names: none declared, none guessed.
    assert set(commands["events"]["name_localizations"]) == {"ru"}


async def test_choices_are_labelled_in_russian_and_keep_their_english_values(bot: Bot) -> None:
    [topic] = uploaded(bot)["subscribe"]["options"]
    values = [c["value"] for c in topic["choices"]]
    assert values == list(bot.registry.get("subscribe").args[0].choices)  # type: ignore[union-attr]
    for choice in topic["choices"]:
        assert set(choice["name_localizations"]["ru"]) & CYRILLIC, choice


async def test_a_command_used_from_a_russian_client_arrives_by_its_canonical_name(
    bot: Bot,
) -> None:
    seen: list[Request] = []

    async def recording(request: Request) -> Reply | None:
        seen.append(request)
        return await bot.core.dispatcher.dispatch(request)

    await bot.stop()
    await bot.start(recording)
    # What Discord sends when a Russian client picks /события когда:прошедшие.
    reply = await answer(bot.fake, await bot.fake.slash("events", {"when": "past"}, locale="ru"))
    assert seen[0].command == "events" and seen[0].args == ("past",)
    assert set(reply["content"].lower()) & CYRILLIC


async def test_a_changed_name_changes_the_hash_so_the_commands_are_synced_again(bot: Bot) -> None:
    async def digest(names: dict[str, dict[str, str]]) -> str:
        client = discord.Client(intents=discord.Intents.none())
        tree = build_tree(client, Registry(SPEC, names), _never)
        await tree.set_translator(CoreTranslator(bot.core.translator))
        return await commands_hash(tree)

    named = await digest({"ru": {"events": "события"}})
    assert named == await digest({"ru": {"events": "события"}})
    assert named != await digest({"ru": {"events": "мероприятия"}})
    assert named != await digest({"ru": {"events": "события", "events.when.past": "Прошлые"}})


async def _never(*args: object) -> None:
    raise AssertionError("no interaction arrives while hashing")


async def _silent(request: Request, deps: object) -> Reply:
    return Reply("")


SPEC = (Command("events", "Events", _silent, args=(Arg("when", "when", choices=("past",)),)),)


@pytest.mark.parametrize(
    ("names", "problem"),
    [
        ({"ru": {"evnts": "события"}}, "no such command"),
        ({"ru": {"events.whom": "кто"}}, "no such command or argument"),
        ({"ru": {"events.when.future": "будущие"}}, "no such choice"),
        ({"ru": {"events": "События"}}, "lowercase"),
        ({"ru": {"events": "два слова"}}, "lowercase"),
        ({"ru": {"events": "с" * 33}}, "lowercase"),
        ({"ru": {"events.when.past": ""}}, "1 to 100"),
    ],
)
def test_the_registry_refuses_names_discord_would_refuse(
    names: dict[str, dict[str, str]], problem: str
) -> None:
    with pytest.raises(ValueError, match=problem):
        Registry(SPEC, names)


def test_the_registry_refuses_two_commands_or_options_a_reader_sees_alike() -> None:
    other = Command("past", "Past", _silent, args=(Arg("when", "w"), Arg("where", "w")))
    with pytest.raises(ValueError, match="both"):
        Registry((*SPEC, other), {"ru": {"events": "past"}})
    with pytest.raises(ValueError, match="both"):
        Registry((*SPEC, other), {"ru": {"events": "прошлое", "past": "прошлое"}})
    with pytest.raises(ValueError, match="both"):
        Registry((*SPEC, other), {"ru": {"past.when": "где", "past.where": "где"}})
    named = Registry((*SPEC, other), {"ru": {"events": "события", "events.when.past": "Прошлые"}})
    assert named.localized("events") == {"ru": "события"}
    assert named.localized("past") == {}

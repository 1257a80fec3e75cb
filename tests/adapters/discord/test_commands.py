"""The slash commands the adapter registers with Discord, read from what the fake received: one
per visible registry command, translated, each argument's widget chosen by its declared kind."""

from __future__ import annotations

from bot.adapters.discord import sync_commands
from bot.core.commands import Arg, ArgKind, Command, Registry
from bot.core.messages import Reply, Request
from tests.adapters.discord.conftest import CYRILLIC, JSON, Bot, set_up

TEXT_OPTION = 3
CHANNEL_OPTION = 7
# Text and announcement channels: the two kinds a server posts announcements to.
TEXT_CHANNELS = [0, 5]


def registered(bot: Bot, command: str, option: str) -> JSON:
    """An option of a command as last uploaded to Discord."""
    _, commands = bot.fake.command_puts[-1]
    [found] = [c for c in commands if c["name"] == command]
    [wanted] = [o for o in found["options"] if o["name"] == option]
    return wanted


def widget(option: JSON) -> str:
    """What Discord shows for an option: a channel picker, fixed choices, suggestions or text."""
    if option["type"] == CHANNEL_OPTION:
        return "channel picker"
    if option.get("choices"):
        assert not option.get("autocomplete")  # Discord refuses both on one option
        return "choices"
    return "suggestions" if option.get("autocomplete") else "text"


async def suggested(bot: Bot, command: str, options: dict[str, str], focused: str) -> list[str]:
    """The values Discord would suggest while `focused` is typed, the others filled in."""
    interaction = await bot.fake.slash(command, options, autocomplete=focused)
    callback = await bot.fake.wait_callback(interaction)
    assert callback["type"] == 8
    return [choice["value"] for choice in callback["data"]["choices"]]


async def test_start_up_syncs_every_visible_command_with_russian_translations(bot: Bot) -> None:
    _, commands = bot.fake.command_puts[0]
    names = {c["name"] for c in commands}
    assert names == {c.name for c in bot.registry.visible()}
    assert "ics" not in names and "rsvp" not in names
    settings = next(c for c in commands if c["name"] == "settings")
    assert set(settings["description_localizations"]["ru"]) & CYRILLIC
    setup = next(c for c in commands if c["name"] == "setup")
    assert setup["default_member_permissions"] == 1 << 5  # Manage Server


async def test_a_restart_with_the_same_commands_does_not_sync_again(bot: Bot) -> None:
    assert len(bot.fake.command_puts) == 1
    await bot.restart()
    assert len(bot.fake.command_puts) == 1
    assert bot.fake.identify_count == 2


# ---- one widget per kind ------------------------------------------------------------------


async def test_a_channel_argument_is_a_text_channel_picker_whose_value_is_the_id(
    bot: Bot,
) -> None:
    option = registered(bot, "setup", "channel")
    assert widget(option) == "channel picker" and option["channel_types"] == TEXT_CHANNELS

    seen: list[Request] = []

    async def recording(request: Request) -> Reply | None:
        seen.append(request)
        return await bot.core.dispatcher.dispatch(request)

    await bot.stop()
    await bot.start(recording)
    await set_up(bot, "announcements")
    assert seen[0].args[1] == bot.channel("announcements").chat_id


async def test_a_choice_argument_offers_its_declared_choices(bot: Bot) -> None:
    option = registered(bot, "settings", "what")
    assert widget(option) == "choices"
    assert [c["value"] for c in option["choices"]] == [
        "timezone",
        "language",
        "quiet",
        "discreet",
        "deleteafter",
    ]


async def test_a_time_zone_argument_suggests_zones_while_typing(bot: Bot) -> None:
    for command in ("setup", "newevent"):
        assert widget(registered(bot, command, "timezone")) == "suggestions", command
    assert "Europe/Berlin" in await suggested(bot, "setup", {"timezone": "berl"}, "timezone")


async def test_a_language_argument_offers_the_bots_languages_by_their_own_names(
    bot: Bot,
) -> None:
    option = registered(bot, "setup", "language")
    assert widget(option) == "choices"
    assert [(c["name"], c["value"]) for c in option["choices"]] == [
        ("English", "en"),
        ("Русский", "ru"),
    ]


async def test_an_argument_whose_kind_another_names_is_suggested_by_that_value(
    bot: Bot,
) -> None:
    assert widget(registered(bot, "settings", "value")) == "suggestions"
    assert widget(registered(bot, "editevent", "value")) == "suggestions"

    def settings(what: str, value: str) -> dict[str, str]:
        return {"what": what, "value": value}

    assert "Europe/Berlin" in await suggested(
        bot, "settings", settings("timezone", "berl"), "value"
    )
    assert await suggested(bot, "settings", settings("language", "рус"), "value") == ["ru"]
    assert await suggested(bot, "settings", settings("quiet", "22"), "value") == []
    editing = {"event": "e_1", "field": "timezone", "value": "tokyo"}
    assert await suggested(bot, "editevent", editing, "value") == ["Asia/Tokyo"]
    assert await suggested(bot, "editevent", {**editing, "field": "title"}, "value") == []


async def test_widgets_follow_declared_kinds_never_argument_names(bot: Bot) -> None:
    misleading = Command(
        "kinds",
        "Arguments named like other kinds",
        _silent,
        args=(
            Arg("timezone", "plain text called timezone"),
            Arg("channel", "plain text called channel"),
            Arg("value", "plain text called value"),
            Arg("where", "a channel", kind=ArgKind.CHANNEL),
            Arg("clock", "a zone", kind=ArgKind.TIMEZONE),
            Arg("tongue", "a language", kind=ArgKind.LANGUAGE),
            Arg("pick", "named by another", choices=("clock", "timezone", "language", "text")),
            Arg("thing", "its kind named by pick", kind_from="pick"),
        ),
    )
    bot.registry = Registry([misleading])
    await bot.restart()

    _, [kinds] = bot.fake.command_puts[-1]
    widgets = {option["name"]: widget(option) for option in kinds["options"]}
    assert widgets == {
        "timezone": "text",
        "channel": "text",
        "value": "text",
        "where": "channel picker",
        "clock": "suggestions",
        "tongue": "choices",
        "pick": "choices",
        "thing": "suggestions",
    }
    assert [c["value"] for c in registered(bot, "kinds", "tongue")["choices"]] == ["en", "ru"]
    assert "Asia/Tokyo" in await suggested(bot, "kinds", {"clock": "tokyo"}, "clock")
    named = {"pick": "timezone", "thing": "tokyo"}
    assert await suggested(bot, "kinds", named, "thing") == ["Asia/Tokyo"]
    assert await suggested(bot, "kinds", {**named, "pick": "clock"}, "thing") == []
    assert await suggested(bot, "kinds", {"pick": "language", "thing": "en"}, "thing") == ["en"]
    assert await suggested(bot, "kinds", {"pick": "text", "thing": "x"}, "thing") == []


# ---- syncing ------------------------------------------------------------------------------


async def test_sync_to_one_server_uploads_there_and_a_global_sync_is_remembered(
    bot: Bot,
) -> None:
    fake, core = bot.fake, bot.core
    await bot.stop()
    count = await sync_commands(
        fake.token, bot.registry, core.translator, core.server_setups, guild_id=fake.guild.id
    )
    path, commands = fake.command_puts[-1]
    assert path == f"/applications/{fake.app_id}/guilds/{fake.guild.id}/commands"
    assert count == len(commands) == len(bot.registry.visible())

    bot.registry = Registry([*bot.registry, Command("extra", "A new command", _silent)])
    await bot.start()
    assert {c["name"] for c in fake.command_puts[-1][1]} >= {"extra"}  # changed set: synced
    await bot.stop()
    puts = len(fake.command_puts)
    await sync_commands(fake.token, bot.registry, core.translator, core.server_setups)
    await bot.start()
    assert len(fake.command_puts) == puts + 1  # the manual sync, and no second one at start


async def _silent(request: Request, deps: object) -> Reply:
    return Reply("ok")

"""Roles in the menus: each command declares its audience once, and /help, Telegram's command
menus and Discord's default permissions all read it, so supporters see supporters' commands."""

from __future__ import annotations

from typing import Any

from telegram import (
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)

from bot.adapters.discord.commands import default_permissions
from bot.adapters.telegram.menu import publish_menus
from bot.app import Core
from bot.core.commands import Audience
from bot.core.messages import Address, ChatKind
from handlers.registry import build_registry
from tests.support.chat import Say

ORGANIZERS_AND_ADMINS = {"newevent", "editevent", "cancelevent", "broadcast", "broadcasts", "setup"}


def listed(text: str) -> set[str]:
    """The commands /help lists, one a line as `/name — summary`."""
    return {line.split(" ", 1)[0][1:] for line in text.splitlines() if line.startswith("/")}


def test_each_command_declares_its_audience_from_the_flags_that_already_say_it() -> None:
    registry = build_registry()
    by_audience = {c.name: c.audience for c in registry}
    assert {n for n, a in by_audience.items() if a is Audience.ADMINS} >= ORGANIZERS_AND_ADMINS
    assert by_audience["approve"] is Audience.ORGANIZERS
    for name in ("events", "donate", "subscribe", "settings", "forget", "privacy"):
        assert by_audience[name] is Audience.EVERYONE, name


async def test_help_lists_organizer_commands_only_to_organizers_and_group_admins(
    say: Say,
) -> None:
    supporter = listed((await say("/help")).text)
    assert not supporter & ORGANIZERS_AND_ADMINS
    assert {"events", "subscribe", "forget"} <= supporter

    organizer = listed((await say("/help", user="organizer")).text)
    assert organizer >= ORGANIZERS_AND_ADMINS

    group_admin = listed((await say("/help", chat="g", kind=ChatKind.GROUP, admin=True)).text)
    assert group_admin >= ORGANIZERS_AND_ADMINS
    member = listed((await say("/help", chat="g", kind=ChatKind.GROUP)).text)
    assert not member & ORGANIZERS_AND_ADMINS


class RecordingBot:
    """What publish_menus asks Telegram: each scope's menu, by language."""

    def __init__(self) -> None:
        self.menus: dict[tuple[str, str | None], set[str]] = {}

    async def set_my_commands(self, commands: Any, *, scope: Any, language_code: Any) -> bool:
        key = type(scope).__name__ + (f":{scope.chat_id}" if hasattr(scope, "chat_id") else "")
        self.menus[(key, language_code)] = {c.command for c in commands}
        return True


async def test_telegram_menus_per_scope_follow_each_commands_audience(core: Core) -> None:
    bot = RecordingBot()
    organizers = [Address("telegram", "777")]
    await publish_menus(bot, core.registry, core.translator, organizers)  # type: ignore[arg-type]
    for language in (None, "ru"):
        everyone = bot.menus[(BotCommandScopeDefault.__name__, language)]
        admins = bot.menus[(BotCommandScopeAllChatAdministrators.__name__, language)]
        organizer = bot.menus[(f"{BotCommandScopeChat.__name__}:777", language)]
        assert not everyone & ORGANIZERS_AND_ADMINS
        assert {"events", "subscribe"} <= everyone
        assert admins >= ORGANIZERS_AND_ADMINS and everyone <= admins
        assert organizer >= ORGANIZERS_AND_ADMINS and admins <= organizer
        assert "approve" in organizer and "approve" not in admins


def test_discord_default_permissions_per_command() -> None:
    registry = build_registry()
    for command in registry.visible():
        permissions = default_permissions(command)
        if command.name in ORGANIZERS_AND_ADMINS:
            assert permissions is not None and permissions.manage_guild, command.name
        elif command.name in ("events", "donate", "help", "start", "petition", "remember"):
            assert permissions is None, command.name

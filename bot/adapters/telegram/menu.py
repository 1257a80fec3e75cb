"""The command menus Telegram shows, per language and by each command's audience: supporters'
commands for everyone, admin commands added for groups' admins, all of them for organizers."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from typing import Any

from telegram import (
    Bot,
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllChatAdministrators,
    BotCommandScopeChat,
    BotCommandScopeDefault,
)
from telegram.error import TelegramError

from bot.adapters.telegram.updates import chat_id_of
from bot.core.commands import Command, Registry
from bot.core.labels import shorten
from bot.core.messages import Address
from bot.core.ports import Translator

log = logging.getLogger(__name__)

# Telegram's limit for a command's description in the menu.
MAX_DESCRIPTION = 256


def menu(commands: Iterable[Command[Any]], translator: Translator, locale: str) -> list[BotCommand]:
    """The menu entries for `commands` in `locale`."""
    return [
        BotCommand(c.name, shorten(translator.gettext(locale, c.summary), MAX_DESCRIPTION))
        for c in commands
    ]


async def publish_menus(
    bot: Bot, registry: Registry[Any], translator: Translator, organizers: Collection[Address]
) -> None:
    """setMyCommands for everyone (English default, then each other language by language_code):
    supporters' commands by default, the admin commands added in groups for their admins, and
    every command in each organizer's private chat."""
    visible = registry.visible()
    public = [c for c in visible if c.shown_to(organizer=False, admin=False)]
    admins = [c for c in visible if c.shown_to(organizer=False, admin=True)]
    scopes: list[tuple[BotCommandScope, list[Command[Any]], str]] = []
    for locale in translator.locales:
        scopes.append((BotCommandScopeDefault(), public, locale))
        scopes += [(BotCommandScopeChat(chat_id_of(o)), visible, locale) for o in organizers]
    # Groups' admins get the admin commands added in their groups (Telegram shows them there).
    scopes += [(BotCommandScopeAllChatAdministrators(), admins, lo) for lo in translator.locales]
    for scope, commands, locale in scopes:
        try:
            await bot.set_my_commands(
                menu(commands, translator, locale),
                scope=scope,
                language_code=None if locale == "en" else locale,
            )
        except TelegramError as error:
            # Usually an organizer who has not opened a chat with the bot yet.
            log.warning("Telegram: a command menu was not published (%s)", type(error).__name__)

"""Keeping Discord's copy of our slash commands current without re-uploading it at every start.

Discord rate-limits command uploads and takes a while to show them everywhere, so the adapter
remembers a digest of what it last uploaded (per application) and uploads only a changed set.
`allybot discord sync` uploads on demand, to every server or, for testing, to one.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Protocol

import discord
from discord import app_commands

from bot.adapters.discord.api import PLATFORM, DiscordLoginError
from bot.adapters.discord.commands import CoreTranslator, build_tree
from bot.adapters.discord.logging import Redactor, install, uninstall
from bot.core.commands import Command, Registry
from bot.core.ports import Translator

log = logging.getLogger(__name__)


class CommandHashes(Protocol):
    """Where the digest of the last uploaded command set is kept (the adapter's own record)."""

    async def get_command_hash(self, platform: str, scope: str) -> str | None: ...

    async def set_command_hash(self, platform: str, scope: str, value: str) -> None: ...


def global_scope(application_id: int | None) -> str:
    """The hash's key: per application, so a new application (new token) gets its commands."""
    return f"global:{application_id}"


async def commands_hash(tree: app_commands.CommandTree[Any]) -> str:
    """A digest of exactly what a sync would upload, translations included."""
    translator = tree.translator
    payload = [
        await command.get_translated_payload(tree, translator)
        if translator
        else command.to_dict(tree)
        for command in tree.get_commands()
    ]
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(encoded).hexdigest()


async def sync_if_changed(
    tree: app_commands.CommandTree[Any], application_id: int | None, hashes: CommandHashes
) -> bool:
    """Upload the global command set only when its hash differs from the stored one."""
    digest = await commands_hash(tree)
    scope = global_scope(application_id)
    if await hashes.get_command_hash(PLATFORM, scope) == digest:
        return False
    await tree.sync()
    await hashes.set_command_hash(PLATFORM, scope, digest)
    log.info("synced %d slash commands with Discord", len(tree.get_commands()))
    return True


async def sync_commands(
    token: str,
    registry: Registry[Any],
    translator: Translator,
    hashes: CommandHashes,
    guild_id: int | None = None,
) -> int:
    """`allybot discord sync [--guild ID]`: upload the command set now; returns how many."""
    redactor = Redactor((token,))
    install(redactor)
    # Logged in over REST only (no gateway): the same tree the running bot builds, uploaded.
    client = discord.Client(intents=discord.Intents.none())
    tree = build_tree(client, registry, _never_called, translator.locales)
    try:
        await tree.set_translator(CoreTranslator(translator))
        try:
            await client.login(token)
        except discord.LoginFailure:
            raise DiscordLoginError("Discord rejected DISCORD_BOT_TOKEN") from None
        if guild_id is None:
            synced = await tree.sync()
            await hashes.set_command_hash(
                PLATFORM, global_scope(client.application_id), await commands_hash(tree)
            )
        else:
            guild = discord.Object(id=guild_id)
            tree.copy_global_to(guild=guild)
            synced = await tree.sync(guild=guild)
        return len(synced)
    finally:
        await client.close()
        uninstall(redactor)


async def _never_called(
    interaction: discord.Interaction[Any], command: Command[Any], values: dict[str, str]
) -> None:
    """Nobody is served during a manual sync: no gateway, so no interactions arrive."""

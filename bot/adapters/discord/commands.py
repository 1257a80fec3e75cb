"""Slash commands generated from the core registry, their translations, and the hash that says
whether Discord already has this exact command set."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import discord
from discord import app_commands
from discord.app_commands import Choice, TranslationContextLocation, locale_str

from bot.core.commands import Arg, Command, Registry
from bot.core.i18n import language_of
from bot.core.ports import Translator

MAX_DESCRIPTION = 100
MAX_CHOICES = 25
_OPTION_NAME = re.compile(r"^[-_\w]{1,32}$")

# (what the user typed so far, their locale, the other options' values) -> (value, label) pairs.
Suggest = Callable[[str, str | None, Mapping[str, str]], Sequence[tuple[str, str]]]
# Called for every slash command: the interaction, the core command, option values by arg name.
OnCommand = Callable[[discord.Interaction[Any], Command[Any], dict[str, str]], Awaitable[None]]

# Names of arguments that pick a channel: they become Discord channel pickers, the value is its id.
CHANNEL_ARGS = frozenset({"channel"})
TIMEZONE_CHOICES = frozenset({"timezone", "tz", "zone", "time-zone", "time_zone"})


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() | {"UTC"}))


def suggest_zones(
    current: str, locale: str | None, others: Mapping[str, str]
) -> list[tuple[str, str]]:
    """IANA zones containing what was typed (Europe/Berlin for 'berl')."""
    needle = current.strip().lower().replace(" ", "_")
    return [(zone, zone) for zone in _zones() if needle in zone.lower()][:MAX_CHOICES]


LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "ru": "Русский"}


def suggest_setting_value(
    current: str, locale: str | None, others: Mapping[str, str]
) -> list[tuple[str, str]]:
    """`/settings what:timezone value:...` gets zone suggestions, `what:language` the languages;
    other settings are free text."""
    what = others.get("what", "").lower()
    if what in TIMEZONE_CHOICES:
        return suggest_zones(current, locale, others)
    if what == "language":
        needle = current.strip().lower()
        return [
            (code, name)
            for code, name in LANGUAGE_NAMES.items()
            if needle in code or needle in name.lower()
        ]
    return []


DEFAULT_SUGGESTIONS: Mapping[str, Suggest] = {
    "timezone": suggest_zones,
    "value": suggest_setting_value,
}


class CoreTranslator(app_commands.Translator):
    """Discord's command translations from our gettext catalogs (Discord locale `ru` -> `ru`)."""

    def __init__(self, translator: Translator) -> None:
        self._translator = translator

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = language_of(locale.value) or ""
        if language == "en" or language not in self._translator.locales:
            return None
        msgid = string.extras.get("msgid", string.message)
        text = self._translator.gettext(language, msgid)
        if text == msgid:
            return None
        if context.location in (
            TranslationContextLocation.parameter_name,
            TranslationContextLocation.command_name,
            TranslationContextLocation.group_name,
        ):
            text = text.strip().lower().replace(" ", "_")
            return text if _OPTION_NAME.match(text) else None
        return text[:MAX_DESCRIPTION]


def _described(msgid: str) -> locale_str:
    return locale_str(msgid[:MAX_DESCRIPTION] or "…", msgid=msgid)


def _autocomplete(suggest: Suggest, names: Mapping[str, str]) -> Callable[..., Any]:
    async def complete(interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        others = {names.get(key, key): str(value) for key, value in interaction.namespace}
        locale = interaction.locale.value
        return [
            Choice(name=label[:MAX_DESCRIPTION], value=value[:MAX_DESCRIPTION])
            for value, label in suggest(current, locale, others)[:MAX_CHOICES]
        ]

    return complete


def slash_command(
    command: Command[Any], on_command: OnCommand, suggestions: Mapping[str, Suggest]
) -> app_commands.Command[Any, ..., Any]:
    """One registry command as a discord.py slash command with one string option per Arg."""
    idents = {f"arg{index}": arg for index, arg in enumerate(command.args)}
    names = {ident: arg.name for ident, arg in idents.items()}

    async def callback(interaction: discord.Interaction[Any], /, **values: Any) -> None:
        by_name = {}
        for ident, value in values.items():
            if value is None:
                continue
            by_name[names[ident]] = str(value.id) if hasattr(value, "id") else str(value)
        await on_command(interaction, command, by_name)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_ONLY, annotation=discord.Interaction
        )
    ]
    choices: dict[str, list[Choice[str]]] = {}
    completions: dict[str, Callable[..., Any]] = {}
    for ident, arg in idents.items():
        parameters.append(
            inspect.Parameter(
                ident,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=discord.TextChannel if arg.name in CHANNEL_ARGS else str,
                default=inspect.Parameter.empty if arg.required else None,
            )
        )
        if arg.choices:
            choices[ident] = [
                Choice(name=locale_str(c), value=c) for c in arg.choices[:MAX_CHOICES]
            ]
        elif arg.name in suggestions and arg.name not in CHANNEL_ARGS:
            completions[ident] = _autocomplete(suggestions[arg.name], names)
    # discord.py reads the option list from the callback's signature and these attributes.
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_rename__ = {  # type: ignore[attr-defined]
        ident: locale_str(arg.name) for ident, arg in idents.items()
    }
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        ident: _described(arg.description) for ident, arg in idents.items()
    }
    callback.__discord_app_commands_param_choices__ = choices  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_autocomplete__ = completions  # type: ignore[attr-defined]
    slash: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=command.name,
        description=_described(command.summary),
        callback=callback,
    )
    if command.organizer_only:
        # Hidden from ordinary members in servers; organizers use these in a DM with the bot.
        slash.default_permissions = discord.Permissions.none()
    elif command.changes_chat:
        slash.default_permissions = discord.Permissions(manage_guild=True)
    return slash


def build_tree(
    client: discord.Client,
    registry: Registry[Any],
    on_command: OnCommand,
    suggestions: Mapping[str, Suggest] = DEFAULT_SUGGESTIONS,
) -> app_commands.CommandTree[Any]:
    """A CommandTree with every visible registry command, usable in servers and the bot's DMs."""
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(
        client,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
    )
    for command in registry.visible():
        tree.add_command(slash_command(command, on_command, suggestions))
    return tree


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


def words_for(command: Command[Any], values: Mapping[str, str]) -> tuple[str, ...]:
    """Option values as the positional words the dispatcher expects.

    Discord lets people skip an optional option and fill a later one; the skipped one then
    becomes its first choice (the default) or an empty word, so later words keep their places.
    """
    words: list[str | None] = [values.get(arg.name) for arg in command.args]
    while words and words[-1] is None:
        words.pop()
    return tuple(
        _placeholder(arg) if word is None else word
        for arg, word in zip(command.args, words, strict=False)
    )


def _placeholder(arg: Arg) -> str:
    return arg.choices[0] if arg.choices else ""

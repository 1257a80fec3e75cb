"""Slash commands generated from the core registry, and their translations.

Each argument's widget follows from its declared kind (`bot.core.commands.ArgKind`), never from
its name: a channel picker, fixed choices, or suggestions while typing.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import babel
import discord
from discord import app_commands
from discord.app_commands import Choice, TranslationContextLocation, locale_str

from bot.core.commands import Arg, ArgKind, Audience, Command, Registry
from bot.core.i18n import language_of
from bot.core.labels import shorten
from bot.core.ports import Translator
from bot.core.timezones import zones_containing

# Discord's cap on a command's and an option's description and on a choice's name.
MAX_DESCRIPTION = 100
MAX_CHOICES = 25

# Called for every slash command: the interaction, the core command, option values by arg name.
OnCommand = Callable[[discord.Interaction[Any], Command[Any], dict[str, str]], Awaitable[None]]


@cache
def language_name(code: str) -> str:
    """A language by its own name ('ru' -> 'Русский'), as people look for it in a list."""
    try:
        name = babel.Locale.parse(code).get_display_name(code)
    except (ValueError, TypeError, babel.UnknownLocaleError):
        return code
    return name[:1].upper() + name[1:] if name else code


def suggestions(kind: ArgKind, current: str, languages: Sequence[str]) -> list[tuple[str, str]]:
    """(value, label) pairs for what was typed so far into an argument of `kind`."""
    if kind is ArgKind.TIMEZONE:
        return [(zone, zone) for zone in zones_containing(current, MAX_CHOICES)]
    if kind is ArgKind.LANGUAGE:
        needle = current.strip().lower()
        return [
            (code, language_name(code))
            for code in languages
            if needle in code or needle in language_name(code).lower()
        ][:MAX_CHOICES]
    return []


@dataclass(frozen=True, slots=True)
class Option:
    """How one argument shows in Discord: its option type, fixed choices, or suggestions."""

    annotation: type = str
    choices: list[Choice[str]] = field(default_factory=list)
    # Suggested while typing, from these values (the bot's languages for LANGUAGE).
    completes: bool = False
    languages: tuple[str, ...] = ()


def option_for(
    arg: Arg, languages: Sequence[str], labels: Callable[[str], Mapping[str, str]] | None = None
) -> Option:
    """The Discord option for an argument, chosen by its kind; `labels` gives a choice's
    declared labels by language (the registry's names for "<command>.<arg>.<choice>")."""
    if arg.kind_from:
        # Its kind depends on another option's value, known only while the command is typed.
        return Option(completes=True, languages=tuple(languages))
    if arg.kind is ArgKind.CHANNEL:
        return Option(annotation=discord.TextChannel)
    if arg.kind is ArgKind.CHOICE:
        return Option(
            choices=[
                Choice(name=_named(c, labels(c) if labels else {}), value=c) for c in arg.choices
            ]
        )
    if arg.kind is ArgKind.LANGUAGE:
        codes = arg.choices or tuple(languages)
        if len(codes) > MAX_CHOICES:
            return Option(completes=True, languages=codes)
        # Named in their own language (not translated): that is how readers find theirs.
        return Option(choices=[Choice(name=language_name(c), value=c) for c in codes])
    if arg.kind is ArgKind.TIMEZONE:
        return Option(completes=True)
    return Option()


def _named(name: str, names: Mapping[str, str]) -> locale_str:
    """A command's, option's or choice's name carrying its declared names by language."""
    return locale_str(name, names=dict(names))


class CoreTranslator(app_commands.Translator):
    """Discord's command translations (Discord locale `ru` -> `ru`): names as the registry
    declares them (never guessed from prose), descriptions from our gettext catalogs."""

    def __init__(self, translator: Translator) -> None:
        self._translator = translator

    async def translate(
        self,
        string: locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        language = language_of(locale.value) or ""
        names: Mapping[str, str] = string.extras.get("names", {})
        if language in names:
            return names[language]
        if context.location in (
            TranslationContextLocation.parameter_name,
            TranslationContextLocation.command_name,
            TranslationContextLocation.group_name,
        ):
            # An undeclared name stays as it is: Discord shows the canonical one.
            return None
        if language == "en" or language not in self._translator.locales:
            return None
        msgid = string.extras.get("msgid", string.message)
        text = self._translator.gettext(language, msgid)
        return None if text == msgid else shorten(text, MAX_DESCRIPTION)


def _undeclared(key: str) -> Mapping[str, str]:
    return {}


def _labels(
    names: Callable[[str], Mapping[str, str]], option: str
) -> Callable[[str], Mapping[str, str]]:
    """The declared labels of one option's choices, by choice value."""
    return lambda choice: names(f"{option}.{choice}")


def _described(msgid: str) -> locale_str:
    return locale_str(shorten(msgid, MAX_DESCRIPTION) or "…", msgid=msgid)


def _autocomplete(arg: Arg, languages: Sequence[str]) -> Callable[..., Any]:
    async def complete(interaction: discord.Interaction[Any], current: str) -> list[Choice[str]]:
        # Discord sends every option typed so far by its (untranslated) name: the arg's name.
        typed = {str(name): str(value) for name, value in interaction.namespace}
        return [
            Choice(name=shorten(label, MAX_DESCRIPTION), value=value[:MAX_DESCRIPTION])
            for value, label in suggestions(arg.kind_given(typed), current, languages)
        ][:MAX_CHOICES]

    return complete


def _word(option: Option, value: Any) -> str:
    # A channel picker hands over the channel; the core wants its id.
    return str(value.id) if option.annotation is discord.TextChannel else str(value)


def slash_command(
    command: Command[Any],
    on_command: OnCommand,
    languages: Sequence[str],
    localized: Callable[[str], Mapping[str, str]] | None = None,
) -> app_commands.Command[Any, ..., Any]:
    """One registry command as a discord.py slash command with one option per Arg, named in
    other languages as `localized` (the registry's `localized`) declares. Discord still sends
    the canonical (English) names in interactions, so the dispatcher gets those."""
    names = localized or _undeclared
    idents = {f"arg{index}": arg for index, arg in enumerate(command.args)}
    options = {
        ident: option_for(arg, languages, _labels(names, f"{command.name}.{arg.name}"))
        for ident, arg in idents.items()
    }

    async def callback(interaction: discord.Interaction[Any], /, **values: Any) -> None:
        by_name = {
            idents[ident].name: _word(options[ident], value)
            for ident, value in values.items()
            if value is not None
        }
        await on_command(interaction, command, by_name)

    parameters = [
        inspect.Parameter(
            "interaction", inspect.Parameter.POSITIONAL_ONLY, annotation=discord.Interaction
        )
    ]
    for ident, arg in idents.items():
        parameters.append(
            inspect.Parameter(
                ident,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=options[ident].annotation,
                default=inspect.Parameter.empty if arg.required else None,
            )
        )
    # discord.py reads the option list from the callback's signature and these attributes.
    callback.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    callback.__discord_app_commands_param_rename__ = {  # type: ignore[attr-defined]
        ident: _named(arg.name, names(f"{command.name}.{arg.name}"))
        for ident, arg in idents.items()
    }
    callback.__discord_app_commands_param_description__ = {  # type: ignore[attr-defined]
        ident: _described(arg.description) for ident, arg in idents.items()
    }
    callback.__discord_app_commands_param_choices__ = {  # type: ignore[attr-defined]
        ident: option.choices[:MAX_CHOICES] for ident, option in options.items() if option.choices
    }
    callback.__discord_app_commands_param_autocomplete__ = {  # type: ignore[attr-defined]
        ident: _autocomplete(idents[ident], option.languages)
        for ident, option in options.items()
        if option.completes
    }
    slash: app_commands.Command[Any, ..., None] = app_commands.Command(
        name=_named(command.name, names(command.name)),
        description=_described(command.summary),
        callback=callback,
    )
    slash.default_permissions = default_permissions(command)
    return slash


def default_permissions(command: Command[Any]) -> discord.Permissions | None:
    """Who a server offers the command to by default (its admins may change that per role).

    Default permissions apply in servers only: in a DM with the bot every command is offered,
    and organizers who do not administer a server use theirs there (the core still checks).
    """
    if command.audience is Audience.ORGANIZERS:
        # No member of a server has "no permission" beyond its administrators: hidden there.
        return discord.Permissions.none()
    if command.audience is Audience.ADMINS or command.changes_chat:
        return discord.Permissions(manage_guild=True)
    return None


def build_tree(
    client: discord.Client,
    registry: Registry[Any],
    on_command: OnCommand,
    languages: Sequence[str] = ("en",),
) -> app_commands.CommandTree[Any]:
    """A CommandTree with every visible registry command, usable in servers and the bot's DMs.

    `languages` are the ones the bot speaks, offered wherever an argument is a language.
    """
    tree: app_commands.CommandTree[Any] = app_commands.CommandTree(
        client,
        allowed_contexts=app_commands.AppCommandContext(guild=True, dm_channel=True),
        allowed_installs=app_commands.AppInstallationType(guild=True, user=False),
    )
    for command in registry.visible():
        tree.add_command(slash_command(command, on_command, languages, registry.localized))
    return tree


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

"""The command registry every adapter reads, and the parsing of typed command lines."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from bot.core.choice_words import ChoiceWords
from bot.core.messages import Reply, Request

DepsT = TypeVar("DepsT")
Handler = Callable[[Request, DepsT], Awaitable[Reply]]
# An Arg is not generic in the handlers' dependencies (one Arg serves any registry), so its hooks
# take them as Any; each hook is declared next to the handler that knows their type.
ArgCheck = Callable[[Request, Any], Awaitable[str]]
ArgOffer = Callable[[Request, Any], Awaitable[tuple[tuple[str, str], ...]]]

# Telegram's limit for callback data; every action button must encode within it.
MAX_ACTION_BYTES = 64


class ArgKind(StrEnum):
    """What an argument holds, so each adapter picks its own widget (never by the arg's name)."""

    TEXT = "text"
    CHOICE = "choice"  # one of `Arg.choices`
    CHANNEL = "channel"  # a channel of this server; the value is its id
    TIMEZONE = "timezone"  # an IANA zone name
    LANGUAGE = "language"  # a language code the bot speaks


@dataclass(frozen=True, slots=True)
class Arg:
    """One positional argument. `description` is an English msgid that adapters translate."""

    name: str
    description: str
    choices: tuple[str, ...] = ()
    # TEXT unless given; CHOICE whenever `choices` are declared.
    kind: ArgKind = ArgKind.TEXT
    # The argument whose value names this one's kind (`/settings timezone <value>`): a value of
    # that argument that is an ArgKind's name makes this argument of that kind.
    kind_from: str = ""
    required: bool = False
    # The last argument may swallow the rest of the line (free text such as a time zone name).
    rest: bool = False
    # An English msgid asking for this argument; commands missing it ask, step by step, and take
    # the asker's next plain message as the answer (see bot.core.conversation).
    prompt: str = ""
    # Step-by-step forms check each answer as it is given, not only at the end: the dispatcher
    # runs `check` on an answer to `prompt` (from a typed message or a button) before asking the
    # next question. It raises UserError to refuse the answer (the same question is asked again,
    # every earlier answer kept) or returns a note to put before the next question ("Starts:
    # Saturday 5 December 2026, 19:00"), "" for none.
    check: ArgCheck | None = field(default=None, compare=False)
    # Values offered as buttons under `prompt`, as (label, value): pressing one answers the
    # question (the button repeats the command with the answers so far plus the value).
    offer: ArgOffer | None = field(default=None, compare=False)
    # The question instead of `prompt` when `offer` has nothing to offer, so a prompt never
    # points at buttons that are not there ("choose it below" under no buttons).
    prompt_when_none: str = ""

    def __post_init__(self) -> None:
        if self.choices and self.kind is ArgKind.TEXT:
            object.__setattr__(self, "kind", ArgKind.CHOICE)

    def kind_given(self, values: Mapping[str, str]) -> ArgKind:
        """This argument's kind once the others have the values in `values` (by name)."""
        if self.kind_from:
            named = values.get(self.kind_from, "").lower()
            if named in ArgKind.__members__.values():
                return ArgKind(named)
        return self.kind


class Audience(StrEnum):
    """Who a command is for, so /help and every platform's menus show each person theirs."""

    EVERYONE = "everyone"
    # A group's or server's admins, for their own chat (campaign organizers too, anywhere).
    ADMINS = "admins"
    # Campaign organizers only.
    ORGANIZERS = "organizers"


@dataclass(frozen=True, slots=True)
class Command(Generic[DepsT]):
    """A command: its name, an English msgid summary, its handler and how it takes arguments."""

    name: str
    summary: str
    handler: Handler[DepsT]
    args: tuple[Arg, ...] = ()
    organizer_only: bool = False
    # Replies concern only the asker (settings, subscriptions, erasure): ephemeral where possible.
    private: bool = False
    # Reached through buttons only; not published in command menus.
    hidden: bool = False
    # Changes what the chat receives: in a group or server, only its admins may use it.
    changes_chat: bool = False
    # The handler itself decides by whether the asker administers the chat (organizers may use it
    # anywhere, admins for their own group): adapters must find out, as for `changes_chat`.
    asks_admin: bool = False
    # Only campaign organizers (anywhere) or a group's admins (in their own group) may use it:
    # the dispatcher refuses everyone else before any question is asked or any draft remembered,
    # and the handler still checks the details (what, where) itself.
    organizers_or_admins: bool = False
    # Who it is for: EVERYONE unless given; ORGANIZERS whenever `organizer_only`, ADMINS whenever
    # `organizers_or_admins` (the flags that already say it).
    audience: Audience = Audience.EVERYONE

    def __post_init__(self) -> None:
        if self.organizer_only:
            object.__setattr__(self, "audience", Audience.ORGANIZERS)
        elif self.organizers_or_admins and self.audience is Audience.EVERYONE:
            object.__setattr__(self, "audience", Audience.ADMINS)

    def shown_to(self, *, organizer: bool, admin: bool) -> bool:
        """Whether /help and the menus offer it to an organizer, a chat's admin, or neither."""
        if self.audience is Audience.ORGANIZERS:
            return organizer
        if self.audience is Audience.ADMINS:
            return organizer or admin
        return True

    @property
    def needs_admin_status(self) -> bool:
        """Whether an adapter must tell the dispatcher if the asker administers the chat."""
        return self.changes_chat or self.asks_admin or self.organizers_or_admins


class Registry(Generic[DepsT]):
    """The one list of commands, in menu order, with their names in other languages.

    `names` maps a language to the localized name of a command (`"events"`), of one of its
    arguments (`"events.when"`) or the label of one of an argument's choices
    (`"events.when.past"`). Names are identifiers, declared rather than translated, and must
    follow the strictest rules a platform sets for them (see `check_names`).

    A choice may be typed as its value, as any of its labels or as one of its `aliases` (same
    keys as the labels, by language: the short one-word forms people type), in any language
    and letter case; the dispatcher hands the handler the value (see bot.core.choice_words).
    """

    def __init__(
        self,
        commands: Iterable[Command[DepsT]],
        names: Mapping[str, Mapping[str, str]] | None = None,
        aliases: Mapping[str, Mapping[str, tuple[str, ...]]] | None = None,
    ) -> None:
        self._commands: dict[str, Command[DepsT]] = {}
        for command in commands:
            if command.name in self._commands:
                raise ValueError(f"command /{command.name} is registered twice")
            if any(arg.rest for arg in command.args[:-1]):
                raise ValueError(f"/{command.name}: only the last argument may take the rest")
            self._commands[command.name] = command
        self._names = {language: dict(table) for language, table in (names or {}).items()}
        check_names(self._commands, self._names)
        self._words = ChoiceWords(self._commands, self._names, aliases or {})

    def get(self, name: str) -> Command[DepsT] | None:
        return self._commands.get(name)

    def __iter__(self) -> Iterator[Command[DepsT]]:
        return iter(self._commands.values())

    def visible(self) -> list[Command[DepsT]]:
        return [c for c in self if not c.hidden]

    def names(self) -> list[str]:
        return list(self._commands)

    def localized(self, key: str) -> dict[str, str]:
        """The name (or choice label) for `key` by language: `"events"`, `"events.when"`,
        `"events.when.past"`; empty where none is declared."""
        return {language: table[key] for language, table in self._names.items() if key in table}

    def choice(self, command: str, arg: str, word: str) -> str | None:
        """The choice of `/command`'s `arg` that `word` names in any language, or None."""
        return self._words.choice(command, arg, word)

    def joined_labels(self, command: Command[DepsT], words: list[str]) -> list[str]:
        """Typed words with a choice's label of several words ("тихие часы") made one word."""
        return self._words.joined(command, words)

    def typed_choices(self, command: Command[DepsT], arg: Arg, language: str | None) -> list[str]:
        """`arg`'s choices as a reader of `language` would type them (one word each)."""
        return self._words.typed(command.name, arg, language)

    def usage(self, command: Command[DepsT], language: str | None) -> str:
        """'/settings [пояс|язык|тишина] [значение]': `usage` in `language`."""
        table = self._names.get(language or "", {})
        return usage(
            command,
            lambda arg: self.typed_choices(command, arg, language),
            lambda arg: table.get(f"{command.name}.{arg.name}", arg.name),
        )


def split_command_line(text: str) -> tuple[str, tuple[str, ...]] | None:
    """'/events@allybot past' -> ('events', ('past',)); None when the text is not a command."""
    words = text.strip().split()
    if not words or not words[0].startswith("/") or len(words[0]) < 2:
        return None
    name = words[0][1:].split("@", 1)[0].lower()
    return name, tuple(words[1:])


def encode_action(command: str, args: tuple[str, ...]) -> str:
    """The text an action button carries back (Telegram callback data, Discord custom id)."""
    return " ".join((command, *args))


def decode_action(data: str) -> tuple[str, tuple[str, ...]] | None:
    words = data.split()
    if not words:
        return None
    return words[0].lower(), tuple(words[1:])


class UserError(Exception):
    """An expected problem; its text (already in the asker's language) becomes the reply."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def usage(
    command: Command[DepsT],
    choices: Callable[[Arg], Iterable[str]] | None = None,
    names: Callable[[Arg], str] | None = None,
) -> str:
    """'/settings <timezone|language|quiet> [value]' from the argument spec; `choices` and
    `names` give each argument's choices and name as shown (as declared unless given)."""
    parts = [f"/{command.name}"]
    for arg in command.args:
        name = names(arg) if names else arg.name
        shown = "|".join(choices(arg) if choices else arg.choices) if arg.choices else name
        parts.append(f"<{shown}>" if arg.required else f"[{shown}]")
    return " ".join(parts)


# A command's or argument's name in any language: Discord's rule (lowercase letters of any
# script, digits, "-" and "_", at most 32), the strictest of the platforms that localize names.
_LOCAL_NAME = re.compile(r"[-_\w]{1,32}")
MAX_CHOICE_LABEL = 100


def check_names(
    commands: Mapping[str, Command[DepsT]], names: Mapping[str, Mapping[str, str]]
) -> None:
    """Refuse localized names a platform would refuse, at start rather than at upload: unknown
    keys, malformed names, and two commands (or one command's two arguments) that a reader of
    that language would see under the same name (a name not localized shows as it is)."""
    for language, table in names.items():
        for key, name in table.items():
            _check_name(commands, f"{language} name for {key!r}", key, name)
        _check_unique(language, {c: table.get(c, c) for c in commands})
        for command in commands.values():
            _check_unique(
                language,
                {a.name: table.get(f"{command.name}.{a.name}", a.name) for a in command.args},
                within=f"/{command.name}",
            )


def _check_name(commands: Mapping[str, Command[DepsT]], where: str, key: str, name: str) -> None:
    command_name, _, rest = key.partition(".")
    arg_name, _, choice = rest.partition(".")
    command = commands.get(command_name)
    arg = next((a for a in command.args if a.name == arg_name), None) if command else None
    if command is None or (arg_name and arg is None) or "." in choice:
        raise ValueError(f"{where}: no such command or argument")
    if choice:
        if arg is None or choice not in arg.choices:
            raise ValueError(f"{where}: no such choice")
        if not 1 <= len(name) <= MAX_CHOICE_LABEL:
            raise ValueError(f"{where}: a choice label has 1 to 100 characters")
    elif not _LOCAL_NAME.fullmatch(name) or name != name.lower():
        raise ValueError(f"{where}: use 1-32 lowercase letters, digits, - or _")


def _check_unique(language: str, shown: Mapping[str, str], within: str = "") -> None:
    seen: dict[str, str] = {}
    for key, name in shown.items():
        other = seen.setdefault(name, key)
        if other != key:
            raise ValueError(f"{language}: {other!r} and {key!r} {within} are both {name!r}")

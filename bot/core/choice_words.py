"""The words a person may type for an argument's choice, in every language the bot speaks.

A choice's value stays English (handlers compare it); what a person types may be that value, its
label in any language (the Registry's names, which Discord shows) or a declared alias (the short
forms people actually type: "пояс" for "часовой пояс"). Every word is accepted whatever the
chat's language: people mix, and a Russian speaker in an English chat still types Russian.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from bot.core.i18n import DEFAULT_LOCALE

if TYPE_CHECKING:
    from bot.core.commands import Arg, Command


# The most words a choice's label has ("день памяти"): longer runs are not tried as one label.
MAX_LABEL_WORDS = 3


def fold(word: str) -> str:
    """A typed word as compared: any letter case, ё as е (Russians often type е), no spaces
    around it."""
    return " ".join(word.casefold().replace("ё", "е").split())


class ChoiceWords:
    """Every choice's typed words, checked once at start: an unknown key or a word naming two
    choices of one argument is a declaration mistake, refused before anyone types it."""

    def __init__(
        self,
        commands: Mapping[str, Command[Any]],
        names: Mapping[str, Mapping[str, str]],
        aliases: Mapping[str, Mapping[str, tuple[str, ...]]],
    ) -> None:
        # (command, argument) -> folded word -> choice.
        self._lookup: dict[tuple[str, str], dict[str, str]] = {}
        # (command, argument, language) -> choice -> the one word shown for it.
        self._shown: dict[tuple[str, str, str], dict[str, str]] = {}
        keys: set[str] = set()
        for command in commands.values():
            for arg in command.args:
                keys.update(f"{command.name}.{arg.name}.{c}" for c in arg.choices)
                self._add(command.name, arg, names, aliases)
        for language, table in aliases.items():
            unknown = sorted(set(table) - keys)
            if unknown:
                raise ValueError(f"{language} aliases for {unknown[0]!r}: no such choice")

    def _add(
        self,
        command: str,
        arg: Arg,
        names: Mapping[str, Mapping[str, str]],
        aliases: Mapping[str, Mapping[str, tuple[str, ...]]],
    ) -> None:
        lookup = self._lookup.setdefault((command, arg.name), {})
        languages = sorted({*names, *aliases})
        for choice in arg.choices:
            words = [choice]
            for language in languages:
                key = f"{command}.{arg.name}.{choice}"
                local = [
                    names.get(language, {}).get(key, ""),
                    *aliases.get(language, {}).get(key, ()),
                ]
                local = [w for w in local if w.strip()]
                words += local
                # A label with a space ("часовой пояс") cannot be typed as one word: show the
                # first one-word form instead.
                one = next((w for w in local if len(w.split()) == 1), None)
                if one is not None and language != DEFAULT_LOCALE:
                    self._shown.setdefault((command, arg.name, language), {})[choice] = one
            for word in words:
                other = lookup.setdefault(fold(word), choice)
                if other != choice:
                    raise ValueError(
                        f"/{command} {arg.name}: {word!r} names both {other!r} and {choice!r}"
                    )

    def choice(self, command: str, arg: str, word: str) -> str | None:
        """The choice `word` names, in any language and letter case; None if it names none."""
        return self._lookup.get((command, arg), {}).get(fold(word))

    def joined(self, command: Command[Any], words: list[str]) -> list[str]:
        """`words` with a label of several words ("тихие часы", "день памяти") joined into one
        where the command takes a choice, so a label can be typed as it reads. The longest label
        wins: "тихие часы 22:00-08:00" is quiet hours and a value, not "тихие" and "часы ...".
        """
        words = list(words)
        for index, arg in enumerate(command.args):
            if index >= len(words) or not arg.choices:
                continue
            for end in range(min(index + MAX_LABEL_WORDS, len(words)), index + 1, -1):
                parts = words[index:end]
                # Discord fills options one by one: an empty one is no part of a label.
                if not all(part.strip() for part in parts):
                    continue
                joined = " ".join(parts)
                if self.choice(command.name, arg.name, joined):
                    words[index:end] = [joined]
                    break
        return words

    def typed(self, command: str, arg: Arg, language: str | None) -> list[str]:
        """Each of `arg`'s choices as a reader of `language` types it: its value in English (the
        values are English words) and wherever no one-word form is declared."""
        shown = self._shown.get((command, arg.name, language or ""), {})
        return [shown.get(choice, choice) for choice in arg.choices]

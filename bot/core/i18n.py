"""The small translation helpers every layer shares: marking msgids, matching a language, `_`."""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.core.ports import Translator

DEFAULT_LOCALE = "en"


def N_(message: str) -> str:
    """Mark an English msgid for `make translations`; it is translated where it is shown."""
    return message


def language_of(code: str | None) -> str | None:
    """'pt-BR', 'pt_BR' or 'PT' -> 'pt': catalogs are matched by language only."""
    if not code:
        return None
    return code.replace("_", "-").split("-", 1)[0].lower() or None


def supported_language(code: str | None, known: Collection[str]) -> str:
    """The language of `code` when a catalog speaks it, English otherwise."""
    language = language_of(code)
    return language if language is not None and language in known else DEFAULT_LOCALE


def gettext_for(translator: Translator, locale: str | None) -> Callable[[str], str]:
    """The `_` for one reader's language."""

    def translate(message: str) -> str:
        return translator.gettext(locale, message)

    return translate

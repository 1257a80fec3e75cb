"""The small translation helpers every layer shares: marking msgids, matching a language, `_`,
and `ngettext` for any text that shows a count."""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.core.ports import Translator

DEFAULT_LOCALE = "en"

# ngettext(singular, plural, n): the form of a counted text for `n` in the reader's language,
# still to be `.format`ted. English has two forms, Russian three (1 чат, 2 чата, 5 чатов): only
# the catalog's Plural-Forms rule knows which one `n` takes, so a count never picks its own noun.
Plural = Callable[[str, str, int], str]


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


def ngettext_for(translator: Translator, locale: str | None) -> Plural:
    """The `ngettext` for one reader's language. Call the result `ngettext` where it is used:
    `make translations` extracts `ngettext("…", "…", n)` calls by that name."""

    def translate(singular: str, plural: str, n: int) -> str:
        return translator.ngettext(locale, singular, plural, n)

    return translate


# How each language groups a number's digits (CLDR): 12,345 in English, 12 345 in Russian with a
# no-break space, so a number never breaks across lines. A language without a catalog reads
# English, and so its numbers.
DIGIT_GROUPS = {"en": ",", "ru": "\u00a0"}


def grouped(number: int, locale: str | None) -> str:
    """12345 -> '12,345' for English readers, '12 345' for Russian ones."""
    separator = DIGIT_GROUPS.get(language_of(locale) or DEFAULT_LOCALE, ",")
    return f"{number:,}".replace(",", separator)

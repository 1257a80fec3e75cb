"""Keywords as people type them, in every language the bot speaks, and their English values.

Handlers compare English values only. A choice of a declared argument is mapped by the
dispatcher (from the Registry's names and the `ALIASES` handlers.registry builds from these
tables); a keyword inside free text (`/settings quiet выкл`, `/setup ... темы:все`) is mapped
here by the handler that reads it. Every word is accepted whatever the chat's language.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.choice_words import fold
from bot.core.ports import TOPICS

# Each topic's Russian words: the first is its label on Discord (handlers.registry.NAMES), the
# rest the short forms people type (a label with a space cannot be one typed word).
TOPIC_WORDS_RU: dict[str, tuple[str, ...]] = {
    "events": ("события", "событие", "мероприятия"),
    "petitions": ("петиции", "петиция"),
    "remembrance": ("день памяти", "память", "день_памяти"),
    "appeals": ("срочные призывы", "призывы", "срочные", "призыв"),
}
ALL_RU = ("все", "всё")
# "Off" where a setting can be switched off (quiet hours, reminders, a server's announcements).
OFF_WORDS = ("off", "none", "выкл", "выключить", "отключить", "откл", "нет")
ON_WORDS = ("on", "yes", "вкл", "включить", "да")
DEFAULT_WORDS = ("default", "стандарт", "обычно", "по умолчанию")
LANGUAGE_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("en", "english", "английский", "англ"),
    "ru": ("ru", "russian", "русский", "рус"),
}


def is_one_of(word: str, words: Iterable[str]) -> bool:
    """Whether `word` is one of `words`, in any letter case, ё read as е."""
    folded = fold(word)
    return any(fold(w) == folded for w in words)


def topic_named(word: str) -> str | None:
    """The topic `word` names in English or Russian ("events", "события", "Память"), or None."""
    for topic in TOPICS:
        if is_one_of(word, (topic, *TOPIC_WORDS_RU[topic])):
            return topic
    return None


def typed_topic(topic: str, language: str | None) -> str:
    """How a reader of `language` types `topic`, for lists of what may be typed."""
    if language == "ru":
        return next(w for w in TOPIC_WORDS_RU[topic] if len(w.split()) == 1)
    return topic


def language_named(word: str) -> str | None:
    """The language code `word` names ("ru", "Русский", "english"), or None."""
    return next((c for c, words in LANGUAGE_WORDS.items() if is_one_of(word, words)), None)

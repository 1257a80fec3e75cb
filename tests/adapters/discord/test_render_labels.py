"""Discord's labels within its limits, shortened at a word: buttons 80, descriptions 100."""

from __future__ import annotations

import discord
from discord.app_commands import TranslationContext, TranslationContextLocation, locale_str
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.discord.commands import MAX_DESCRIPTION, CoreTranslator
from bot.adapters.discord.forms import MAX_PLACEHOLDER, placeholder
from bot.adapters.discord.render import MAX_LABEL_CHARS, ActionItem, build_view
from bot.core.i18n import gettext_for
from bot.core.messages import ActionButton, UrlButton
from content.i18n import CatalogTranslator
from handlers.events import event_buttons
from tests.adapters.labels import LONG_EVENT, TITLE, cut_at_a_word

WORDS = st.lists(st.text(alphabet="абвxyz0", min_size=1, max_size=14), min_size=1, max_size=40)


def labels(view: discord.ui.View | None) -> list[str]:
    assert view is not None
    return [str(getattr(item, "label", "")) for item in view.children]


def test_an_events_buttons_keep_whole_words_of_a_long_russian_title() -> None:
    buttons = tuple(event_buttons(LONG_EVENT, "ru", gettext_for(CatalogTranslator(), "ru")))
    shown = labels(build_view(buttons))
    assert shown[1] == "🙋 Я приду: Пикет солидарности с ЛГБТИ-людьми из Чечни на Всемирном…"
    assert (
        shown[2]
        == "Пикет солидарности с ЛГБТИ-людьми из Чечни на Всемирном экономическом форуме в…"
    )
    assert len(TITLE) > MAX_LABEL_CHARS
    for text, button in zip(shown, buttons, strict=True):
        assert cut_at_a_word(text, button.label, MAX_LABEL_CHARS), text


@given(WORDS)
def test_every_button_and_the_answer_button_fit_and_end_on_a_word(words: list[str]) -> None:
    label = " ".join(words)
    view = build_view(
        (ActionButton(label, "events"), UrlButton(label, "https://example.org")), (label, False)
    )
    for shown in labels(view):
        assert cut_at_a_word(shown, label, MAX_LABEL_CHARS), shown
    restored = ActionItem("events", label)
    assert cut_at_a_word(str(restored.item.label), label, MAX_LABEL_CHARS)


@given(WORDS)
def test_a_forms_placeholder_fits_and_ends_on_a_word(words: list[str]) -> None:
    question = " ".join(words)
    assert cut_at_a_word(placeholder(question), question, MAX_PLACEHOLDER)


class _Catalog:
    """A translation longer than Discord's description limit."""

    locales = ("en", "ru")

    def gettext(self, locale: str | None, message: str) -> str:
        return "Очень длинное описание команды " * 6 if locale == "ru" else message

    def ngettext(self, locale: str | None, singular: str, plural: str, n: int) -> str:
        return self.gettext(locale, singular if n == 1 else plural)


async def test_a_long_translated_description_is_shortened_at_a_word() -> None:
    context = TranslationContext(TranslationContextLocation.command_description, None)
    shown = await CoreTranslator(_Catalog()).translate(
        locale_str("Show upcoming events"), discord.Locale.russian, context
    )
    assert shown is not None
    assert cut_at_a_word(shown, "Очень длинное описание команды " * 6, MAX_DESCRIPTION)
    assert shown == "Очень длинное описание команды " * 3 + "Очень…"

"""Properties of what any text becomes on Telegram: shown literally, split without loss."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.telegram.render import (
    MAX_BUTTON_CHARS,
    WORD_JOINER,
    defuse_mentions,
    keyboard,
    split_text,
    to_html,
    utf16_len,
)
from bot.core.i18n import gettext_for
from bot.core.messages import ActionButton, UrlButton
from content.i18n import CatalogTranslator
from handlers.events import event_buttons
from tests.adapters.labels import LONG_EVENT, cut_at_a_word
from tests.adapters.telegram.fake_server import MENTION, render_html

# Words, spaces, line breaks, markup characters and characters outside the BMP (2 UTF-16 units).
pieces = st.sampled_from(
    ["word", " ", "\n", "<b>", "&amp;", "@everyone", "@", "a@b.c", "😀", "ы", "x" * 30]
)
texts = st.lists(pieces, max_size=200).map("".join) | st.text(max_size=400)


@given(texts)
def test_any_text_is_shown_exactly_as_written_and_pings_nobody(text: str) -> None:
    shown = render_html(to_html(text))
    assert shown.replace("@" + WORD_JOINER, "@") == text.replace("@" + WORD_JOINER, "@")
    assert MENTION.findall(shown) == []


def test_email_addresses_are_left_alone_and_mentions_defused() -> None:
    assert defuse_mentions("write to info@example.org") == "write to info@example.org"
    assert defuse_mentions("(@alice, @bob)") == f"(@{WORD_JOINER}alice, @{WORD_JOINER}bob)"


@given(texts, st.integers(min_value=2, max_value=120))
def test_split_parts_fit_and_lose_only_whitespace_at_the_cuts(text: str, limit: int) -> None:
    parts = split_text(text, limit)
    assert all(part and part == part.strip() for part in parts)
    assert all(utf16_len(part) <= limit for part in parts)
    assert "".join("".join(parts).split()) == "".join(text.split())


@given(st.lists(st.sampled_from(["word", "longer-word"]), min_size=1, max_size=300))
def test_split_never_cuts_a_word_that_fits(words: list[str]) -> None:
    parts = split_text(" ".join(words), 50)
    assert [w for part in parts for w in part.split(" ")] == words


def test_a_paragraph_break_is_preferred_to_a_space() -> None:
    first, second = "a" * 30, "b " * 20
    assert split_text(f"{first}\n{second}", 50) == [first, second.strip()]


def test_keyboard_has_one_button_per_row_in_order() -> None:
    markup = keyboard((UrlButton("Fund", "https://example.org"), ActionButton("Go", "events")))
    assert markup is not None
    rows = markup.inline_keyboard
    assert [[b.text for b in row] for row in rows] == [["Fund"], ["Go"]]
    assert rows[0][0].url == "https://example.org" and rows[1][0].callback_data == "events"
    assert keyboard(()) is None


def test_an_event_button_with_a_long_title_is_cut_at_a_word() -> None:
    buttons = tuple(event_buttons(LONG_EVENT, "ru", gettext_for(CatalogTranslator(), "ru")))
    markup = keyboard(buttons)
    assert markup is not None
    shown = [row[0].text for row in markup.inline_keyboard]
    assert shown[1] == "🙋 Я приду: Пикет солидарности с ЛГБТИ-людьми из Чечни на…"
    for text, button in zip(shown, buttons, strict=True):
        assert cut_at_a_word(text, button.label, MAX_BUTTON_CHARS), text


@given(st.lists(st.text(alphabet="абвxyz!:", min_size=1, max_size=12), min_size=1, max_size=30))
def test_any_button_label_fits_and_is_cut_only_between_words(words: list[str]) -> None:
    label = " ".join(words)
    markup = keyboard((ActionButton(label, "events"), UrlButton(label, "https://example.org")))
    assert markup is not None
    for [button] in markup.inline_keyboard:
        if len(words[0]) < MAX_BUTTON_CHARS and words[0][-1].isalnum():
            assert cut_at_a_word(button.text, label, MAX_BUTTON_CHARS), button.text
        assert len(button.text) <= MAX_BUTTON_CHARS

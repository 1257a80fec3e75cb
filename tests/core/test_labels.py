"""Labels shortened to a platform's limit: never over it, never mid-word, visibly shortened."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.labels import ELLIPSIS, shorten

LETTERS = "abcxyzABCабвгдеёжзюяАБВЯ0123456789"
# Words as people write them: letters and digits, sometimes with punctuation attached.
WORD = st.builds(
    lambda core, tail: core + tail,
    st.text(alphabet=LETTERS, min_size=1, max_size=15),
    st.sampled_from(["", ",", ":", ".", "!", "»", "—"]),
)
LABEL = st.builds(
    lambda emoji, words: emoji + " ".join(words),
    st.sampled_from(["", "📅 ", "🙋 ", "✖ "]),
    st.lists(WORD, min_size=1, max_size=20),
)
LIMIT = st.integers(min_value=1, max_value=120)


@given(st.text(), LIMIT)
def test_never_over_the_limit_and_always_the_start_of_the_label(text: str, limit: int) -> None:
    short = shorten(text, limit)
    assert len(short) <= limit
    if len(text) <= limit:
        assert short == text
    else:
        assert short.endswith(ELLIPSIS)
        assert text.startswith(short[: -len(ELLIPSIS)])


@given(LABEL, LIMIT)
def test_a_shortened_label_ends_with_a_whole_word(label: str, limit: int) -> None:
    short = shorten(label, limit)
    if short == label:
        return
    kept = short[: -len(ELLIPSIS)]
    first_word = label.split()[0]
    if len(first_word) < limit:
        # Something fits whole, so the cut falls where a word ends, not inside one.
        assert kept, (label, limit)
        assert not label[len(kept)].isalnum(), (label, short)
        assert not kept[-1].isspace()


@given(LABEL, LIMIT)
def test_as_many_whole_words_as_fit_are_kept(label: str, limit: int) -> None:
    short = shorten(label, limit)
    if short == label or len(label.split()[0]) >= limit:
        return
    kept = short[: -len(ELLIPSIS)]
    # Where the word after the kept ones ends: with the "…" it would not have fit, unless it
    # was only punctuation left off before the "…".
    ends = [i for i, char in enumerate(label) if char.isspace() and i > len(kept)]
    next_end = ends[0] if ends else len(label)
    assert next_end + len(ELLIPSIS) > limit or set(label[len(kept) : next_end]) <= set(",:—")


def test_the_reported_label_keeps_its_last_whole_word() -> None:
    title = "Акция солидарности на Всемирном экономическом форуме в Давосе"
    label = "🙋 I'll be there: " + title
    assert shorten(label, 64) == "🙋 I'll be there: Акция солидарности на Всемирном экономическом…"
    assert shorten(label, 80) == label


def test_one_word_longer_than_the_limit_is_cut_inside() -> None:
    assert shorten("Donaudampfschifffahrtsgesellschaft", 10) == "Donaudamp…"


def test_punctuation_is_not_left_before_the_ellipsis() -> None:
    assert shorten("Sign: Amnesty's letter to the prosecutor", 10) == "Sign…"


def test_a_limit_too_small_for_the_ellipsis_is_refused() -> None:
    with pytest.raises(ValueError):
        shorten("anything", 0)

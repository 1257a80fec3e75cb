"""Properties of a Show button's callback data: what the bot sends comes back as sent, and
anything a forged or garbled press carries is refused without an exception."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.core.commands import decode_action, encode_action
from bot.core.discreet import APPROVAL, BROADCAST, REMINDER, SHOW, ShowTarget, parse_show
from bot.core.reminders.values import Kind

ids = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,30}", fullmatch=True)
numbers = st.integers(min_value=0, max_value=10**9).map(str)
targets = st.one_of(
    st.builds(ShowTarget, st.sampled_from((BROADCAST, APPROVAL)), numbers),
    st.builds(
        ShowTarget,
        st.just(REMINDER),
        ids,
        st.sampled_from([kind.value for kind in Kind]),
        st.integers(min_value=0, max_value=9_999_999),
    ),
)


@given(targets)
def test_a_sent_target_comes_back_as_sent(target: ShowTarget) -> None:
    decoded = decode_action(encode_action(SHOW, target.args()))
    assert decoded is not None and decoded[0] == SHOW
    assert parse_show(decoded[1]) == target


@given(st.lists(st.text(max_size=12), max_size=6))
def test_any_words_are_a_target_or_refused_never_an_error(words: list[str]) -> None:
    target = parse_show(tuple(words))
    if target is not None:
        assert target.what in (BROADCAST, APPROVAL, REMINDER)
        assert parse_show(target.args()) == target


@given(st.text(max_size=64))
def test_any_callback_data_is_handled(data: str) -> None:
    decoded = decode_action(data)
    if decoded is not None:
        parse_show(decoded[1])

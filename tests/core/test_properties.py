"""Whatever anybody types, every command answers with a reply, never an exception."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Core
from bot.core.commands import split_command_line
from bot.core.messages import Address, ChatKind, Request
from handlers.settings import parse_quiet_hours, resolve_zone

WORDS = st.text(min_size=1, max_size=40).filter(lambda w: w.strip() == w and " " not in w and w)
ARGS = st.lists(
    st.one_of(
        WORDS,
        st.sampled_from(
            [
                "past",
                "letter",
                "events",
                "all",
                "timezone",
                "language",
                "quiet",
                "confirm",
                "going",
                "ru",
                "off",
                "22:00-08:00",
                # The same keywords as Russian speakers type them.
                "прошедшие",
                "письмо",
                "события",
                "ВСЕ",
                "пояс",
                "тишина",
                "тихие",
                "часы",
                "выкл",
                "2д,3ч",
                "сейчас",
                "сюда",
            ]
        ),
    ),
    max_size=5,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    command=st.one_of(
        st.sampled_from(
            [
                "start",
                "help",
                "donate",
                "events",
                "petition",
                "remember",
                "subscribe",
                "unsubscribe",
                "settings",
                "forget",
                "ics",
                "rsvp",
            ]
        ),
        WORDS,
    ),
    args=ARGS,
    locale=st.one_of(st.none(), st.sampled_from(["en", "ru", "ru-RU", "pt_BR", "xx"]), WORDS),
    kind=st.sampled_from(list(ChatKind)),
    admin=st.booleans(),
)
async def test_any_input_to_any_command_gets_a_reply(
    core: Core, command: str, args: list[str], locale: str | None, kind: ChatKind, admin: bool
) -> None:
    request = Request(
        command.lower(), tuple(args), Address("console", "fuzz"), "fuzz", kind, locale, None, admin
    )
    reply = await core.dispatcher.dispatch(request)
    assert reply is not None
    assert reply.text.strip()
    assert not reply.text.startswith("Sorry, something went wrong"), reply.text


@given(st.text(max_size=200))
def test_command_lines_parse_or_are_ignored(text: str) -> None:
    parsed = split_command_line(text)
    if parsed is not None:
        name, args = parsed
        assert text.strip().startswith("/")
        assert all(a and not any(c.isspace() for c in a) for a in args)
        assert name == name.lower()


@given(st.text(max_size=60))
def test_quiet_hours_parse_or_raise_value_error(text: str) -> None:
    try:
        start, end = parse_quiet_hours(text)
    except ValueError:
        return
    assert start != end


@given(st.text(max_size=60))
def test_time_zone_lookup_returns_a_real_zone_or_none(text: str) -> None:
    from zoneinfo import ZoneInfo

    zone = resolve_zone(text)
    if zone is not None:
        ZoneInfo(zone)

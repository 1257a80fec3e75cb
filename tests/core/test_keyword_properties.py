"""Keywords and lead times as people type them, in English and Russian, any letter case."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Core
from bot.core.choice_words import fold
from bot.core.commands import Arg, Command, Registry, UserError
from bot.core.messages import Address, ChatKind, Reply, Request
from bot.core.ports import TOPICS
from handlers.registry import ALIASES, NAMES, build_registry
from handlers.reminders import parse_typed_leads

# Written here independently of handlers.reminders: the unit words people type, with minutes.
WEEK, DAY, HOUR = 7 * 24 * 60, 24 * 60, 60
UNIT_FORMS = {
    WEEK: ("w", "week", "weeks", "н", "нед", "неделя", "недели", "недель", "неделю"),
    DAY: ("d", "day", "days", "д", "день", "дня", "дней"),
    HOUR: ("h", "hour", "hours", "ч", "час", "часа", "часов"),
    1: ("m", "min", "minutes", "м", "мин", "минута", "минуты", "минут"),
}
FORMS = [(minutes, form) for minutes, forms in UNIT_FORMS.items() for form in forms]
SHOUTED = st.sampled_from([str.lower, str.upper, str.title])


def english(message: str) -> str:
    return message


@given(
    leads=st.lists(
        st.tuples(st.integers(1, 60), st.sampled_from(FORMS), st.sampled_from(["", " "])),
        min_size=1,
        max_size=5,
    ),
    case=SHOUTED,
    separator=st.sampled_from([",", ", ", " ", "; "]),
)
def test_every_number_with_every_unit_reads_in_both_languages(
    leads: list[tuple[int, tuple[int, str], str]], case: object, separator: str
) -> None:
    typed = separator.join(f"{n}{space}{form}" for n, (_, form), space in leads)
    typed = case(typed)  # type: ignore[operator]
    minutes = {n * unit for n, (unit, _), _space in leads}
    if all(5 <= m <= 4 * WEEK for m in minutes):
        assert parse_typed_leads(typed, english) == tuple(sorted(minutes, reverse=True))
    else:
        with pytest.raises(UserError, match="I could not read"):
            parse_typed_leads(typed, english)


@given(st.text(max_size=40))
def test_anything_typed_as_lead_times_reads_or_gets_the_friendly_error(typed: str) -> None:
    try:
        leads = parse_typed_leads(typed, english)
    except UserError as error:
        assert error.text.startswith("I could not read")
    else:
        assert len(leads) <= 5 and all(5 <= m <= 4 * WEEK for m in leads)


def every_typed_word() -> list[tuple[str, str, str, str]]:
    """(command, argument, choice, word) for each word that names a choice: the value, its
    labels and its aliases in every language."""
    found = []
    for command in build_registry():
        for arg in command.args:
            for choice in arg.choices:
                key = f"{command.name}.{arg.name}.{choice}"
                words = [choice, *(t[key] for t in NAMES.values() if key in t)]
                words += [w for table in ALIASES.values() for w in table.get(key, ())]
                found += [(command.name, arg.name, choice, w) for w in words]
    return found


TYPED = every_typed_word()
REGISTRY = build_registry()


def test_the_russian_words_people_asked_for_are_there() -> None:
    russian = {(c, a, w) for c, a, _, w in TYPED}
    for expected in [
        ("subscribe", "topic", "события"),
        ("unsubscribe", "topic", "все"),
        ("settings", "what", "пояс"),
        ("settings", "what", "язык"),
        ("settings", "what", "тишина"),
        ("settings", "what", "тихие"),
        ("events", "when", "прошедшие"),
        ("petition", "part", "письмо"),
        ("broadcast", "audience", "сюда"),
        ("setup", "action", "выкл"),
    ]:
        assert expected in russian


@given(
    typed=st.sampled_from(TYPED),
    cases=st.lists(st.booleans(), min_size=40, max_size=40),
    yo=st.booleans(),
    padding=st.sampled_from(["", " ", "  "]),
)
def test_every_word_of_every_choice_names_it_in_any_letter_case(
    typed: tuple[str, str, str, str], cases: list[bool], yo: bool, padding: str
) -> None:
    command, arg, choice, word = typed
    shouted = "".join(c.upper() if up else c for c, up in zip(word, cases, strict=False))
    shouted += word[len(cases) :]
    if yo:
        shouted = shouted.replace("е", "ё").replace("Е", "Ё")
    assert REGISTRY.choice(command, arg, padding + shouted + padding) == choice


def test_a_word_naming_two_choices_or_no_choice_is_refused_at_start() -> None:
    async def handler(request: Request, deps: object) -> Reply:
        return Reply("")

    commands = [Command("pick", "", handler, args=(Arg("x", "", choices=("a", "b")),))]
    with pytest.raises(ValueError, match="names both"):
        Registry(commands, aliases={"ru": {"pick.x.a": ("один",), "pick.x.b": ("Один",)}})
    with pytest.raises(ValueError, match="no such choice"):
        Registry(commands, aliases={"ru": {"pick.x.c": ("три",)}})


KNOWN = {fold(word) for command, arg, _, word in TYPED if (command, arg) == ("subscribe", "topic")}
TOPIC_WORDS = [(choice, word) for c, a, choice, word in TYPED if (c, a) == ("subscribe", "topic")]
TYPED_WORD = st.text(
    alphabet=st.characters(categories=["L", "N"]) | st.sampled_from("ёЁ-_"), min_size=1, max_size=20
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(typed=st.sampled_from(TOPIC_WORDS), case=SHOUTED, locale=st.sampled_from(["en", "ru"]))
async def test_a_topic_typed_any_way_subscribes_to_it_in_either_language(
    core: Core, typed: tuple[str, str], case: object, locale: str
) -> None:
    topic, word = typed
    chat = Address("console", "walker")
    await core.dispatcher.dispatch(request("unsubscribe", ("all",), locale))
    reply = await core.dispatcher.dispatch(
        request("subscribe", (*case(word).split(),), locale)  # type: ignore[operator]
    )
    assert reply is not None and "not one of" not in reply.text and "не подходит" not in reply.text
    prefs = await core.store.get_chat(chat)
    assert prefs is not None and prefs.topics == {topic}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(word=TYPED_WORD.filter(lambda w: fold(w) not in KNOWN), locale=st.sampled_from(["en", "ru"]))
async def test_any_other_word_gets_the_choices_in_the_chats_language(
    core: Core, word: str, locale: str
) -> None:
    reply = await core.dispatcher.dispatch(request("subscribe", (word,), locale))
    assert reply is not None
    listed = "события, петиции, память, призывы" if locale == "ru" else ", ".join(TOPICS)
    assert listed in reply.text
    assert await core.store.get_chat(Address("console", "walker")) is None


def request(command: str, args: tuple[str, ...], locale: str) -> Request:
    return Request(command, args, Address("console", "walker"), "walker", ChatKind.PRIVATE, locale)

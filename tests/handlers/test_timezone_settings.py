"""/settings timezone as people type it, in English and Russian: offsets, cities, typos."""

from __future__ import annotations

from bot.app import Core
from bot.core.messages import ActionButton, Address, Reply
from tests.handlers.test_event_listing import event, publish
from tests.support.chat import Say


def zone_buttons(reply: Reply) -> list[tuple[str, str]]:
    """(label, zone) of each button that sets a time zone."""
    return [
        (b.label, b.args[1])
        for b in reply.buttons
        if isinstance(b, ActionButton) and b.command == "settings" and b.args[0] == "timezone"
    ]


async def zone_of(core: Core, chat: str) -> str | None:
    prefs = await core.store.get_chat(Address("console", chat))
    return prefs.timezone if prefs else None


async def test_utc_plus_3_is_set_echoed_and_offers_the_cities_on_it(say: Say, core: Core) -> None:
    reply = await say("/settings timezone UTC+3", chat="en")
    assert "Time zone set to UTC+3 (Etc/GMT-3)." in reply.text
    assert "without daylight saving time" in reply.text
    assert "Places on UTC+3 now: Moscow, Istanbul" in reply.text
    assert zone_buttons(reply)[:2] == [
        ("Europe/Moscow", "Europe/Moscow"),
        ("Europe/Istanbul", "Europe/Istanbul"),
    ]
    assert await zone_of(core, "en") == "Etc/GMT-3"
    # The summary names it as it was typed: Etc/GMT-3 reads as minus three.
    summary = await say("/settings", chat="en")
    assert "Time zone: UTC+3" in summary.text and "GMT" not in summary.text
    # A city button is one press to the place's own rules.
    chosen = await say("/settings", "timezone", "Europe/Moscow", chat="en")
    assert "Time zone set to Europe/Moscow." in chosen.text and not zone_buttons(chosen)
    assert await zone_of(core, "en") == "Europe/Moscow"


async def test_utc_plus_3_in_russian_names_the_cities_in_russian(say: Say, core: Core) -> None:
    reply = await say("/settings timezone UTC+3", chat="ru", locale="ru")
    assert "Часовой пояс изменён на UTC+3 (Etc/GMT-3)." in reply.text
    assert "перехода на летнее время нет" in reply.text
    assert "Сейчас UTC+3 в таких местах: Москва, Стамбул" in reply.text
    assert zone_buttons(reply)[0] == ("Москва (Europe/Moscow)", "Europe/Moscow")
    assert await zone_of(core, "ru") == "Etc/GMT-3"


async def test_a_minus_offset_with_a_unicode_minus(say: Say, core: Core) -> None:
    reply = await say("/settings", "timezone", "GMT\u22125", chat="nyc")
    assert "Time zone set to UTC-5 (Etc/GMT+5)." in reply.text
    assert ("Europe/Moscow", "Europe/Moscow") not in zone_buttons(reply)
    assert zone_buttons(reply)[0] == ("America/New_York", "America/New_York")
    assert await zone_of(core, "nyc") == "Etc/GMT+5"


async def test_moscow_in_russian_is_europe_moscow(say: Say, core: Core) -> None:
    reply = await say("/settings timezone Москва", chat="ru", locale="ru")
    assert reply.text.startswith("Часовой пояс изменён на Москва (Europe/Moscow).")
    assert not zone_buttons(reply)  # a place follows its own clocks: nothing more to choose
    assert await zone_of(core, "ru") == "Europe/Moscow"
    english = await say("/settings timezone нью-йорк", chat="en")
    assert english.text.startswith("Time zone set to America/New_York.")


async def test_a_typo_offers_the_likely_zones_as_buttons_and_changes_nothing(
    say: Say, core: Core
) -> None:
    await say("/settings timezone Europe/Paris", chat="en")
    reply = await say("/settings timezone Berln", chat="en")
    assert "“Berln” is not a time zone I know. Did you mean one of these?" in reply.text
    assert zone_buttons(reply)[0] == ("Europe/Berlin", "Europe/Berlin")
    assert await zone_of(core, "en") == "Europe/Paris"
    russian = await say("/settings timezone Берлн", chat="ru", locale="ru")
    assert "Я не знаю часового пояса «Берлн»" in russian.text
    assert zone_buttons(russian)[0] == ("Берлин (Europe/Berlin)", "Europe/Berlin")


async def test_an_offset_with_minutes_asks_for_the_place(say: Say, core: Core) -> None:
    reply = await say("/settings timezone +05:30", chat="en")
    assert "No fixed time zone is UTC+5:30 all year. Choose the place you mean:" in reply.text
    assert [zone for _, zone in zone_buttons(reply)] == ["Asia/Kolkata", "Asia/Colombo"]
    assert await zone_of(core, "en") is None
    russian = await say("/settings timezone +05:30", chat="ru", locale="ru")
    assert "Нет часового пояса, в котором круглый год UTC+5:30" in russian.text
    assert zone_buttons(russian)[0] == ("Калькутта (Asia/Kolkata)", "Asia/Kolkata")


async def test_nonsense_says_what_to_write(say: Say) -> None:
    reply = await say("/settings timezone qwxzv", chat="en")
    assert "Write your city (Berlin, Москва)" in reply.text and "UTC+3" in reply.text
    assert not zone_buttons(reply)


async def test_event_times_show_in_an_offset_typed_by_the_reader(say: Say) -> None:
    """The echo says event times now show in the zone: they do (14:00 in London in December
    is 17:00 at UTC+3), named as the reader wrote it, not as Etc/GMT-3 (which reads as minus 3)."""
    await publish(say, event("Rally", "05"))
    await say("/settings timezone UTC+3", chat="reader")
    listing = await say("/events", chat="reader")
    assert "5 December 2026, 17:00–19:00 (UTC+3)" in listing.text, listing.text
    assert "Etc/GMT" not in listing.text


async def test_organizers_may_type_an_offset_or_a_russian_city_for_the_venue(say: Say) -> None:
    for zone, shown in (("UTC+3", "(UTC+3)"), ("Москва", "(Europe/Moscow)")):
        fields = ("Vigil", "2026-12-05 18:00", "20:00", zone, "Square", "Come.")
        preview = await say("/newevent", *fields, chat="organizer")
        # 18:00 at the venue, which is UTC+3 either way: 15:00 for the UTC organizer.
        assert f"local time: Saturday, 5 December 2026, 18:00–20:00 {shown}" in preview.text
        assert "15:00–17:00 (UTC)" in preview.text

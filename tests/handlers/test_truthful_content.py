"""/donate, /petition and /remember tell only what the sources support: history as history, the
date the links were checked, a safety note for donors in Russia, and petitions that disappear
once their last day has passed, in English and Russian."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import Core, build_core
from bot.core.messages import ShareButton, UrlButton
from bot.ratelimit import Unlimited
from bot.settings import Settings
from content.loader import FILES, default_content_dir
from tests.content.mistakes import edit
from tests.support.chat import Say, speaker
from tests.support.fakes import FixedClock


def links(reply_buttons: tuple[object, ...]) -> dict[str, str]:
    return {b.label: b.url for b in reply_buttons if isinstance(b, UrlButton)}


async def test_donate_says_the_links_come_from_the_sources_and_no_person_checked_them_yet(
    say: Say,
) -> None:
    # The packaged funds were written from the articles by people who could not open the live
    # pages: the bot says exactly that, never that anyone verified them.
    english = await say("/donate")
    assert "Links taken from the source articles on 1 December 2026" in english.text
    assert "has not yet opened them" in english.text
    assert "verified" not in english.text.lower() and "Links checked" not in english.text
    russian = await say("/donate", locale="ru")
    assert "Ссылки взяты из исходных статей 1 декабря 2026" in russian.text


async def test_donate_warns_donors_in_russia_in_both_languages(say: Say) -> None:
    english = await say("/donate")
    assert "If you are in Russia" in english.text
    assert '"LGBT movement" is prosecuted there' in english.text
    assert "Do not donate from a Russian card or account" in english.text
    russian = await say("/donate", locale="ru")
    assert "Если вы в России" in russian.text and "«ЛГБТ-движению»" in russian.text
    assert "Не переводите деньги с российской карты или счёта" in russian.text


async def test_donate_offers_only_open_funds_and_tells_the_old_appeals_as_history(
    say: Say,
) -> None:
    reply = await say("/donate")
    assert links(reply.buttons) == {
        "Russian LGBT Network": "https://lgbtnet.org/en/",
        "Rainbow Railroad": "https://www.rainbowrailroad.org/",
    }
    history = reply.text.split("What happened before (no longer open):")[1]
    assert "The Chechnya Crisis Appeal: The news site Gay Star News ran this appeal" in history
    assert "All Out's evacuation fund (2017): In 2017 All Out" in history
    assert "Crisis Appeal" not in reply.text.split("What happened before")[0]


async def test_russian_readers_get_the_networks_russian_page(say: Say) -> None:
    # A Russian chat is discreet until it chooses, and then names its links only when asked.
    reply = await say("/donate", "full", locale="ru")
    assert links(reply.buttons) == {
        "Российская ЛГБТ-сеть": "https://lgbtnet.org/",
        "Rainbow Railroad": "https://www.rainbowrailroad.org/",
    }
    assert "Что было раньше (уже не действует):" in reply.text


async def test_donate_offers_a_share_button_for_the_appeal(say: Say) -> None:
    for locale, label, message in (
        ("en", "📣 Share this appeal", "this bot shows where to give"),
        ("ru", "📣 Поделиться призывом", "этот бот подскажет"),
    ):
        reply = await say("/donate", locale=locale)
        [share] = [b for b in reply.buttons if isinstance(b, ShareButton)]
        assert share.label == label and share.tag == "appeal" and message in share.text


async def test_petition_does_not_offer_the_world_economic_forum_petition(say: Say) -> None:
    for locale, none_open, before in (
        ("en", "No petition is open to sign right now.", "What happened before"),
        ("ru", "Сейчас нет открытых петиций", "Что было раньше"),
    ):
        reply = await say("/petition", locale=locale)
        assert not any(label.startswith(("Sign", "Подписать")) for label in links(reply.buttons))
        assert "allout.org" not in " ".join(links(reply.buttons).values())
        assert none_open in reply.text
        now, history = reply.text.split(before)
        assert "World Economic Forum" not in now and "экономическому форуму" not in now
        assert "World Economic Forum" in history or "экономическому форуму" in history


async def test_remember_gives_the_days_reason_as_the_network_gave_it(say: Say) -> None:
    reply = await say("/remember")
    assert "established the Chechen LGBT Day of Remembrance in honour of that date" in reply.text
    assert "because" not in reply.text
    assert "With the first Day of Remembrance, a year after those first reports" in reply.text
    russian = await say("/remember", locale="ru")
    assert "учредила в честь этой даты" in russian.text
    assert "К первому Дню памяти" in russian.text


async def test_help_no_longer_calls_the_funds_verified(say: Say) -> None:
    assert "/donate — Funds to give to and what money does" in (await say("/help")).text
    assert "erified" not in (await say("/help")).text
    assert "Проверенные" not in (await say("/help", locale="ru")).text


# -- a petition with a last day, in a content folder of its own ---------------------------------

CLOCK_START = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


@pytest.fixture
async def closing(tmp_path: Path, settings: Settings, clock: FixedClock) -> AsyncIterator[Say]:
    """The packaged content, with one open petition whose last day is two days after now."""
    folder = tmp_path / "content"
    folder.mkdir()
    for name in FILES:
        shutil.copy(default_content_dir() / name, folder / name)
    last_day = (clock.now + timedelta(days=2)).date()
    edit(
        folder / "petitions.yaml",
        "petitions:\n",
        "petitions:\n"
        "  - id: open-letter\n"
        "    title: {en: An open letter, ru: Открытое письмо}\n"
        "    description: {en: Ask for asylum., ru: Попросите об убежище.}\n"
        "    url: https://example.org/open-letter\n"
        "    status: open\n"
        f"    closes: {last_day.isoformat()}\n"
        "    checked: 2026-11-20\n"
        "    checked_by: organizers\n"
        "    source: {title: T, publisher: P, seed: 002_a1af2d2e392ce3e8.txt}\n",
    )
    core: Core = await build_core(
        settings.model_copy(update={"content_dir": folder}), clock=clock, limiter=Unlimited()
    )
    yield speaker(core.dispatcher.dispatch, chat="alice")
    await core.aclose()


async def test_a_petition_disappears_once_its_last_day_has_passed(
    closing: Say, clock: FixedClock
) -> None:
    assert clock.now == CLOCK_START
    sign = {"Sign: An open letter": "https://example.org/open-letter"}
    assert links((await closing("/petition")).buttons) == sign
    clock.now += timedelta(days=2, hours=11)  # 23:00 UTC on its last day
    assert links((await closing("/petition")).buttons) == sign
    russian = await closing("/petition", locale="ru")
    assert "Открытое письмо" in russian.text
    clock.now += timedelta(hours=2)  # the day after, in UTC
    reply = await closing("/petition")
    assert links(reply.buttons) == {}
    assert "An open letter" not in reply.text
    assert "No petition is open to sign right now." in reply.text


async def test_the_last_day_is_the_askers_own(closing: Say, clock: FixedClock) -> None:
    await closing("/settings timezone America/New_York")
    # Its last day is 23 November; at 01:00 UTC on the 24th it is still 20:00 in New York.
    clock.now = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)
    assert "An open letter" in (await closing("/petition")).text
    await closing("/settings timezone Europe/Moscow")  # 04:00 the day after in Moscow
    assert "An open letter" not in (await closing("/petition")).text

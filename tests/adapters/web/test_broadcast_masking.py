"""The bot's answers shown in the Broadcasts pages: every count under 10 masked, ids and times
kept as the chat has them."""

from __future__ import annotations

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.web.pages.broadcast_view import masked_text
from bot.adapters.web.render import DASHBOARD
from content.i18n import CatalogTranslator


class Parts:
    translator = CatalogTranslator()


def request(lang: str = "en") -> web.Request:
    app = web.Application()
    app[DASHBOARD] = Parts()  # type: ignore[misc]
    return make_mocked_request("GET", f"/broadcasts?lang={lang}", app=app)


def test_counts_under_ten_are_masked_ids_and_times_kept() -> None:
    text = (
        "Broadcast #7 goes to 12 chats: Telegram: en 9, ru 3; Discord: en 0.\n"
        "When: 2026-12-01 08:05 MSK. /cancel 7 stops it; /approve 7 too."
    )
    assert masked_text(request(), text) == (
        "Broadcast #7 goes to 12 chats: Telegram: en fewer than 10, ru fewer than 10; "
        "Discord: en fewer than 10.\n"
        "When: 2026-12-01 08:05 MSK. /cancel 7 stops it; /approve 7 too."
    )


def test_in_russian() -> None:
    shown = masked_text(request("ru"), "Рассылка #4: отправлено 5, осталось 20")
    assert "#4" in shown and " 5" not in shown and "20" in shown


@given(st.integers(min_value=0, max_value=9), st.integers(min_value=10, max_value=99999))
def test_no_small_count_survives(small: int, large: int) -> None:
    text = f"#{small} {small} chats: sent {large}, gone {small}; failed {small}."
    shown = masked_text(request(), text)
    assert shown.startswith(f"#{small} fewer than 10 chats")
    assert shown.count("fewer than 10") == 3 and str(large) in shown

"""The delivery chart: no count under 10 is ever drawn to scale or written as a number."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from bot.adapters.web.pages.broadcast_chart import delivery_svg

FEWER = "fewer than 10"
KEYS = ("sent", "gone", "failed", "remaining")
counts = st.lists(st.integers(min_value=0, max_value=10**7), min_size=4, max_size=4)


def chart(values: list[int]) -> str:
    parts = [(key, key, n) for key, n in zip(KEYS, values, strict=True)]
    return str(delivery_svg(parts, "Delivery of broadcast #7", FEWER, uid="7"))


def numbers_shown(svg: str) -> list[int]:
    """Every number written in the chart's texts and titles (ids excluded: '#7')."""
    texts = re.findall(r">([^<>]+)<", svg)
    found = []
    for text in texts:
        for number in re.findall(r"(?<![#\d])\d[\d\u202f]*", text):
            found.append(int(number.replace("\u202f", "")))
    return found


@given(counts)
def test_no_count_under_ten_appears_as_a_number(values: list[int]) -> None:
    svg = chart(values)
    assert all(n >= 10 for n in numbers_shown(svg)), svg
    # Each masked count is a hatched stub labelled "fewer than 10", the others their number.
    assert svg.count("data-masked") == sum(n < 10 for n in values)
    assert svg.count(f'class="count">{FEWER}<') == sum(n < 10 for n in values)
    for n in values:
        if n >= 10:
            assert f"{n:,}".replace(",", "\u202f") in svg


@given(counts)
def test_a_masked_bar_has_the_same_stub_width_whatever_its_count(values: list[int]) -> None:
    """A bar's width never tells 0 from 9."""
    svg = chart(values)
    widths = re.findall(r'<rect [^>]*width="(\d+)"[^>]*data-masked', svg)
    assert set(widths) <= {"10"}


def test_bars_scale_to_the_largest_shown_count() -> None:
    svg = chart([400, 20, 3, 200])
    widths = [int(w) for w in re.findall(r'<rect x="\d+" y="\d+" width="(\d+)"', svg)]
    assert widths[0] > widths[3] > widths[1] > 0 and widths[2] == 10


def test_the_chart_has_a_title_and_escapes_its_labels() -> None:
    svg = str(delivery_svg([("sent", "<b>sent</b>", 12)], "Delivery & more", FEWER))
    assert "<title" in svg and "Delivery &amp; more" in svg
    assert "<b>" not in svg and "&lt;b&gt;" in svg

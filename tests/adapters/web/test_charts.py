"""The overview's charts and tables: every count under 10 masked, readable without colour."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.adapters.web.charts import LABEL, STUB, Bar, bar_chart
from bot.adapters.web.pages.overview import overview, page_values
from bot.adapters.web.render import DASHBOARD, ENVIRONMENT, count_text, environment, render
from bot.core.dashboard.access import Grant
from bot.core.dashboard.stats import WEEKLY, CampaignStats, SubscriberCount
from bot.core.messages import Address, ChatKind

SVG = "{http://www.w3.org/2000/svg}"
WEEKS = tuple(date(2026, 9, 7) + timedelta(weeks=n) for n in range(12))
counts = st.integers(min_value=0, max_value=200_000)
labels = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


class English:
    def gettext(self, locale: str | None, message: str) -> str:
        return message

    def ngettext(self, locale: str | None, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural


class Untouchable:
    async def campaign(self) -> None:
        raise AssertionError("a group's admin must not get campaign-wide counts")


class Parts:
    """The little of the Dashboard port these pages use."""

    def __init__(self) -> None:
        self.translator = English()
        self.parts = {"stats": Untouchable()}


def request() -> web.Request:
    app = web.Application()
    app[DASHBOARD] = Parts()  # type: ignore[assignment]
    app[ENVIRONMENT] = environment()
    return make_mocked_request("GET", "/", app=app)


def words(svg: str) -> list[str]:
    """Every text a reader (or a screen reader) gets from the chart."""
    root = ET.fromstring(svg)  # noqa: S314  (our own chart, not untrusted input)
    return [
        node.text or ""
        for node in root.iter()
        if node.tag in (f"{SVG}text", f"{SVG}title", f"{SVG}desc")
    ]


def small_numbers(text: str) -> list[int]:
    """The numbers under 10 in `text`, reading "1 000" (a narrow space between thousands) as
    one number, as a person does."""
    found = re.findall(r"(?<![\w.])\d+(?:\u202f\d{3})*(?![\w.])", text)
    return [int(n.replace("\u202f", "")) for n in found if int(n.replace("\u202f", "")) < 10]


def chart(bars: list[Bar]) -> str:
    req = request()
    return str(
        bar_chart("k", "Title", "Desc", bars, ("Week of", "Count"), lambda n: count_text(req, n))
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(labels, counts), min_size=0, max_size=15))
def test_no_count_under_ten_is_ever_a_number_in_a_chart(pairs: list[tuple[str, int]]) -> None:
    svg = chart([Bar(label, n) for label, n in pairs])
    said = [w for w in words(svg) if w not in {label for label, _ in pairs}]
    assert not small_numbers(" ".join(said))
    # Each masked bar is a hatched stub labelled as the page labels it.
    masked = sum(n < 10 for _, n in pairs)
    assert svg.count('fill="url(#hatch-k)"') == masked
    assert said.count("fewer than 10") == masked


def test_bars_are_to_scale_with_their_value_written_after_them() -> None:
    svg = chart([Bar("rallies", 1000), Bar("news", 500), Bar("vigils", 3)])
    bars = re.findall(rf'<rect x="{LABEL}"[^>]* width="([\d.]+)"', svg)
    widths = [float(w) for w in bars]
    assert widths[0] == 2 * widths[1] and widths[2] == STUB
    assert {"1\u202f000", "500", "fewer than 10", "rallies", "Week of", "Count"} <= set(words(svg))
    assert "style=" not in svg  # the CSP forbids style attributes


def campaign(subscribers: list[tuple[str, str, str | None, int]], weekly: list[int]) -> Any:
    return CampaignStats(
        subscribers=tuple(SubscriberCount(*cell) for cell in subscribers),
        weeks=WEEKS,
        weekly={what: tuple(weekly[i::4][:12] + [0] * 12)[:12] for i, what in enumerate(WEEKLY)},
        as_of=datetime(2026, 12, 2, 3, 4, 5, tzinfo=UTC),
    )


cells = st.lists(
    st.tuples(
        labels,
        st.sampled_from(["telegram", "discord"]),
        st.sampled_from(["en", "ru", None]),
        counts,
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(cells, st.lists(counts, min_size=48, max_size=48))
def test_no_count_under_ten_is_ever_a_number_on_the_page(
    subscribers: list[tuple[str, str, str | None, int]], weekly: list[int]
) -> None:
    req = request()
    body = render(req, "overview.html", page_values(req, campaign(subscribers, weekly))).text or ""
    shown = re.findall(r'<span class="count">([^<]*)</span>', body)
    assert shown and not any(small_numbers(text) for text in shown)
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", body)
    known = {topic for topic, *_ in subscribers} | {w.isoformat() for w in WEEKS}
    assert not small_numbers(" ".join(t for t in texts if t not in known))


def test_the_page_says_when_the_counts_were_read() -> None:
    req = request()
    body = render(req, "overview.html", page_values(req, campaign([], [0] * 48))).text or ""
    assert "Counts as of 03:04:05 UTC" in body
    assert "No subscribers yet." in body


async def test_a_groups_admin_sees_no_campaign_wide_count() -> None:
    group = Address("telegram", "-1007399990001")
    req = request()
    req["grant"] = Grant(Address("telegram", "7355501234"), group, ChatKind.GROUP, scope=group)
    response = await overview(req)
    body = response.text or ""  # type: ignore[attr-defined]
    assert "for organizers only" in body
    assert 'class="count"' not in body and "<svg" not in body

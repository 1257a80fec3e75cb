"""Bar charts drawn on the server as SVG: no script, no fonts fetched, readable without colour.

Each chart is horizontal bars, one per category, with the category at the left and the count
written after the bar. A count under 10 is never drawn to scale nor written as a number: it is a
short hatched stub labelled as the page labels it ("fewer than 10"), so no bar can single a person
out. Colours are presentation attributes (the CSP forbids style attributes); solid bars against a
hatched stub read apart in grey too. The page puts the same numbers in a table beside each chart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from bot.core.dashboard.masking import masked

WIDTH = 360
LABEL = 92  # the categories' column (an ISO date fits)
VALUE = 90  # room after the longest bar for its label ("fewer than 10")
FITS = 13  # characters of a category's name that fit in its column
ROW = 24
BAR = 16
TOP = 22  # the category axis's name
BOTTOM = 34  # the value axis and its name
STUB = 10  # a masked bar's width: the same whatever the count under 10
FONT = 'font-family="system-ui, sans-serif" font-size="12"'
INK = "#1b1b1f"
BAR_FILL = "#5b2a86"


@dataclass(frozen=True, slots=True)
class Bar:
    """One category and its count."""

    label: str
    count: int


def bar_chart(
    key: str,
    title: str,
    description: str,
    bars: Sequence[Bar],
    axes: tuple[str, str],
    text: Callable[[int], str],
) -> Markup:
    """An SVG of `bars` (`key` makes its pattern's id unique in the page); `axes` names the
    categories and the values; `text` writes a count as the page does (masking under 10)."""
    category_axis, value_axis = axes
    height = TOP + ROW * max(len(bars), 1) + BOTTOM
    span = WIDTH - LABEL - VALUE
    shown = [n for bar in bars if (n := masked(bar.count)) is not None]
    largest = max(shown, default=1)
    hatch = f"hatch-{escape(key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img"'
        f' aria-labelledby="{hatch}-t {hatch}-d" {FONT} fill="{INK}">',
        f'<title id="{hatch}-t">{escape(title)}</title>',
        f'<desc id="{hatch}-d">{escape(description)}</desc>',
        f'<defs><pattern id="{hatch}" width="4" height="4" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="4" height="4" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="4" stroke="{INK}" stroke-width="2"/></pattern></defs>',
        f'<text x="0" y="14" font-weight="600">{escape(category_axis)}</text>',
    ]
    for row, bar in enumerate(bars):
        y = TOP + row * ROW
        middle = y + ROW / 2 + 4
        # A long name is cut to fit its column; the table beside the chart has it whole.
        label = escape(bar.label if len(bar.label) <= FITS else bar.label[: FITS - 1] + "…")
        parts.append(f'<text x="{LABEL - 6}" y="{middle}" text-anchor="end">{label}</text>')
        value = masked(bar.count)
        if value is None:
            width = STUB
            fill = f'fill="url(#{hatch})" stroke="{INK}" stroke-width="1"'
        else:
            width = max(2, round(span * value / largest))
            fill = f'fill="{BAR_FILL}"'
        top = y + (ROW - BAR) / 2
        parts.append(f'<rect x="{LABEL}" y="{top}" width="{width}" height="{BAR}" {fill}/>')
        parts.append(f'<text x="{LABEL + width + 5}" y="{middle}">{escape(text(bar.count))}</text>')
    axis = TOP + ROW * max(len(bars), 1) + 2
    parts += [
        f'<line x1="{LABEL}" y1="{TOP}" x2="{LABEL}" y2="{axis}" stroke="{INK}"/>',
        f'<line x1="{LABEL}" y1="{axis}" x2="{WIDTH - VALUE}" y2="{axis}" stroke="{INK}"/>',
        f'<text x="{LABEL + span / 2}" y="{axis + 22}" text-anchor="middle"'
        f' font-weight="600">{escape(value_axis)}</text>',
        "</svg>",
    ]
    # Every text put in above went through escape(); the rest is our own markup.
    return Markup("".join(parts))  # noqa: S704

"""A broadcast's delivery as a small SVG bar chart: sent, gone, failed, remaining.

Drawn on the server, readable without colour (each bar is labelled with its name and its
count) and safe: a count under 10 is never drawn to scale nor written as a number; it is a
hatched stub labelled "fewer than 10". The same numbers sit in a table beside the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from bot.core.dashboard.masking import masked

WIDTH = 320
ROW = 26
LABEL_W = 90
BAR_X = LABEL_W + 6
BAR_MAX = WIDTH - BAR_X - 100
STUB = 10
# Fill patterns by bar, so the bars differ without colour too.
STYLES = {
    "sent": "#1d6b3a",
    "gone": "#5a5a66",
    "failed": "#a0122b",
    "remaining": "#9aa0b4",
}
HATCH = (
    '<pattern id="{id}" width="6" height="6" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
    '<line x1="0" y1="0" x2="0" y2="6" stroke="#5a5a66" stroke-width="3"/></pattern>'
)


def delivery_svg(
    parts: Sequence[tuple[str, str, int]],
    title: str,
    fewer: str,
    *,
    uid: str = "b",
) -> Markup:
    """An SVG of (key, label, count) bars; counts under 10 as hatched stubs named `fewer`.

    Bars are scaled to the largest shown count, so a masked count's size is never implied.
    """
    shown = [masked(n) for _, _, n in parts]
    largest = max((n for n in shown if n is not None), default=0)
    height = ROW * len(parts) + 8
    pattern = f"hatch-{uid}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="t-{uid}" class="delivery-chart">',
        f'<title id="t-{uid}">{escape(title)}</title>',
        f"<defs>{HATCH.format(id=pattern)}</defs>",
    ]
    for row, ((key, label, _count), value) in enumerate(zip(parts, shown, strict=True)):
        y = 4 + row * ROW
        out.append(
            f'<text x="{LABEL_W}" y="{y + 16}" text-anchor="end" font-size="13" '
            f'fill="#1b1b1f">{escape(label)}</text>'
        )
        if value is None:
            width, fill, text = STUB, f"url(#{pattern})", fewer
            data = ' data-masked="1"'
        else:
            width = max(1, round(BAR_MAX * value / largest)) if largest else 1
            fill, text, data = STYLES.get(key, "#5b2a86"), f"{value:,}".replace(",", "\u202f"), ""
        out.append(
            f'<rect x="{BAR_X}" y="{y + 3}" width="{width}" height="{ROW - 8}" fill="{fill}" '
            f'stroke="#1b1b1f" stroke-width="0.5" class="bar bar-{escape(key)}"{data}>'
            f"<title>{escape(label)}: {escape(text)}</title></rect>"
        )
        out.append(
            f'<text x="{BAR_X + width + 6}" y="{y + 16}" font-size="12" fill="#1b1b1f" '
            f'class="count">{escape(text)}</text>'
        )
    out.append("</svg>")
    # Every value above went through escape(); the rest is our own fixed markup.
    return Markup("".join(out))  # noqa: S704

"""Presentation stage, for :mod:`web.charts`: how wide a label is drawn, where a value label fits, and
the colours of heatmap cells.

Server-side SVG has no layout engine: the chart has to know how wide a text will be. Counting
characters cuts off wide labels ("Amsterdam-Amstelland" has two capitals and three m's), so
:func:`text_px` weighs each character by its width class in the sans-serif fonts browsers use,
erring on the wide side.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]  # x0, y0, x1, y1
Key = tuple[int, ...]

# Width per character as a share of the font size (DejaVu Sans and similar, rounded up).
_NARROW, _SEMI, _WIDE = set("ijlI.,:;'!|"), set("ftr-()[]/ "), set("mwMW")


def text_px(text: str, size: float = 13) -> float:
    """Estimated drawn width of ``text`` in pixels at font size ``size``."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.3
        elif char in _SEMI:
            em += 0.42
        elif char in _WIDE:
            em += 1.0
        elif char.isupper():
            em += 0.76
        else:
            em += 0.64
    return em * size


def fit_px(label: str, max_px: float) -> str:
    """As much of ``label`` as fits in ``max_px`` as drawn, with an ellipsis."""
    if text_px(label) <= max_px:
        return label
    cut = len(label)
    while cut > 1 and text_px(label[:cut] + "…") > max_px:
        cut -= 1
    return label[:cut] + "…"


def calendar_step(period: str, needed: int) -> int:
    """A step between period labels of at least ``needed`` that keeps to the calendar: every 1, 2 or 4
    quarters ("2019-K1", "2020-K1"), every 1, 2, 3, 6 or 12 months, else any step."""
    steps = (1, 2, 4, 8, 12) if "-K" in period else (1, 2, 3, 6, 12, 24) if len(period) == 7 else ()
    return next((step for step in steps if step >= needed), max(1, needed))


def _apart(a: Box, b: Box) -> bool:
    return a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]


def free_spots(wanted: Sequence[tuple[Key, Box]], obstacles: Sequence[Box]) -> list[Key]:
    """The keys of ``wanted`` boxes that can be drawn, taken in key order: a box overlapping an
    obstacle or a box already taken is left out."""
    taken: list[Box] = []
    keys: list[Key] = []
    for key, box in sorted(wanted, key=lambda item: item[0]):
        if all(_apart(box, other) for other in (*taken, *obstacles)):
            taken.append(box)
            keys.append(key)
    return keys


def _rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def mix(low: str, high: str, t: float) -> str:
    """The colour ``t`` of the way from ``low`` to ``high`` (both #rrggbb)."""
    return "#" + "".join(f"{round(a + (b - a) * t):02x}" for a, b in zip(_rgb(low), _rgb(high), strict=True))


def _luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in _rgb(colour))]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_on(fill: str, ink: str = "#1d2530", white: str = "#ffffff") -> str:
    """Ink, else white, else black: the first with WCAG AA contrast (4.5:1) on ``fill``. Mid blues pass with
    neither ink nor white, but every colour passes with white or black."""
    for colour in (ink, white):
        dark, light = sorted((_luminance(fill), _luminance(colour)))
        if (light + 0.05) / (dark + 0.05) >= 4.5:
            return colour
    return "#000000"

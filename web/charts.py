"""Presentation stage of the flow: charts for the Patronen dashboard and the verantwoordingsrapportage,
rendered as inline SVG on the server.

Each chart is one ``<svg>`` (no JavaScript, no external resources) with a ``<title>``, a Dutch ``<desc>``
summarising the numbers, a ``<title>`` tooltip per mark and the values printed as text. Caller text is
XML-escaped; drill-down links are restricted to same-site paths ("/..." or "?...").
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from web.chart_layout import Box, calendar_step, fit_px, free_spots, mix, text_on, text_px

__all__ = ["Bar", "Cell", "Point", "Series", "bar_chart", "format_count", "heatmap", "line_chart"]

INK, MUTED, LINE, ACCENT, WHITE = "#1d2530", "#56606d", "#d8dde3", "#0b5cad", "#ffffff"  # site palette
ZERO_FILL, HEAT_LOW, HEAT_HIGH = "#f1f3f5", "#eef4fb", "#0b3d75"  # heatmap: zero cells, sequential blues
FONT = "system-ui, sans-serif"
# (colour, dash attribute): colour plus dash so series stay distinguishable without colour vision.
DASHES = ((ACCENT, ""), ("#b34700", "6 3"), ("#1b7a4b", "2 3"), ("#7b3f8c", "8 3 2 3"), (MUTED, "4 4"))
SERIES_STYLES = [(colour, f' stroke-dasharray="{dash}"' if dash else "") for colour, dash in DASHES]
CHAR_PX = 7  # rough width of one character at font-size 13
PAD, ROW_H, BAR_H, CELL_H, MIN_CELL_W = 8, 28, 18, 34, 44  # layout, in pixels
MAX_COLUMN_CHARS = MAX_DESC_ITEMS = 30
HEATMAP_UNIT = "casussen"
SINGULAR = {"casussen": "casus", "cliënten": "cliënt", "meldingen": "melding", "knelpunten": "knelpunt"}
EMPTY = Markup('<p class="chart-empty">Geen gegevens voor deze selectie.</p>')

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str | None = None


@dataclass(frozen=True)
class Point:
    period: str
    value: int
    href: str | None = None


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[Point]


@dataclass(frozen=True)
class Cell:
    value: int
    href: str | None = None


def format_count(n: int) -> str:
    """An integer with Dutch thousands separators: 1234567 -> "1.234.567"."""
    return f"{n:,}".replace(",", ".")


def _num(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _quantity(n: int, unit: str) -> str:
    return f"{format_count(n)} {SINGULAR.get(unit, unit) if n == 1 else unit}".strip()


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise ValueError(message)


def _check_counts(items: Iterable[tuple[str, int]]) -> None:
    for what, value in items:
        _check(value >= 0, f"chart values must not be negative: {what!r} has {value}")


def _safe_href(href: str | None) -> str | None:
    """The href if it is a same-site link ("/path", "?query"), else None. "//host", "/\\host" and control
    characters are refused: browsers drop tabs and newlines before resolving, so "/\\t/host" is "//host"."""
    if not href or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in href):
        return None
    return href if href.startswith(("/", "?")) and not href.startswith(("//", "/\\")) else None


def _link(href: str | None, inner: str, label: str) -> str:
    safe = _safe_href(href)
    return inner if safe is None else f'<a href="{escape(safe)}" aria-label="{escape(label)}">{inner}</a>'


def _text(x: float, y: float, content: str, *, anchor: str = "start", extra: str = "", full: str = "") -> str:
    """A text element; ``full`` (the untruncated label) becomes its tooltip when it differs."""
    tip = f"<title>{escape(full)}</title>" if full and full != content else ""
    attrs = f'x="{_num(x)}" y="{_num(y)}" dy="0.35em" text-anchor="{anchor}"{extra}'
    return f"<text {attrs}>{tip}{escape(content)}</text>"


def _label_column(labels: Iterable[str], width: int) -> int:
    """Width of a column of labels: the widest label as drawn (not a count of characters, so
    "Amsterdam-Amstelland" is not cut off), capped at half the chart (so the longest blocker,
    "Grens Jeugdwet – passend onderwijs", and the longest team name fit whole)."""
    longest = max((text_px(label) for label in labels), default=0.0)
    cap = min(330, width // 2)
    return max(min(math.ceil(longest) + 2 * PAD, cap), 40)


def _listing(items: list[str]) -> str:
    shown = "; ".join(items[:MAX_DESC_ITEMS])
    rest = len(items) - MAX_DESC_ITEMS
    return f"{shown}; en nog {rest} meer." if rest > 0 else f"{shown}."


def _open_svg(kind: str, title: str, desc: str, size: tuple[int, int], payload: str, interactive: bool) -> str:
    """The ``<svg>`` start tag, title and desc, with ids unique within the process. Charts with links get
    role="group": children of an ARIA img are presentational, which would hide the links from screen readers."""
    digest = hashlib.blake2s(f"{title}\0{payload}".encode(), digest_size=4).hexdigest()
    base = f"chart-{kind}-{next(_ids)}-{digest}"
    width, height = size
    role = "group" if interactive else "img"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="{role}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{base}-title" aria-describedby="{base}-desc" '
        f'class="chart chart-{kind}" font-family="{FONT}" font-size="13" fill="{INK}">'
        f'<title id="{base}-title">{escape(title)}</title><desc id="{base}-desc">{escape(desc)}</desc>'
    )


def _nice_ticks(top: int) -> list[int]:
    """Round integer ticks from 0 to at least ``top``, about five steps."""
    magnitude = 1
    while True:
        for m in (1, 2, 5):
            step = m * magnitude
            if step * 5 >= top:
                count = max(1, math.ceil(top / step))
                return [i * step for i in range(count + 1)]
        magnitude *= 10


def bar_chart(bars: Sequence[Bar], *, title: str, unit: str = "casussen", width: int = 640) -> Markup:
    """Horizontal bars, one row per Bar, label left, value printed at the end of the bar."""
    _check(width >= 200, f"width must be at least 200 pixels, got {width}")
    _check_counts((bar.label, bar.value) for bar in bars)
    if not bars:
        return EMPTY
    top = max(bar.value for bar in bars)
    label_w = _label_column((bar.label for bar in bars), width)
    value_w = len(format_count(top)) * CHAR_PX + 2 * PAD
    plot_w = max(width - label_w - value_w, 40)
    height = len(bars) * ROW_H + 2 * PAD
    tips = [f"{bar.label}: {_quantity(bar.value, unit)}" for bar in bars]
    best = max(bars, key=lambda bar: bar.value)  # the first of equals
    summary = f"Hoogste waarde: {best.label}, {_quantity(top, unit)}." if top else "Alle waarden zijn 0."
    count = f"{len(bars)} {'categorie' if len(bars) == 1 else 'categorieën'}"
    desc = f"Staafdiagram met {count}. {summary} Waarden: {_listing(tips)}"
    interactive = any(_safe_href(bar.href) for bar in bars)
    payload = repr([(bar.label, bar.value) for bar in bars])
    parts = [_open_svg("bar", title, desc, (width, height), payload, interactive)]
    parts.append(f'<line x1="{label_w}" y1="{PAD}" x2="{label_w}" y2="{height - PAD}" stroke="{LINE}"/>')
    for i, (bar, tip) in enumerate(zip(bars, tips, strict=True)):
        y = PAD + i * ROW_H
        middle = y + ROW_H / 2
        bar_w = plot_w * bar.value / top if top else 0.0
        inner = (
            _text(label_w - PAD, middle, fit_px(bar.label, label_w - 2 * PAD), anchor="end", full=bar.label)
            + f'<rect class="bar" x="{label_w}" y="{_num(y + (ROW_H - BAR_H) / 2)}" width="{_num(bar_w)}" '
            f'height="{BAR_H}" fill="{ACCENT}"><title>{escape(tip)}</title></rect>'
            + _text(label_w + bar_w + 6, middle, format_count(bar.value), extra=' class="value"')
        )
        parts.append(f'<g class="bar-row">{_link(bar.href, inner, tip)}</g>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _merge_periods(series: Sequence[Series]) -> list[str]:
    """Union of the periods in first-seen order, keeping each series' own order: a period first seen in a later
    series goes before that series' next already-known period, so an earlier start does not land at the end."""
    order: list[str] = []
    for s in series:
        periods = [p.period for p in s.points]
        if len(set(periods)) != len(periods):
            raise ValueError(f"series {s.name!r} has a period more than once")
        for i, period in enumerate(periods):
            if period in order:
                continue
            later = next((q for q in periods[i + 1 :] if q in order), None)
            order.insert(order.index(later) if later is not None else len(order), period)
    return order


def line_chart(
    series: Sequence[Series], *, title: str, unit: str = "casussen", width: int = 640, height: int = 260
) -> Markup:
    """Periods on x, values on y (ticks at round integers from 0); a polyline per series, a circle per point
    (a link when it has a same-site href), a legend for 2+ series. Period labels and printed values are thinned
    when points are close (first label and last value always shown); every value stays in its circle's tooltip."""
    _check(width >= 200, f"width must be at least 200 pixels, got {width}")
    _check(height >= 120, f"height must be at least 120 pixels, got {height}")
    _check_counts((f"{s.name} {p.period}", p.value) for s in series for p in s.points)
    drawn = [s for s in series if s.points]
    if not drawn:
        return EMPTY
    periods = _merge_periods(drawn)
    index = {period: i for i, period in enumerate(periods)}
    n = len(periods)
    ticks = _nice_ticks(max(p.value for s in drawn for p in s.points))
    legend: list[tuple[float, float]] = []
    if len(drawn) > 1:
        x, y = float(PAD), float(PAD + 6)
        for s in drawn:
            item_w = text_px(s.name) + 40
            if x + item_w > width - PAD and x > PAD:
                x, y = float(PAD), y + 20
            legend.append((x, y))
            x += item_w
    top = (legend[-1][1] + 22 if legend else PAD) + 12
    label_px = max(len(p) for p in periods) * CHAR_PX + 8
    left = max(len(format_count(ticks[-1])) * CHAR_PX + 2 * PAD, label_px // 2 + 2)
    right = max(2 * PAD, label_px // 2 + 2)
    bottom = 30
    height = max(height, int(top) + bottom + 80)
    plot_w, plot_h = width - left - right, height - top - bottom
    slot = plot_w / (n - 1) if n > 1 else float(plot_w)
    label_step = calendar_step(periods[0], math.ceil(label_px / slot))
    value_step = max(1, math.ceil((len(format_count(ticks[-1])) * CHAR_PX + 4) / slot))
    if len(drawn) > 1 and n > 8:  # many periods, several lines: only the newest values are printed
        value_step = n

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(value: int) -> float:
        return top + plot_h - plot_h * value / ticks[-1]

    sentences = [f"Lijndiagram over {n} {'periode' if n == 1 else 'perioden'} ({periods[0]} t/m {periods[-1]})."]
    for s in drawn:
        first, last = s.points[0], s.points[-1]
        peak = max(s.points, key=lambda p: p.value)
        sentences.append(
            f"{s.name}: van {_quantity(first.value, unit)} in {first.period} naar {_quantity(last.value, unit)} "
            f"in {last.period}; hoogste {_quantity(peak.value, unit)} in {peak.period}."
        )
    interactive = any(_safe_href(p.href) for s in drawn for p in s.points)
    payload = repr([(s.name, [(p.period, p.value) for p in s.points]) for s in drawn])
    parts = [_open_svg("line", title, " ".join(sentences), (width, height), payload, interactive)]
    parts.append('<g class="y-axis">')
    for tick in ticks:
        y = py(tick)
        parts.append(f'<line x1="{left}" y1="{_num(y)}" x2="{width - right}" y2="{_num(y)}" stroke="{LINE}"/>')
        parts.append(_text(left - 6, y, format_count(tick), anchor="end", extra=f' fill="{MUTED}" font-size="12"'))
    parts.append('</g><g class="x-axis">')
    for i, period in enumerate(periods):
        if i % label_step == 0:
            extra = f' class="period" fill="{MUTED}" font-size="12"'
            parts.append(_text(px(i), height - bottom + 14, period, anchor="middle", extra=extra))
    parts.append("</g>")
    coords = [[(px(index[p.period]), py(p.value)) for p in s.points] for s in drawn]
    from_end = [[n - 1 - index[p.period] for p in s.points] for s in drawn]
    shown = _value_labels(drawn, coords, from_end, value_step)
    for number, s in enumerate(drawn):
        colour, dash_attr = SERIES_STYLES[number % len(SERIES_STYLES)]
        points_attr = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords[number])
        parts.append(f'<g class="series"><polyline points="{points_attr}" fill="none" stroke="{colour}"')
        parts.append(f' stroke-width="2" stroke-linejoin="round"{dash_attr}/>')
        for k, (p, (x, y)) in enumerate(zip(s.points, coords[number], strict=True)):
            tip = f"{s.name}, {p.period}: {_quantity(p.value, unit)}"
            circle = f'<circle class="point" cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{colour}" stroke="{WHITE}"'
            parts.append(_link(p.href, f'{circle} stroke-width="1.5"><title>{escape(tip)}</title></circle>', tip))
            if (number, k) in shown:
                extra = f' class="value" font-size="11" fill="{colour}"'
                parts.append(_text(x, y - 11, format_count(p.value), anchor="middle", extra=extra))
        parts.append("</g>")
    if legend:
        parts.append('<g class="legend">')
        for number, (s, (x, y)) in enumerate(zip(drawn, legend, strict=True)):
            colour, dash_attr = SERIES_STYLES[number % len(SERIES_STYLES)]
            parts.append(f'<line x1="{_num(x)}" y1="{_num(y)}" x2="{_num(x + 24)}" y2="{_num(y)}" stroke="{colour}"')
            parts.append(f' stroke-width="3"{dash_attr}/>' + _text(x + 30, y, s.name))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def _value_labels(
    drawn: Sequence[Series], coords: Sequence[Sequence[tuple[float, float]]], from_end: list[list[int]], step: int
) -> set[tuple[int, int]]:
    """(series, point) of the values printed above their points: every ``step``-th from the last, where
    the text overlaps no other value and no point (five lines over 28 quarters would collide); newest
    and first series first. Every value stays in its point's tooltip and in the table."""
    points: list[Box] = [(x - 5, y - 5, x + 5, y + 5) for line in coords for x, y in line]
    wanted: list[tuple[tuple[int, int, int], Box]] = []
    for number, s in enumerate(drawn):
        for k, (p, (x, y)) in enumerate(zip(s.points, coords[number], strict=True)):
            if from_end[number][k] % step == 0:
                half = len(format_count(p.value)) * CHAR_PX / 2 + 1
                wanted.append(((from_end[number][k], number, k), (x - half, y - 17, x + half, y - 5)))
    return {(number, k) for _, number, k in free_spots(wanted, points)}


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    cells: Mapping[tuple[str, str], Cell],
    *,
    title: str,
    row_title: str = "",
    column_title: str = "",
    width: int | None = None,
) -> Markup:
    """A matrix (the knelpuntenmatrix, law x law): a rect per (row, column), darker for more, zero in grey.

    Keys are (row, column); missing keys count as 0, keys outside ``rows``/``columns`` are ignored. Column
    labels are rotated when they do not fit. ``width`` spreads the cells over it (cells stay >= 16 px wide)."""
    if width is not None:
        _check(width >= 200, f"width must be at least 200 pixels, got {width}")
    _check_counts((f"{row} × {column}", cell.value) for (row, column), cell in cells.items())
    if not rows or not columns:
        return EMPTY
    grid = {(r, c): cells.get((r, c), Cell(0)) for r in rows for c in columns}
    top = max(cell.value for cell in grid.values())
    left = _label_column(list(rows) + [row_title], width or 640)
    col_labels = [c if len(c) <= MAX_COLUMN_CHARS else c[: MAX_COLUMN_CHARS - 1] + "…" for c in columns]
    col_px = max(len(label) for label in col_labels) * CHAR_PX
    ncols = len(columns)

    fixed_w = max(MIN_CELL_W, len(format_count(top)) * CHAR_PX + 12)
    rotate = col_px + 6 > (fixed_w if width is None else (width - left - PAD) / ncols)
    right = max(PAD, col_px * 0.71) if rotate else PAD  # rotated labels lean right, past the last column
    cell_w = fixed_w if width is None else max(16.0, (width - left - right) / ncols)
    header = (col_px * 0.71 + 14) if rotate else 26.0
    grid_top = PAD + header + (22 if column_title else 0)
    total_w = math.ceil(left + ncols * cell_w + right)
    total_h = math.ceil(grid_top + len(rows) * CELL_H + PAD)
    tips = {key: f"{key[0]} × {key[1]}: {_quantity(cell.value, HEATMAP_UNIT)}" for key, cell in grid.items()}
    filled = sorted((key for key, cell in grid.items() if cell.value), key=lambda k: -grid[k].value)
    sentences = [f"Matrix van {len(rows)} rijen bij {ncols} kolommen."]
    if row_title or column_title:
        sentences.append(f"Rijen: {row_title or '-'}; kolommen: {column_title or '-'}.")
    if filled:
        sentences.append(f"Hoogste waarde: {tips[filled[0]]}.")
        listing = _listing([tips[k] for k in filled])
        sentences.append(f"{len(filled)} van {len(grid)} cellen hebben casussen: {listing}")
    else:
        sentences.append("Alle cellen zijn 0.")
    interactive = any(_safe_href(cell.href) for cell in grid.values())
    payload = repr(sorted((k, v.value) for k, v in grid.items()))
    parts = [_open_svg("heatmap", title, " ".join(sentences), (total_w, total_h), payload, interactive)]
    if column_title:
        centre = left + ncols * cell_w / 2
        parts.append(_text(centre, PAD + 8, column_title, anchor="middle", extra=' font-weight="600"'))
    if row_title:
        bold = ' font-weight="600"'
        parts.append(_text(left - PAD, grid_top - 12, fit_px(row_title, left - 2 * PAD), anchor="end", extra=bold))
    parts.append('<g class="column-labels">')
    for j, (column, label) in enumerate(zip(columns, col_labels, strict=True)):
        x, y = left + (j + 0.5) * cell_w, grid_top - 10
        if rotate:
            extra = f' transform="rotate(-45 {_num(x)} {_num(y)})"'
            parts.append(_text(x - 4, y, label, extra=extra, full=column))
        else:
            parts.append(_text(x, y, label, anchor="middle", full=column))
    parts.append("</g>")
    for i, row in enumerate(rows):
        y = grid_top + i * CELL_H
        label = _text(left - PAD, y + CELL_H / 2, fit_px(row, left - 2 * PAD), anchor="end", full=row)
        parts.append(f'<g class="heatmap-row">{label}')
        for j, column in enumerate(columns):
            cell = grid[(row, column)]
            x = left + j * cell_w
            fill = mix(HEAT_LOW, HEAT_HIGH, 0.15 + 0.85 * cell.value / top) if cell.value else ZERO_FILL
            ink = f' class="value" fill="{text_on(fill) if cell.value else MUTED}"'
            tip = tips[(row, column)]
            rect = (
                f'<rect class="cell" x="{_num(x)}" y="{_num(y)}" width="{_num(cell_w)}" height="{CELL_H}" '
                f'fill="{fill}" stroke="{WHITE}" stroke-width="2"><title>{escape(tip)}</title></rect>'
            )
            value = _text(x + cell_w / 2, y + CELL_H / 2, format_count(cell.value), anchor="middle", extra=ink)
            parts.append(_link(cell.href, rect + value, tip))
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))

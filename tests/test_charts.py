"""Server-side SVG charts: well-formed, accessible, escaped, and drawn to scale."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from web.charts import Bar, Cell, Point, Series, bar_chart, format_count, heatmap, line_chart

NS = "{http://www.w3.org/2000/svg}"
EMPTY = '<p class="chart-empty">Geen gegevens voor deze selectie.</p>'
HOSTILE = "<script>x()</script> & \"q\" 'r'"
BAD_HREFS = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/\t/evil.example/",
    "data:text/html,hi",
    "",
]


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))
    assert root.tag == f"{NS}svg"
    return root


def all_of(root: ET.Element, tag: str, cls: str | None = None) -> list[ET.Element]:
    found = root.iter(f"{NS}{tag}")
    return [el for el in found if cls is None or cls in (el.get("class") or "").split()]


def visible(el: ET.Element) -> str:
    """The text an element shows, leaving out its <title> tooltip."""
    return (el.text or "") + "".join(child.tail or "" for child in el)


def tooltip(el: ET.Element) -> str:
    title = el.find(f"{NS}title")
    assert title is not None, f"{el.tag} has no <title>"
    return title.text or ""


def parents(root: ET.Element) -> dict[ET.Element, ET.Element]:
    return {child: parent for parent in root.iter() for child in parent}


def luminance(colour: str) -> float:
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    dark, light = sorted((luminance(a), luminance(b)))
    return (light + 0.05) / (dark + 0.05)


def sample_bars() -> Markup:
    return bar_chart(
        [Bar("Wlz-grens", 12, "/patronen?k=wlz"), Bar("Wachtlijst", 6), Bar("Geen", 0)], title="Knelpunten"
    )


def sample_line() -> Markup:
    return line_chart(
        [Series("Jeugdwet", [Point("2024-Q1", 3), Point("2024-Q2", 9)]), Series("Wlz", [Point("2024-Q1", 1)])],
        title="Verloop",
    )


def sample_heatmap() -> Markup:
    return heatmap(["Jeugdwet", "Wlz"], ["Jeugdwet", "Wlz"], {("Jeugdwet", "Wlz"): Cell(4)}, title="Knelpuntenmatrix")


# --- every chart ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [sample_bars, sample_line, sample_heatmap])
def test_svg_is_self_contained_and_accessible(make) -> None:
    markup = make()
    root = parse(markup)
    assert root.get("role") in {"img", "group"}
    assert root.get("font-family") == "system-ui, sans-serif"
    width, height = int(root.get("width") or 0), int(root.get("height") or 0)
    assert root.get("viewBox") == f"0 0 {width} {height}"
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    name, description = ids[root.get("aria-labelledby")], ids[root.get("aria-describedby")]
    assert name.tag == f"{NS}title" and name.text in {"Knelpunten", "Verloop", "Knelpuntenmatrix"}
    assert description.tag == f"{NS}desc" and re.search(r"\d+ casus", description.text or "")
    raw = str(markup)
    assert "<script" not in raw and "style=" not in raw
    assert re.findall(r"https?://[^\s\"']+", raw) == ["http://www.w3.org/2000/svg"]


def test_two_charts_with_the_same_title_and_data_do_not_share_ids() -> None:
    page = f"<div>{sample_bars()}{sample_bars()}{sample_line()}{sample_heatmap()}</div>"
    ids = [el.get("id") for el in ET.fromstring(page).iter() if el.get("id")]
    assert len(ids) == 8
    assert len(set(ids)) == len(ids)


def test_role_is_img_without_links_and_group_with_links() -> None:
    assert parse(bar_chart([Bar("A", 1)], title="t")).get("role") == "img"
    assert parse(bar_chart([Bar("A", 1, "javascript:x")], title="t")).get("role") == "img"
    assert parse(bar_chart([Bar("A", 1, "/a")], title="t")).get("role") == "group"


@pytest.mark.parametrize(
    ("n", "expected"), [(0, "0"), (7, "7"), (999, "999"), (1000, "1.000"), (1234567, "1.234.567"), (-1500, "-1.500")]
)
def test_format_count_uses_dutch_thousands_separator(n: int, expected: str) -> None:
    assert format_count(n) == expected


# --- bar chart -----------------------------------------------------------------------------------


def test_bar_widths_are_proportional_to_values() -> None:
    root = parse(bar_chart([Bar("Hoog", 10), Bar("Half", 5), Bar("Nul", 0), Bar("Vijfde", 2)], title="t"))
    rects = all_of(root, "rect", "bar")
    assert len(rects) == 4
    widths = [float(r.get("width") or "nan") for r in rects]
    assert widths[0] == max(widths) > 100
    assert widths[1] == pytest.approx(widths[0] / 2, abs=0.1)
    assert widths[2] == 0
    assert widths[3] == pytest.approx(widths[0] / 5, abs=0.1)
    assert len({r.get("x") for r in rects}) == 1  # one baseline


def test_every_bar_value_is_visible_text_with_a_tooltip() -> None:
    bars = [Bar("Wlz-grens", 1234), Bar("Wachtlijst", 1), Bar("Geen", 0)]
    root = parse(bar_chart(bars, title="t", unit="meldingen"))
    assert [visible(t) for t in all_of(root, "text", "value")] == ["1.234", "1", "0"]
    tips = [tooltip(r) for r in all_of(root, "rect", "bar")]
    assert tips == ["Wlz-grens: 1.234 meldingen", "Wachtlijst: 1 melding", "Geen: 0 meldingen"]
    desc = root.find(f"{NS}desc")
    assert desc is not None and "Hoogste waarde: Wlz-grens, 1.234 meldingen." in (desc.text or "")


def test_bar_href_wraps_bar_and_label_in_a_link() -> None:
    href = '/patronen?wet=Jeugdwet&periode=2024&q="x"'
    markup = bar_chart([Bar("Jeugdwet", 3, href), Bar("Wlz", 2)], title="t")
    assert "&amp;periode" in str(markup)
    root = parse(markup)
    links = all_of(root, "a")
    assert [a.get("href") for a in links] == [href]
    inside = list(links[0].iter())
    assert any(el.tag == f"{NS}rect" for el in inside)
    assert "Jeugdwet" in [visible(el) for el in inside if el.tag == f"{NS}text"]
    assert links[0].get("aria-label") == "Jeugdwet: 3 casussen"


def test_hostile_label_is_escaped_and_comes_back_unchanged() -> None:
    markup = bar_chart([Bar(HOSTILE, 2, '/x?a="><script>')], title=HOSTILE)
    root = parse(markup)
    assert not [el for el in root.iter() if el.tag.endswith("script")]
    assert HOSTILE in [visible(t) for t in all_of(root, "text")]
    assert tooltip(all_of(root, "rect", "bar")[0]) == f"{HOSTILE}: 2 casussen"
    assert tooltip(root) == HOSTILE
    assert all_of(root, "a")[0].get("href") == '/x?a="><script>'


@pytest.mark.parametrize("href", BAD_HREFS)
def test_foreign_or_script_hrefs_are_dropped_but_the_bar_stays(href: str) -> None:
    markup = bar_chart([Bar("A", 3, href)], title="t")
    root = parse(markup)
    assert all_of(root, "a") == []
    assert len(all_of(root, "rect", "bar")) == 1
    assert "evil" not in str(markup) and "javascript" not in str(markup).lower()


def test_bar_chart_empty_negative_and_all_zero() -> None:
    assert bar_chart([], title="t") == Markup(EMPTY)
    with pytest.raises(ValueError, match="negative"):
        bar_chart([Bar("A", 1), Bar("B", -1)], title="t")
    with pytest.raises(ValueError, match="width"):
        bar_chart([Bar("A", 1)], title="t", width=50)
    root = parse(bar_chart([Bar("A", 0), Bar("B", 0)], title="t"))
    assert [r.get("width") for r in all_of(root, "rect", "bar")] == ["0", "0"]
    assert [visible(t) for t in all_of(root, "text", "value")] == ["0", "0"]
    assert "Alle waarden zijn 0" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]


def test_label_column_grows_with_labels_and_long_labels_are_truncated_with_full_tooltip() -> None:
    def bar_x(label: str) -> float:
        return float(all_of(parse(bar_chart([Bar(label, 1)], title="t")), "rect", "bar")[0].get("x") or "nan")

    assert bar_x("Wlz") < bar_x("Jeugdwet en Wet langdurige zorg")
    assert bar_x("Wlz") >= len("Wlz") * 6
    long = "Knelpunt tussen gemeente en zorgkantoor over de financiering van " * 3
    assert bar_x(long) <= 640 * 0.52
    for whole in ("Grens Jeugdwet – passend onderwijs", "Grens Jeugdwet – Participatiewet"):  # were cut off
        assert visible(all_of(parse(bar_chart([Bar(whole, 1)], title="t")), "text")[0]) == whole
    root = parse(bar_chart([Bar(long, 1)], title="t"))
    label = all_of(root, "text")[0]
    assert visible(label).endswith("…") and len(visible(label)) < len(long)
    assert tooltip(label) == long
    assert tooltip(all_of(root, "rect", "bar")[0]) == f"{long}: 1 casus"


# --- line chart ----------------------------------------------------------------------------------


def points_of(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx") or "nan"), float(c.get("cy") or "nan")) for c in all_of(root, "circle", "point")]


def test_line_chart_draws_a_polyline_per_series_and_a_circle_per_point() -> None:
    series = [
        Series("Jeugdwet", [Point("2024-Q1", 3), Point("2024-Q2", 9), Point("2024-Q3", 0)]),
        Series("Wlz", [Point("2024-Q1", 1), Point("2024-Q3", 5)]),
    ]
    root = parse(line_chart(series, title="t"))
    polylines = all_of(root, "polyline")
    assert len(polylines) == 2
    assert len(all_of(root, "circle", "point")) == 5
    centres = points_of(root)
    drawn = [tuple(float(v) for v in pair.split(",")) for pair in (polylines[0].get("points") or "").split()]
    assert drawn == centres[:3]
    (x1, y3), (x2, y9), (x3, y0) = centres[:3]
    assert x1 < x2 < x3
    assert y9 < y3 < y0  # SVG y grows downward
    baseline = [t for t in all_of(root, "text") if visible(t) == "0" and "value" not in (t.get("class") or "")]
    assert float(baseline[0].get("y") or "nan") == pytest.approx(y0)
    assert centres[4][0] == x3  # Wlz's 2024-Q3 shares the x of Jeugdwet's
    assert sorted(visible(t) for t in all_of(root, "text", "value")) == ["0", "1", "3", "5", "9"]
    tips = [tooltip(c) for c in all_of(root, "circle", "point")]
    assert tips[1] == "Jeugdwet, 2024-Q2: 9 casussen" and tips[3] == "Wlz, 2024-Q1: 1 casus"


def test_legend_only_with_more_than_one_series() -> None:
    one = parse(line_chart([Series("Jeugdwet", [Point("2024", 1)])], title="t"))
    assert all_of(one, "g", "legend") == []
    two = parse(sample_line())
    legend = all_of(two, "g", "legend")
    assert len(legend) == 1
    assert [visible(t) for t in all_of(legend[0], "text")] == ["Jeugdwet", "Wlz"]


@pytest.mark.parametrize(("top", "ticks"), [(37, [0, 10, 20, 30, 40]), (9, [0, 2, 4, 6, 8, 10]), (0, [0, 1])])
def test_y_ticks_are_round_integers_from_zero(top: int, ticks: list[int]) -> None:
    root = parse(line_chart([Series("A", [Point("2024", top)])], title="t"))
    axis = all_of(root, "g", "y-axis")[0]
    assert [visible(t) for t in all_of(axis, "text")] == [str(t) for t in ticks]


def test_many_periods_get_thinned_labels_that_do_not_overlap() -> None:
    periods = [f"{2021 + i // 12}-{i % 12 + 1:02d}" for i in range(40)]
    root = parse(line_chart([Series("A", [Point(p, i) for i, p in enumerate(periods)])], title="t"))
    labels = all_of(root, "text", "period")
    assert 1 < len(labels) < 40
    assert visible(labels[0]) == "2021-01"
    xs = [float(t.get("x") or "nan") for t in labels]
    assert min(b - a for a, b in zip(xs, xs[1:], strict=False)) >= len("2021-01") * 7
    values = all_of(root, "text", "value")
    assert 1 < len(values) < 40 and visible(values[-1]) == "39"
    assert len(all_of(root, "circle", "point")) == 40  # every value still has its tooltip


def test_periods_are_merged_in_first_seen_order() -> None:
    series = [
        Series("A", [Point("2024-Q2", 1), Point("2024-Q3", 2)]),
        Series("B", [Point("2024-Q1", 3), Point("2024-Q2", 4), Point("2024-Q4", 5)]),
    ]
    root = parse(line_chart(series, title="t"))
    assert [visible(t) for t in all_of(root, "text", "period")] == ["2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4"]
    desc = root.find(f"{NS}desc")
    assert desc is not None
    assert "A: van 1 casus in 2024-Q2 naar 2 casussen in 2024-Q3" in (desc.text or "")
    assert "B: van 3 casussen in 2024-Q1 naar 5 casussen in 2024-Q4" in (desc.text or "")


def test_point_links_and_escaping() -> None:
    series = [Series(HOSTILE, [Point("2024 <Q1>", 2, "/casussen?p=1&q=2"), Point("2024-Q2", 3, "javascript:x")])]
    root = parse(line_chart(series, title="t"))
    links = all_of(root, "a")
    assert [a.get("href") for a in links] == ["/casussen?p=1&q=2"]
    assert [el.tag for el in links[0]] == [f"{NS}circle"]
    assert tooltip(all_of(root, "circle")[0]) == f"{HOSTILE}, 2024 <Q1>: 2 casussen"
    assert not [el for el in root.iter() if el.tag.endswith("script")]


def test_line_chart_empty_negative_and_duplicates() -> None:
    assert line_chart([], title="t") == Markup(EMPTY)
    assert line_chart([Series("A", [])], title="t") == Markup(EMPTY)
    with pytest.raises(ValueError, match="negative"):
        line_chart([Series("A", [Point("2024", -2)])], title="t")
    with pytest.raises(ValueError, match="more than once"):
        line_chart([Series("A", [Point("2024", 1), Point("2024", 2)])], title="t")


# --- heatmap -------------------------------------------------------------------------------------

LAWS = ["Jeugdwet", "Wmo", "Wlz", "Zvw"]


def cell_map(root: ET.Element) -> dict[str, tuple[ET.Element, ET.Element]]:
    """Tooltip prefix ("row × column") -> (rect, value text)."""
    result = {}
    up = parents(root)
    for rect in all_of(root, "rect", "cell"):
        siblings = list(up[rect])
        text = siblings[siblings.index(rect) + 1]
        result[tooltip(rect).split(":")[0]] = (rect, text)
    return result


def test_heatmap_draws_every_cell_with_darker_fill_for_larger_values() -> None:
    cells = {("Jeugdwet", "Wlz"): Cell(20), ("Wmo", "Wlz"): Cell(10), ("Wlz", "Zvw"): Cell(1)}
    root = parse(heatmap(LAWS, LAWS, cells, title="t", row_title="Van", column_title="Naar"))
    found = cell_map(root)
    assert len(all_of(root, "rect", "cell")) == len(LAWS) * len(LAWS) == len(found)
    fill = {key: rect.get("fill") or "" for key, (rect, _) in found.items()}
    high, mid, low = fill["Jeugdwet × Wlz"], fill["Wmo × Wlz"], fill["Wlz × Zvw"]
    assert luminance(high) < luminance(mid) < luminance(low)
    assert luminance(low) < 0.9  # a count of 1 is visibly tinted
    ink = {key: text.get("fill") or "" for key, (_, text) in found.items()}
    assert luminance(ink["Jeugdwet × Wlz"]) > 0.9  # white on dark
    assert luminance(ink["Wlz × Zvw"]) < 0.1  # dark on light
    for rect, text in found.values():
        assert contrast(rect.get("fill") or "", text.get("fill") or "") >= 4.5
    texts = [visible(t) for t in all_of(root, "text")]
    assert "Van" in texts and "Naar" in texts


def test_heatmap_missing_keys_are_zero_in_neutral_grey() -> None:
    root = parse(heatmap(["A", "B"], ["C"], {("A", "C"): Cell(3), ("X", "C"): Cell(99)}, title="t"))
    found = cell_map(root)
    rect, text = found["B × C"]
    assert visible(text) == "0" and tooltip(rect) == "B × C: 0 casussen"
    red, green, blue = (int((rect.get("fill") or "")[i : i + 2], 16) for i in (1, 3, 5))
    assert max(red, green, blue) - min(red, green, blue) < 8 and luminance(rect.get("fill") or "") > 0.8
    assert visible(found["A × C"][1]) == "3"
    assert "99" not in "".join(root.itertext())  # keys outside rows/columns are ignored


def test_heatmap_links_and_escaping() -> None:
    cells = {(HOSTILE, "Wlz"): Cell(2, "/patronen?van=a&naar=b"), ("Wlz", "Wlz"): Cell(1, "https://evil.example")}
    root = parse(heatmap([HOSTILE, "Wlz"], ["Wlz"], cells, title="t"))
    links = all_of(root, "a")
    assert [a.get("href") for a in links] == ["/patronen?van=a&naar=b"]
    assert [el.tag for el in links[0]] == [f"{NS}rect", f"{NS}text"]
    assert tooltip(links[0][0]) == f"{HOSTILE} × Wlz: 2 casussen"
    assert not [el for el in root.iter() if el.tag.endswith("script")]


def test_heatmap_rotates_only_long_column_labels_and_respects_width() -> None:
    short = parse(heatmap(["A"], ["B", "C"], {}, title="t"))
    assert not [t for t in all_of(short, "text") if t.get("transform")]
    long = parse(heatmap(["A"], ["Wet langdurige zorg", "Zorgverzekeringswet"], {}, title="t"))
    rotated = [t for t in all_of(long, "text") if "rotate(-45" in (t.get("transform") or "")]
    assert [visible(t) for t in rotated] == ["Wet langdurige zorg", "Zorgverzekeringswet"]
    sized = parse(heatmap(LAWS, LAWS, {}, title="t", width=600))
    assert sized.get("width") == "600"


def test_heatmap_empty_and_negative() -> None:
    assert heatmap([], ["A"], {}, title="t") == Markup(EMPTY)
    assert heatmap(["A"], [], {}, title="t") == Markup(EMPTY)
    with pytest.raises(ValueError, match="negative"):
        heatmap(["A"], ["B"], {("A", "B"): Cell(-1)}, title="t")
    root = parse(heatmap(["A"], ["B"], {}, title="t"))
    assert "Alle cellen zijn 0" in (root.find(f"{NS}desc").text or "")  # type: ignore[union-attr]

"""SVG charts: well-formed, escaped, bounded in size, and showing what they were asked to show."""

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from django.conf import settings

from scoring.charts import (
    ACCENT,
    CHAR,
    PRIMARY,
    bar_chart,
    format_number,
    histogram,
    interval_chart,
    line_chart,
)

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(1)</script>&\"'"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#x27;"
NAN = float("nan")


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == f"{NS}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{NS}text")]


def the_line(root: ET.Element) -> str:
    return next(p.get("d", "") for p in root.iter(f"{NS}path") if p.get("stroke") == PRIMARY)


def tooltips(root: ET.Element, tag: str) -> list[str]:
    return [node.findtext(f"{NS}title") or "" for node in root.iter(f"{NS}{tag}")]


def a_line(title: str = "Alpha over time", label: str = "11-25 14:00") -> str:
    points = [
        (label, 0.5, 0.4, 0.6),
        ("11-25 15:00", 0.7, None, None),
        ("11-25 16:00", 0.6, 0.5, 0.7),
    ]
    return line_chart(points, title=title, y_label=label, x_label=label, y_range=(0, 1))


def a_bar(title: str = "Judgements per model", label: str = "gpt-4o") -> str:
    bars = [(label, 1234.0), ("claude", 56.0)]
    return bar_chart(bars, title=title, y_label=label, x_label=label, highlight=label)


def a_histogram(title: str = "Time on task", label: str = "seconds") -> str:
    values, campaign = [1.0, 2.0, 2.5, 9.0], [1.0, 3.0, 4.0, 5.0, 8.0]
    return histogram(
        values,
        title=title,
        x_label=label,
        compare=campaign,
        compare_label=label,
        label=label,
        marker=2.5,
        marker_label=label,
    )


def an_interval(title: str = "Model strengths", label: str = "gpt-4o") -> str:
    rows = [(label, 0.4, 0.1, 0.7), ("claude", -0.4, -0.7, -0.1)]
    return interval_chart(rows, title=title, x_label=label)


CHARTS: list[Callable[..., str]] = [a_line, a_bar, a_histogram, an_interval]


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_is_a_self_contained_accessible_svg_named_by_its_title(
    chart: Callable[..., str],
) -> None:
    root = parse(chart(title="Quality & speed"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "Quality & speed"
    assert root.findtext(f"{NS}title") == "Quality & speed"
    assert root.get("viewBox", "").startswith("0 0 640 ")
    assert root.get("font-family") == "system-ui, sans-serif"
    assert root.get("width") is None  # it takes the width its container gives it


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_draws_axis_lines_ticks_and_axis_titles(chart: Callable[..., str]) -> None:
    root = parse(chart(label="the axis"))
    assert any(node.get("stroke-opacity") == "0.5" for node in root.iter())  # axis lines
    assert "the axis" in texts(root)
    assert len(texts(root)) >= 5  # heading, axis titles and tick labels


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_contains_nothing_that_loads_or_runs(chart: Callable[..., str]) -> None:
    root = parse(chart(title=HOSTILE, label=HOSTILE))
    for node in root.iter():
        assert node.tag.removeprefix(NS) not in {"script", "foreignObject", "image", "a", "style"}
        assert not any(
            name in {"style", "href"} or name.endswith("}href") or name.startswith("on")
            for name in node.attrib
        )


@pytest.mark.parametrize("chart", CHARTS)
def test_each_chart_escapes_text_from_the_caller(chart: Callable[..., str]) -> None:
    svg = chart(title=HOSTILE, label=HOSTILE)
    assert "<script" not in svg
    assert ESCAPED in svg
    root = parse(svg)
    assert root.get("aria-label") == HOSTILE
    assert root.findtext(f"{NS}title") == HOSTILE


def test_a_label_is_shortened_before_it_is_escaped() -> None:
    svg = bar_chart([("x" * 30 + "<b>&", 1.0)], title="t", y_label="n")
    assert "x" * 19 + "…" in svg  # the printed label
    assert "x" * 30 + "&lt;b&gt;&amp;" in svg  # the full label, in the bar's tooltip
    assert "&lt;b" not in svg.replace("x" * 30 + "&lt;b&gt;&amp;", "")  # no half-escaped cut


def test_control_characters_in_a_label_do_not_break_the_xml() -> None:
    root = parse(bar_chart([("a\x00b\x1bc", 1.0)], title="t\x0c", y_label="n"))
    assert root.findtext(f"{NS}title") == "t"
    assert "abc: 1" in tooltips(root, "rect")


@pytest.mark.parametrize(
    "svg",
    [
        line_chart([], title="Empty", y_label="y", x_label="x"),
        line_chart(
            [("a", None, None, None), ("b", NAN, NAN, NAN)], title="Empty", y_label="y", x_label="x"
        ),
        bar_chart([], title="Empty", y_label="y"),
        bar_chart([("a", NAN)], title="Empty", y_label="y"),
        histogram([], title="Empty", x_label="x"),
        histogram([NAN, math.inf], title="Empty", x_label="x", compare=[]),
        interval_chart([], title="Empty", x_label="x"),
        interval_chart([("a", NAN, 0.0, 1.0)], title="Empty", x_label="x"),
    ],
)
def test_a_chart_without_data_says_so_instead_of_raising(svg: str) -> None:
    root = parse(svg)
    assert "No data yet" in texts(root)
    assert root.findtext(f"{NS}title") == "Empty"
    assert len(svg) < 1000


def test_the_line_breaks_where_a_value_is_missing() -> None:
    points = [("a", 1.0, None, None), ("b", 2.0, None, None), ("c", None, None, None)]
    points += [("d", NAN, None, None), ("e", 3.0, None, None), ("f", 2.0, None, None)]
    root = parse(line_chart(points, title="t", y_label="y", x_label="x"))
    assert the_line(root).count("M") == 2
    assert len(list(root.iter(f"{NS}circle"))) == 4


def test_the_band_is_shaded_only_where_both_bounds_exist() -> None:
    with_band = parse(a_line())
    bands = [p for p in with_band.iter(f"{NS}path") if p.get("fill-opacity")]
    assert len(bands) == 1
    assert bands[0].get("d", "").count("Z") == 2  # the middle point has no interval
    no_band = line_chart([("a", 1.0, None, 2.0)], title="t", y_label="y", x_label="x")
    assert not [p for p in parse(no_band).iter(f"{NS}path") if p.get("fill-opacity")]


def test_a_line_of_10000_points_is_thinned_evenly_and_stays_small() -> None:
    values = np.random.default_rng(7).normal(size=10_000).cumsum()
    points = [(f"#{i}", float(v), float(v) - 1, float(v) + 1) for i, v in enumerate(values)]
    svg = line_chart(points, title="t", y_label="y", x_label="x")
    root = parse(svg)
    assert the_line(root).count("L") == 399
    assert len(svg) < 60_000
    labels = [t for t in texts(root) if t.startswith("#")]
    assert 2 <= len(labels) <= 8
    assert labels[-1] == "#9999"  # the newest point is labelled


def test_a_dense_line_has_dots_only_where_a_point_stands_alone() -> None:
    points: list[tuple[str, float | None, None, None]] = [
        (str(i), float(i), None, None) for i in range(300)
    ]
    points[100] = points[102] = ("gap", None, None, None)
    root = parse(line_chart(points, title="t", y_label="y", x_label="x"))
    assert [c.get("cx") for c in root.iter(f"{NS}circle")] == [f"{58 + 101 * 566 / 299:.1f}"]


def test_a_line_chart_prints_at_most_eight_x_labels() -> None:
    points = [(f"d{i}", float(i), None, None) for i in range(100)]
    root = parse(line_chart(points, title="t", y_label="y", x_label="x"))
    assert 2 <= len([t for t in texts(root) if t.startswith("d")]) <= 8


def test_a_line_of_one_point_is_a_dot() -> None:
    root = parse(line_chart([("only", 5.0, None, None)], title="t", y_label="y", x_label="x"))
    assert len(list(root.iter(f"{NS}circle"))) == 1
    assert "only" in texts(root)


def test_values_outside_the_y_range_are_pinned_to_its_edge() -> None:
    points = [("a", -5.0, None, None), ("b", 5.0, None, None)]
    svg = line_chart(points, title="t", y_label="y", x_label="x", y_range=(0, 1))
    root = parse(svg)
    ys = sorted(float(c.get("cy", "nan")) for c in root.iter(f"{NS}circle"))
    assert ys == [34.0, 212.0]  # the top and bottom of the plot area
    assert {"0.0", "0.4", "1.0"} <= set(texts(root))


def test_bars_print_their_values_compactly() -> None:
    root = parse(bar_chart([("a", 1234.0), ("b", 0.1234), ("c", 12000.0)], title="t", y_label="n"))
    assert {"1,234", "0.12", "12k"} <= set(texts(root))


def test_the_highlighted_bar_is_drawn_in_the_accent_colour() -> None:
    root = parse(a_bar())
    accented = [r for r in root.iter(f"{NS}rect") if r.get("fill") == ACCENT]
    assert [r.findtext(f"{NS}title") for r in accented] == ["gpt-4o: 1,234"]


def test_only_the_last_60_bars_with_a_value_are_drawn() -> None:
    bars = [(f"day {i}", float(i)) for i in range(1000)] + [("late", NAN)]
    svg = bar_chart(bars, title="t", y_label="n", highlight="day 950")
    root = parse(svg)
    tips = tooltips(root, "rect")
    assert len(tips) == 60
    assert (tips[0], tips[-1]) == ("day 940: 940", "day 999: 999")
    assert "day 950" in texts(root) and "950" in texts(root)  # the highlight keeps its labels
    assert len(svg) < 60_000


def test_negative_bars_hang_below_a_zero_line() -> None:
    root = parse(bar_chart([("up", 2.0), ("down", -1.0)], title="t", y_label="n"))
    rects = {r.findtext(f"{NS}title"): r for r in root.iter(f"{NS}rect")}
    up, down = rects["up: 2"], rects["down: -1"]
    assert float(up.get("y", "0")) + float(up.get("height", "0")) == pytest.approx(
        float(down.get("y", "0")), abs=0.2
    )
    assert "-1" in texts(root)


def test_a_histogram_counts_finite_values_and_keeps_outliers_in_the_edge_bins() -> None:
    values = [1.0, 2.0, NAN, 2.0, 50.0, -3.0]
    root = parse(histogram(values, title="t", x_label="x", bins=4, value_range=(0, 4)))
    counts = [float(tip.rsplit(": ", 1)[1]) for tip in tooltips(root, "rect")]
    assert counts == [1, 1, 2, 1]  # -3 joins the first bin, 50 the last
    assert "annotators" in texts(root)


def test_a_histogram_of_100000_values_stays_small() -> None:
    values = np.random.default_rng(3).lognormal(3, 0.5, 100_000).tolist()
    svg = histogram(values, title="t", x_label="seconds", bins=500)
    root = parse(svg)
    assert len(tooltips(root, "rect")) == 100  # bins are capped
    assert len(svg) < 60_000
    coarse = parse(histogram(values, title="t", x_label="seconds", bins=10))
    assert "20k" in texts(coarse)


def test_a_histogram_of_identical_values_still_has_a_width() -> None:
    root = parse(histogram([3.0, 3.0, 3.0], title="t", x_label="x"))
    assert sum(float(tip.rsplit(": ", 1)[1]) for tip in tooltips(root, "rect")) == 3


def test_a_compared_histogram_shows_two_series_of_shares_with_a_legend() -> None:
    root = parse(a_histogram(label="annotator 17"))
    assert {"share", "annotator 17"} <= set(texts(root))
    fills = [r.get("fill") for r in root.iter(f"{NS}rect") if r.findtext(f"{NS}title")]
    assert len(fills) == 40 and len(set(fills)) == 2
    shares = [float(tip.rsplit(": ", 1)[1]) for tip in tooltips(root, "rect") if tip]
    assert sum(shares) == pytest.approx(2.0, abs=0.05)  # each series sums to one


def test_the_compare_label_is_in_the_legend() -> None:
    svg = histogram([1.0, 2.0], title="t", x_label="x", compare=[1.0, 5.0])
    assert {"campaign", "this annotator"} <= set(texts(parse(svg)))


def test_a_histogram_marker_is_a_dashed_line_with_its_label() -> None:
    svg = histogram([10.0, 20.0, 30.0], title="t", x_label="x", marker=20.0, marker_label="median")
    root = parse(svg)
    assert "median 20" in texts(root)
    assert any(line.get("stroke-dasharray") for line in root.iter(f"{NS}line"))


def test_an_interval_chart_has_a_row_per_item_with_a_dot_and_a_whisker() -> None:
    root = parse(an_interval())
    assert len(list(root.iter(f"{NS}circle"))) == 2
    assert tooltips(root, "g") == ["gpt-4o: 0.40 (0.10 – 0.70)", "claude: -0.40 (-0.70 – -0.10)"]
    whisker = next(line for line in root.iter(f"{NS}line") if line.get("stroke-width") == "2")
    assert float(whisker.get("x2", "0")) > float(whisker.get("x1", "0"))


def zero_lines(svg: str) -> list[ET.Element]:
    lines = parse(svg).iter(f"{NS}line")
    return [n for n in lines if n.get("x1") == n.get("x2") and n.get("stroke-opacity") == "0.5"]


def test_an_interval_chart_marks_zero_only_when_it_is_in_range() -> None:
    assert len(zero_lines(an_interval())) == 1
    rows = [("a", 5.0, 4.5, 5.5), ("b", 8.0, None, 9.0)]
    assert zero_lines(interval_chart(rows, title="t", x_label="x")) == []


def test_an_interval_chart_grows_with_its_rows_up_to_50() -> None:
    def height(count: int) -> float:
        rows = [(f"m{i}", float(i), i - 1.0, i + 1.0) for i in range(count)]
        root = parse(interval_chart(rows, title="t", x_label="x"))
        return float(root.get("viewBox", "").split()[3])

    assert height(2) < height(20) < height(50) == height(500)


def test_an_interval_chart_skips_rows_without_an_estimate() -> None:
    rows = [("a", 1.0, None, None), ("b", NAN, 0.0, 2.0), ("c", 2.0, 1.5, NAN)]
    root = parse(interval_chart(rows, title="t", x_label="x"))
    assert [tip.split(":")[0] for tip in tooltips(root, "g")] == ["a", "c"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234, "1,234"),
        (0.1234, "0.12"),
        (12000, "12k"),
        (12345, "12.3k"),
        (999_999, "1M"),
        (2_500_000, "2.5M"),
        (3.0, "3"),
        (12.345, "12.3"),
        (0.004, "0.004"),
        (-0.0, "0"),
        (NAN, "–"),
        (None, "–"),
    ],
)
def test_numbers_are_formatted_compactly(value: float | None, text: str) -> None:
    assert format_number(value) == text


def font_sizes(root: ET.Element) -> list[float]:
    """The font size every text is drawn at (its own, else the inherited one)."""
    sizes = []

    def walk(node: ET.Element, inherited: float) -> None:
        size = float(node.get("font-size", inherited))
        if node.tag == f"{NS}text":
            sizes.append(size)
        for child in node:
            walk(child, size)

    walk(root, 16.0)
    return sizes


def labelled_bars(root: ET.Element) -> list[tuple[str, str]]:
    """(category, value) of every bar, from its tooltip "[series, ]category: value"."""
    found = []
    for tip in tooltips(root, "rect"):
        if tip:
            category, value = tip.rsplit(": ", 1)
            found.append((category.split(", ", 1)[-1], value))
    return found


HOURS = [(f"05 {h:02d}h", float(h * 7)) for h in range(48)]
FLAGS = [("random", 3.0), ("position_bias", 1.0), ("low_gold_accuracy", 0.0), ("too_fast", 12.0)]


@pytest.mark.parametrize(
    "svg",
    [
        a_line(),
        a_bar(),
        a_histogram(),
        an_interval(),
        bar_chart(HOURS, title="Judgements per hour", y_label="judgements", x_label="hour"),
        bar_chart(FLAGS, title="Annotators per flag", y_label="annotators"),
        histogram([0.1, 0.5, 0.52, 0.9], title="Quality", x_label="quality", bins=10),
    ],
)
def test_every_text_is_at_least_12_px_at_the_width_the_pages_draw_charts(svg: str) -> None:
    root = parse(svg)
    assert float(root.get("viewBox", "").split()[2]) == 640
    assert min(font_sizes(root)) >= 12


def test_the_pages_never_draw_a_chart_wider_or_narrower_than_its_viewbox_allows() -> None:
    style = (Path(settings.BASE_DIR) / "templates/scoring/_style.html").read_text()
    rule = re.search(r"\.chart svg \{([^}]*)\}", style)
    assert rule is not None
    assert "max-width: 640px" in rule.group(1)
    columns = re.search(r"minmax\(min\(100%, ([\d.]+)rem\)", style)
    assert columns is not None and float(columns.group(1)) * 16 >= 640 + 2 * 1.25 * 16


@pytest.mark.parametrize(
    "svg",
    [
        a_bar(),
        bar_chart(HOURS, title="Judgements per hour", y_label="judgements", x_label="hour"),
        bar_chart(FLAGS, title="Annotators per flag", y_label="annotators"),
        histogram([0.1, 0.5, 0.52, 0.9], title="Quality", x_label="quality", bins=10),
        a_histogram(),
    ],
)
def test_every_bar_has_its_category_and_its_value_printed(svg: str) -> None:
    root = parse(svg)
    printed = texts(root)
    bars = labelled_bars(root)
    assert bars
    for category, _ in bars:
        assert category in printed, category
    values = [value for _, value in bars]
    for value in set(values):
        assert printed.count(value) >= values.count(value), value


def test_the_row_label_over_short_categories_is_not_cut_off_at_the_left() -> None:
    hours = [(f"05 {h:02d}h", float(h)) for h in range(24)]
    svg = bar_chart(hours, title="Judgements per hour", y_label="judgements", x_label="hour (UTC)")
    heading = next(t for t in ET.fromstring(svg).iter() if (t.text or "") == "hour (UTC)")
    assert float(heading.get("x", 0)) - len("hour (UTC)") * CHAR * 1.1 >= 0

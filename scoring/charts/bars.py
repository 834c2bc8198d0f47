"""Bar charts, histograms and interval charts: bars side by side when their labels fit, else one
a row. Standard library and numpy only; imports no Django."""

import math
from collections.abc import Callable, Sequence
from itertools import pairwise

import numpy as np

from scoring.charts.svg import (
    ACCENT,
    AXIS,
    BOTTOM,
    CHAR,
    FONT,
    LEFT,
    MAX_BARS,
    MAX_BINS,
    MAX_ROWS,
    MUTED,
    PRIMARY,
    RIGHT,
    TOP,
    FloatArray,
    as_number,
    escaped,
    finite,
    format_number,
    linear_scale,
    nice_ticks,
    no_data,
    shorten,
    svg_document,
    text_at,
    x_axis,
    y_axis,
)


def _bar(x: float, top: float, bottom: float, width: float, colour: str, tip: str) -> str:
    height = max(bottom - top, 0.5)  # a zero still shows as a hairline
    return (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{colour}"><title>{escaped(tip)}</title></rect>'
    )


def bar_chart(
    bars: Sequence[tuple[str, float]],
    *,
    title: str,
    y_label: str,
    x_label: str = "",
    highlight: str | None = None,
) -> str:
    """Bars (the last 60 with a value), the one labelled `highlight` in the accent colour.

    Every bar has its label and its value printed (and as a tooltip): side by side when they fit
    under and over each bar, else one bar a row (`y_label` then names the value axis below).
    """
    kept = [(str(label), v) for label, value in bars if not math.isnan(v := as_number(value))]
    kept = kept[-MAX_BARS:]
    if not kept:
        return no_data(title)
    marked = next((i for i, (label, _) in enumerate(kept) if label == highlight), -1)
    slot = (RIGHT - LEFT) / len(kept)
    widest = max(max(len(shorten(label, 20)), len(format_number(v))) for label, v in kept)
    if slot < widest * CHAR + 6:
        rows = [(label, [v]) for label, v in kept]
        colours = [[ACCENT if i == marked else PRIMARY] for i in range(len(kept))]
        return _row_chart(rows, colours, title=title, value_label=y_label, row_label=x_label)
    numbers = [v for _, v in kept]
    lo, hi, ticks, labels = nice_ticks(min(0.0, *numbers), max(0.0, *numbers))
    ys = linear_scale(lo, hi, BOTTOM, TOP)
    body = [y_axis(ys, ticks, labels, y_label)]
    for i, (label, v) in enumerate(kept):
        x, (top, bottom) = LEFT + (i + 0.15) * slot, sorted((ys(0), ys(v)))
        colour = ACCENT if i == marked else PRIMARY
        body.append(_bar(x, top, bottom, slot * 0.7, colour, f"{label}: {format_number(v)}"))
        y = top - 4 if v >= 0 else bottom + FONT + 1
        body.append(text_at(x + slot * 0.35, y, format_number(v)))
        body.append(text_at(x + slot * 0.35, BOTTOM + 15, shorten(label, 20)))
    if lo < 0:
        body.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{ys(0):.1f}" y2="{ys(0):.1f}" {AXIS}/>')
    return svg_document(title, body, x_label)


def _row_chart(
    rows: Sequence[tuple[str, Sequence[float]]],
    colours: Sequence[Sequence[str]],
    *,
    title: str,
    value_label: str,
    row_label: str = "",
    names: Sequence[str] = (),
    legend: tuple[str, float] = ("", 0.0),
    marker: Callable[[float, float, float], str] | None = None,
) -> str:
    """One row per category, its label on the left and a bar per series, each with its value.

    `marker(top, bottom, right)` draws over the rows; `names` tell the series apart in tooltips.
    """
    numbers = [v for _, values in rows for v in values]
    lo, hi, ticks, labels = nice_ticks(min(0.0, *numbers), max(0.0, *numbers))
    # The row label sits over the category labels, in bold (about 10% wider).
    widest = max([len(shorten(label, 32)) for label, _ in rows] + [len(row_label) * 1.1])
    left = LEFT + max(widest * CHAR + 8 - LEFT, 0)
    series = max(len(values) for _, values in rows)
    bar_height = 15.0 if series == 1 else 13.0
    row_height = series * bar_height + 5
    top = TOP + (FONT + 4 if row_label else 0)
    bottom = top + row_height * len(rows)
    right = RIGHT - 6 * CHAR  # room for the value printed after the longest bar
    xs = linear_scale(lo, hi, left, right)
    body = [x_axis(xs, ticks, labels, top, bottom)]
    body.append(f'<path d="M{left},{top}V{bottom}H{right}" fill="none" {AXIS}/>')
    if row_label:
        body.append(text_at(left - 8, top - 6, row_label, "end", ' font-weight="600"'))
    for r, (label, values) in enumerate(rows):
        y = top + r * row_height + 2.5
        middle = y + series * bar_height / 2
        body.append(text_at(left - 8, middle + FONT / 3, shorten(label, 32), "end"))
        for k, v in enumerate(values):
            start, end = sorted((xs(0), xs(v)))
            name = f"{names[k]}, " if k < len(names) and names[k] else ""
            tip = f"{name}{label}: {format_number(v)}"
            bar_top = y + k * bar_height + 1
            body.append(_bar_across(start, end, bar_top, bar_height - 2, colours[r][k], tip))
            at, anchor = (end + 4, "start") if v >= 0 else (start - 4, "end")
            baseline = bar_top + bar_height / 2 + FONT / 3 - 1
            body.append(text_at(at, baseline, format_number(v), anchor))
    if marker is not None:
        body.append(marker(top, bottom, right))
    footer_height = bottom + 48
    text, reserve = legend
    return svg_document(title, [*body, text], value_label, footer_height, reserve=reserve)


def _bar_across(start: float, end: float, top: float, height: float, colour: str, tip: str) -> str:
    width = max(end - start, 0.5)  # a zero still shows as a hairline
    return (
        f'<rect x="{start:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{colour}"><title>{escaped(tip)}</title></rect>'
    )


def _legend(entries: list[tuple[str, str]]) -> tuple[str, float]:
    parts, x = [], float(RIGHT)
    for name, colour in reversed(entries):
        text = shorten(name, 20)
        x -= len(text) * CHAR
        parts.append(text_at(x, 20, text, "start"))
        x -= 14
        parts.append(f'<rect x="{x:.1f}" y="11" width="10" height="10" fill="{colour}"/>')
        x -= 12
    return "".join(parts), RIGHT - x


def _row_marker(lo: float, hi: float, value: float, label: str) -> Callable[..., str]:
    """A dashed line across the rows of a histogram at `value` of its binned axis."""

    def draw(top: float, bottom: float, right: float) -> str:
        y = linear_scale(lo, hi, top, bottom)(value)
        text = f"{label} {format_number(value)}".strip()
        return (
            f'<line x1="{LEFT}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{ACCENT}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            + text_at(right, y - 3, text, "end", f' fill="{ACCENT}"')
        )

    return draw


def _bin(values: FloatArray, edges: FloatArray, share: bool) -> FloatArray:
    """Counts (or shares) per bin; values beyond the edges count in the first or last bin."""
    counts = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)[0].astype(float)
    return counts / max(values.size, 1) if share else counts


def histogram(
    values: Sequence[float],
    *,
    title: str,
    x_label: str,
    y_label: str = "annotators",
    bins: int = 20,
    value_range: tuple[float, float] | None = None,
    compare: Sequence[float] | None = None,
    compare_label: str = "campaign",
    label: str = "this annotator",
    marker: float | None = None,
    marker_label: str = "",
) -> str:
    """Counts per bin, a bin a row (its span, then its bar and count); with `compare`, both
    distributions as shares, two bars a row, with a legend.

    Values outside `value_range` are counted in the edge bins rather than dropped.
    """
    main = finite(values)
    other = finite(compare) if compare is not None else None
    pooled = main if other is None else np.concatenate([main, other])
    if not pooled.size:
        return no_data(title)
    lo, hi = value_range or (float(pooled.min()), float(pooled.max()))
    lo, hi = (lo - 0.5, hi + 0.5) if hi <= lo else (lo, hi)
    edges = np.linspace(lo, hi, min(max(int(bins), 1), MAX_BINS) + 1)
    series = [(label, PRIMARY, _bin(main, edges, share=other is not None))]
    if other is not None:
        series.insert(0, (compare_label, MUTED, _bin(other, edges, share=True)))
    spans = [f"{format_number(a)}–{format_number(b)}" for a, b in pairwise(edges.tolist())]
    rows = [(span, [float(s[2][b]) for s in series]) for b, span in enumerate(spans)]
    draw = None
    if marker is not None and math.isfinite(marker):
        draw = _row_marker(lo, hi, marker, marker_label)
    return _row_chart(
        rows,
        [[s[1] for s in series]] * len(rows),
        title=title,
        value_label=y_label if other is None else "share",
        row_label=x_label,
        names=[s[0] for s in series] if other is not None else (),
        legend=_legend([(s[0], s[1]) for s in series]) if other is not None else ("", 0.0),
        marker=draw,
    )


def interval_chart(
    rows: Sequence[tuple[str, float, float | None, float | None]], *, title: str, x_label: str
) -> str:
    """One row per item: a dot at the estimate and a whisker over its interval (first 50 rows)."""
    kept = [(str(r[0]), as_number(r[1]), as_number(r[2]), as_number(r[3])) for r in rows]
    kept = [r for r in kept if not math.isnan(r[1])][:MAX_ROWS]
    if not kept:
        return no_data(title)
    numbers = [v for row in kept for v in row[1:] if not math.isnan(v)]
    lo, hi, ticks, labels = nice_ticks(min(numbers), max(numbers))
    left, row_height, bottom = 170, 18, TOP + 18 * len(kept)
    xs, height = linear_scale(lo, hi, left, RIGHT), bottom + 44
    body = [x_axis(xs, ticks, labels, TOP, bottom)]
    body.append(f'<line x1="{left}" x2="{RIGHT}" y1="{bottom}" y2="{bottom}" {AXIS}/>')
    if lo <= 0 <= hi:
        zero = xs(0)
        body.append(f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{TOP}" y2="{bottom}" {AXIS}/>')
    for i, (label, estimate, low, high) in enumerate(kept):
        y = TOP + (i + 0.5) * row_height
        start = xs(estimate if math.isnan(low) else low)
        end = xs(estimate if math.isnan(high) else high)
        tip = f"{label}: {format_number(estimate)} ({format_number(low)} – {format_number(high)})"
        body.append(
            f"<g><title>{escaped(tip)}</title>{text_at(left - 8, y + 4, shorten(label, 26), 'end')}"
            f'<line x1="{start:.1f}" x2="{end:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{PRIMARY}" '
            f'stroke-width="2" stroke-linecap="round"/>'
            f'<circle cx="{xs(estimate):.1f}" cy="{y:.1f}" r="4" fill="{PRIMARY}"/></g>'
        )
    return svg_document(title, body, x_label, height)

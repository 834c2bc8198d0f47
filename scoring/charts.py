"""Server-rendered SVG charts for moderator and organizer pages; standard library and numpy only.

Imports no Django. Each chart is one self-contained `<svg>` string (no scripts, fonts or external
references, presentation attributes instead of `style`, so a strict CSP allows it inline). Text
from the caller is escaped here, and input size is bounded here: lines are downsampled, bars and
rows capped, histograms binned, so the SVG stays small however much data comes in.

Readable at the size a page shows it: the pages draw a chart at most 640 px wide, its viewBox
width (scoring/_style.html), so a font size here is a size in pixels, and none is below 12. Every
bar carries its category and its value as text: bars stand side by side when both fit under and
over each of them, and otherwise lie one a row, the category to their left and the value at their
end (histograms always do, a bin a row).
"""

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 58, 624, 34, 212  # the plot area of a 640×260 chart
FONT, HEADING = 12, 14  # px at the rendered size (a chart is never drawn wider than WIDTH)
CHAR = 7.0  # the width of an average character at FONT px, for fitting text
MAX_LINE_POINTS, MAX_BARS, MAX_ROWS, MAX_BINS = 400, 60, 50, 100
PRIMARY, ACCENT, MUTED = "#2563eb", "#d97706", "#9ca3af"
GRID = 'stroke="currentColor" stroke-opacity="0.12"'
AXIS = 'stroke="currentColor" stroke-opacity="0.5"'
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # not allowed even escaped in XML 1.0

Scale = Callable[[float], float]
FloatArray = NDArray[np.float64]
_Point = tuple[str, float | None, float | None, float | None]


def format_number(value: float | None) -> str:
    """1234 → "1,234", 0.1234 → "0.12", 12000 → "12k", 2.5e6 → "2.5M"; NaN or None → "–"."""
    if value is None or not math.isfinite(value):
        return "–"
    size = abs(value)
    if size >= 1e4:
        for div, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
            if size >= div * 0.9995:  # 999,999 is "1M", not "1e+03k"
                q = value / div
                return f"{q:,.0f}{suffix}" if abs(q) >= 99.95 else f"{q:.3g}{suffix}"
    if value == 0:
        return "0"
    if size >= 100 or value == round(value):
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:.3g}"
    return f"{value:.2f}" if size >= 0.01 else f"{value:.1g}"


def _esc(text: object) -> str:
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def _num(value: float | None) -> float:
    return float(value) if value is not None and math.isfinite(value) else math.nan


def _finite(values: Sequence[float | None]) -> FloatArray:
    array = np.asarray(values, dtype=float)  # None becomes NaN
    return array[np.isfinite(array)]


def _text(x: float, y: float, text: str, anchor: str = "middle", attrs: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attrs}>{_esc(text)}</text>'


def _svg(
    title: str, body: Iterable[str], x_label: str = "", height: float = HEIGHT, reserve: float = 0
) -> str:
    """The whole chart: its accessible name, a heading (beside a legend `reserve` px wide), body."""
    label, bold = _esc(title), ' font-weight="600"'
    heading = _shorten(title, int((RIGHT - LEFT - reserve) / (CHAR * HEADING / FONT)))
    heading = _text(LEFT, 20, heading, "start", f' font-size="{HEADING}"{bold}')
    footer = _text((LEFT + RIGHT) / 2, height - 8, x_label, attrs=bold) if x_label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{label}" font-family="system-ui, sans-serif" font-size="{FONT}" '
        f'fill="currentColor"><title>{label}</title>{heading}{"".join(body)}{footer}</svg>'
    )


def _no_data(title: str) -> str:
    return _svg(title, [_text(WIDTH / 2, 50, "No data yet", attrs=' opacity="0.6"')], height=68)


def _scale(lo: float, hi: float, start: float, end: float) -> Scale:
    def place(value: float) -> float:  # out-of-range values are pinned to the edge
        return start + (min(max(value, lo), hi) - lo) / (hi - lo) * (end - start)

    return place


def _ticks(
    lo: float, hi: float, *, extend: bool = True, integer: bool = False
) -> tuple[float, float, list[float], list[str]]:
    """About five round ticks over lo..hi (widened to whole steps when extend), and their labels."""
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = (lo, lo + pad) if lo == 0 else (lo - pad, hi + pad)
    raw = (hi - lo) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw * 0.999)
    step = max(step, 1.0) if integer else step
    if extend:
        lo, hi = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
    first, last = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    ticks = [k * step for k in range(first, last + 1)]
    top = max(abs(lo), abs(hi))
    div, suffix = (1e6, "M") if top >= 1e7 else (1e3, "k") if top >= 1e4 else (1.0, "")
    decimals = max(0, -math.floor(math.log10(step / div) + 1e-9))
    return (
        lo,
        hi,
        ticks,
        ["0" if t == 0 and suffix else f"{t / div:,.{decimals}f}{suffix}" for t in ticks],
    )


def _y_axis(ys: Scale, ticks: list[float], labels: list[str], title: str) -> str:
    parts = [f'<path d="M{LEFT},{TOP}V{BOTTOM}H{RIGHT}" fill="none" {AXIS}/>']
    for value, label in zip(ticks, labels, strict=True):
        y = ys(value)
        parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {GRID}/>')
        parts.append(_text(LEFT - 6, y + 4, label, "end"))
    middle = -(TOP + BOTTOM) / 2
    parts.append(_text(middle, 14, _shorten(title, 28), attrs=' transform="rotate(-90)"'))
    return "".join(parts)


def _x_axis(xs: Scale, ticks: list[float], labels: list[str], top: float, bottom: float) -> str:
    parts = []
    for value, label in zip(ticks, labels, strict=True):
        x = xs(value)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" {GRID}/>')
        parts.append(_text(x, bottom + 15, label))
    return "".join(parts)


def _x_labels(
    labels: Sequence[str], x_of: Callable[[int], float], step: float, most: int = 0, keep: int = -1
) -> str:
    """Labels `step` px apart under the plot, thinned so that none overlap (at most `most`).

    The labelled ones fall in step with the `keep` index, or else with the last one.
    """
    width = min(max(len(label) for label in labels), 14) * CHAR + 16
    every = max(math.ceil(width / step), math.ceil(len(labels) / most) if most else 1)
    limit = min(max(int(every * step / CHAR) - 2, 3), 20)
    parts = []
    for i in range((len(labels) - 1 if keep < 0 else keep) % every, len(labels), every):
        text = _shorten(labels[i], limit)
        half = len(text) * CHAR / 2  # keep the label inside the canvas
        parts.append(_text(min(max(x_of(i), half + 2), WIDTH - half - 2), BOTTOM + 15, text))
    return "".join(parts)


def _runs(mask: NDArray[np.bool_]) -> list[list[int]]:
    """The runs of consecutive True positions, as lists of indices."""
    at = np.flatnonzero(mask)
    return [run.tolist() for run in np.split(at, np.flatnonzero(np.diff(at) > 1) + 1) if run.size]


def _band_path(xs: list[float], ys: Scale, low: FloatArray, high: FloatArray) -> str:
    parts = []
    for run in _runs(np.isfinite(low) & np.isfinite(high)):
        upper = "L".join(f"{xs[i]:.1f},{ys(high[i]):.1f}" for i in run)
        lower = "".join(f"L{xs[i]:.1f},{ys(low[i]):.1f}" for i in reversed(run))
        parts.append(f"M{upper}{lower}Z")
    return "".join(parts)


def _line_marks(xs: list[float], ys: Scale, value: FloatArray) -> str:
    runs = _runs(np.isfinite(value))
    line = "".join("M" + "L".join(f"{xs[i]:.1f},{ys(value[i]):.1f}" for i in run) for run in runs)
    # Dots on a dense line merge into a smear: then only lone points (no line through them) get one.
    dots = [i for run in runs for i in run if len(xs) <= 120 or len(run) == 1]
    circles = "".join(f'<circle cx="{xs[i]:.1f}" cy="{ys(value[i]):.1f}" r="2.5"/>' for i in dots)
    stroke = f'fill="none" stroke="{PRIMARY}" stroke-width="2" stroke-linejoin="round"'
    return f'<path d="{line}" {stroke}/><g fill="{PRIMARY}">{circles}</g>'


def line_chart(
    points: Sequence[_Point],
    *,
    title: str,
    y_label: str,
    x_label: str,
    y_range: tuple[float, float] | None = None,
) -> str:
    """A line over ordered (x label, value, band low, band high) points, the band shaded.

    Over 400 points are thinned evenly; a missing value breaks the line, a missing bound the band.
    """
    picked = list(points)
    if len(picked) > MAX_LINE_POINTS:
        at = np.linspace(0, len(picked) - 1, MAX_LINE_POINTS).round().astype(int)
        picked = [picked[i] for i in at]
    grid = np.array([[_num(p[1]), _num(p[2]), _num(p[3])] for p in picked]).reshape(-1, 3)
    if not np.isfinite(grid).any():
        return _no_data(title)
    lo, hi = y_range or (float(np.nanmin(grid)), float(np.nanmax(grid)))
    lo, hi, ticks, labels = _ticks(lo, hi, extend=y_range is None)
    ys, n = _scale(lo, hi, BOTTOM, TOP), len(picked)
    step = (RIGHT - LEFT) / (n - 1) if n > 1 else 0.0
    xs = [LEFT + i * step for i in range(n)] if n > 1 else [(LEFT + RIGHT) / 2]
    band = _band_path(xs, ys, grid[:, 1], grid[:, 2])
    names = [str(point[0]) for point in picked]
    body = [
        _y_axis(ys, ticks, labels, y_label),
        f'<path d="{band}" fill="{PRIMARY}" fill-opacity="0.15"/>' if band else "",
        _line_marks(xs, ys, grid[:, 0]),
        _x_labels(names, lambda i: xs[i], step or RIGHT - LEFT, most=8),
    ]
    return _svg(title, body, x_label)


def _bar(x: float, top: float, bottom: float, width: float, colour: str, tip: str) -> str:
    height = max(bottom - top, 0.5)  # a zero still shows as a hairline
    return (
        f'<rect x="{x:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{colour}"><title>{_esc(tip)}</title></rect>'
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
    kept = [(str(label), v) for label, value in bars if not math.isnan(v := _num(value))]
    kept = kept[-MAX_BARS:]
    if not kept:
        return _no_data(title)
    marked = next((i for i, (label, _) in enumerate(kept) if label == highlight), -1)
    slot = (RIGHT - LEFT) / len(kept)
    widest = max(max(len(_shorten(label, 20)), len(format_number(v))) for label, v in kept)
    if slot < widest * CHAR + 6:
        rows = [(label, [v]) for label, v in kept]
        colours = [[ACCENT if i == marked else PRIMARY] for i in range(len(kept))]
        return _row_chart(rows, colours, title=title, value_label=y_label, row_label=x_label)
    numbers = [v for _, v in kept]
    lo, hi, ticks, labels = _ticks(min(0.0, *numbers), max(0.0, *numbers))
    ys = _scale(lo, hi, BOTTOM, TOP)
    body = [_y_axis(ys, ticks, labels, y_label)]
    for i, (label, v) in enumerate(kept):
        x, (top, bottom) = LEFT + (i + 0.15) * slot, sorted((ys(0), ys(v)))
        colour = ACCENT if i == marked else PRIMARY
        body.append(_bar(x, top, bottom, slot * 0.7, colour, f"{label}: {format_number(v)}"))
        y = top - 4 if v >= 0 else bottom + FONT + 1
        body.append(_text(x + slot * 0.35, y, format_number(v)))
        body.append(_text(x + slot * 0.35, BOTTOM + 15, _shorten(label, 20)))
    if lo < 0:
        body.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{ys(0):.1f}" y2="{ys(0):.1f}" {AXIS}/>')
    return _svg(title, body, x_label)


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
    lo, hi, ticks, labels = _ticks(min(0.0, *numbers), max(0.0, *numbers))
    # The row label sits over the category labels, in bold (about 10% wider).
    widest = max([len(_shorten(label, 32)) for label, _ in rows] + [len(row_label) * 1.1])
    left = LEFT + max(widest * CHAR + 8 - LEFT, 0)
    series = max(len(values) for _, values in rows)
    bar_height = 15.0 if series == 1 else 13.0
    row_height = series * bar_height + 5
    top = TOP + (FONT + 4 if row_label else 0)
    bottom = top + row_height * len(rows)
    right = RIGHT - 6 * CHAR  # room for the value printed after the longest bar
    xs = _scale(lo, hi, left, right)
    body = [_x_axis(xs, ticks, labels, top, bottom)]
    body.append(f'<path d="M{left},{top}V{bottom}H{right}" fill="none" {AXIS}/>')
    if row_label:
        body.append(_text(left - 8, top - 6, row_label, "end", ' font-weight="600"'))
    for r, (label, values) in enumerate(rows):
        y = top + r * row_height + 2.5
        middle = y + series * bar_height / 2
        body.append(_text(left - 8, middle + FONT / 3, _shorten(label, 32), "end"))
        for k, v in enumerate(values):
            start, end = sorted((xs(0), xs(v)))
            name = f"{names[k]}, " if k < len(names) and names[k] else ""
            tip = f"{name}{label}: {format_number(v)}"
            bar_top = y + k * bar_height + 1
            body.append(_bar_across(start, end, bar_top, bar_height - 2, colours[r][k], tip))
            at, anchor = (end + 4, "start") if v >= 0 else (start - 4, "end")
            baseline = bar_top + bar_height / 2 + FONT / 3 - 1
            body.append(_text(at, baseline, format_number(v), anchor))
    if marker is not None:
        body.append(marker(top, bottom, right))
    footer_height = bottom + 48
    text, reserve = legend
    return _svg(title, [*body, text], value_label, footer_height, reserve=reserve)


def _bar_across(start: float, end: float, top: float, height: float, colour: str, tip: str) -> str:
    width = max(end - start, 0.5)  # a zero still shows as a hairline
    return (
        f'<rect x="{start:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" '
        f'fill="{colour}"><title>{_esc(tip)}</title></rect>'
    )


def _legend(entries: list[tuple[str, str]]) -> tuple[str, float]:
    parts, x = [], float(RIGHT)
    for name, colour in reversed(entries):
        text = _shorten(name, 20)
        x -= len(text) * CHAR
        parts.append(_text(x, 20, text, "start"))
        x -= 14
        parts.append(f'<rect x="{x:.1f}" y="11" width="10" height="10" fill="{colour}"/>')
        x -= 12
    return "".join(parts), RIGHT - x


def _row_marker(lo: float, hi: float, value: float, label: str) -> Callable[..., str]:
    """A dashed line across the rows of a histogram at `value` of its binned axis."""

    def draw(top: float, bottom: float, right: float) -> str:
        y = _scale(lo, hi, top, bottom)(value)
        text = f"{label} {format_number(value)}".strip()
        return (
            f'<line x1="{LEFT}" x2="{right:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{ACCENT}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            + _text(right, y - 3, text, "end", f' fill="{ACCENT}"')
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
    main = _finite(values)
    other = _finite(compare) if compare is not None else None
    pooled = main if other is None else np.concatenate([main, other])
    if not pooled.size:
        return _no_data(title)
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
    kept = [(str(r[0]), _num(r[1]), _num(r[2]), _num(r[3])) for r in rows]
    kept = [r for r in kept if not math.isnan(r[1])][:MAX_ROWS]
    if not kept:
        return _no_data(title)
    numbers = [v for row in kept for v in row[1:] if not math.isnan(v)]
    lo, hi, ticks, labels = _ticks(min(numbers), max(numbers))
    left, row_height, bottom = 170, 18, TOP + 18 * len(kept)
    xs, height = _scale(lo, hi, left, RIGHT), bottom + 44
    body = [_x_axis(xs, ticks, labels, TOP, bottom)]
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
            f"<g><title>{_esc(tip)}</title>{_text(left - 8, y + 4, _shorten(label, 26), 'end')}"
            f'<line x1="{start:.1f}" x2="{end:.1f}" y1="{y:.1f}" y2="{y:.1f}" stroke="{PRIMARY}" '
            f'stroke-width="2" stroke-linecap="round"/>'
            f'<circle cx="{xs(estimate):.1f}" cy="{y:.1f}" r="4" fill="{PRIMARY}"/></g>'
        )
    return _svg(title, body, x_label, height)

"""What every chart is drawn with: the canvas and its constants, escaping and shortening text,
number formatting, scales, ticks and axes. Standard library and numpy only; imports no Django."""

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence

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
Point = tuple[str, float | None, float | None, float | None]


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


def escaped(text: object) -> str:
    return html.escape(_XML_INVALID.sub("", str(text)), quote=True)


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def as_number(value: float | None) -> float:
    return float(value) if value is not None and math.isfinite(value) else math.nan


def finite(values: Sequence[float | None]) -> FloatArray:
    array = np.asarray(values, dtype=float)  # None becomes NaN
    return array[np.isfinite(array)]


def text_at(x: float, y: float, text: str, anchor: str = "middle", attrs: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{attrs}>{escaped(text)}</text>'


def svg_document(
    title: str, body: Iterable[str], x_label: str = "", height: float = HEIGHT, reserve: float = 0
) -> str:
    """The whole chart: its accessible name, a heading (beside a legend `reserve` px wide), body."""
    label, bold = escaped(title), ' font-weight="600"'
    heading = shorten(title, int((RIGHT - LEFT - reserve) / (CHAR * HEADING / FONT)))
    heading = text_at(LEFT, 20, heading, "start", f' font-size="{HEADING}"{bold}')
    footer = text_at((LEFT + RIGHT) / 2, height - 8, x_label, attrs=bold) if x_label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-label="{label}" font-family="system-ui, sans-serif" font-size="{FONT}" '
        f'fill="currentColor"><title>{label}</title>{heading}{"".join(body)}{footer}</svg>'
    )


def no_data(title: str) -> str:
    return svg_document(
        title, [text_at(WIDTH / 2, 50, "No data yet", attrs=' opacity="0.6"')], height=68
    )


def linear_scale(lo: float, hi: float, start: float, end: float) -> Scale:
    def place(value: float) -> float:  # out-of-range values are pinned to the edge
        return start + (min(max(value, lo), hi) - lo) / (hi - lo) * (end - start)

    return place


def nice_ticks(
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


def y_axis(ys: Scale, ticks: list[float], labels: list[str], title: str) -> str:
    parts = [f'<path d="M{LEFT},{TOP}V{BOTTOM}H{RIGHT}" fill="none" {AXIS}/>']
    for value, label in zip(ticks, labels, strict=True):
        y = ys(value)
        parts.append(f'<line x1="{LEFT}" x2="{RIGHT}" y1="{y:.1f}" y2="{y:.1f}" {GRID}/>')
        parts.append(text_at(LEFT - 6, y + 4, label, "end"))
    middle = -(TOP + BOTTOM) / 2
    parts.append(text_at(middle, 14, shorten(title, 28), attrs=' transform="rotate(-90)"'))
    return "".join(parts)


def x_axis(xs: Scale, ticks: list[float], labels: list[str], top: float, bottom: float) -> str:
    parts = []
    for value, label in zip(ticks, labels, strict=True):
        x = xs(value)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{bottom}" {GRID}/>')
        parts.append(text_at(x, bottom + 15, label))
    return "".join(parts)


def x_labels(
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
        text = shorten(labels[i], limit)
        half = len(text) * CHAR / 2  # keep the label inside the canvas
        parts.append(text_at(min(max(x_of(i), half + 2), WIDTH - half - 2), BOTTOM + 15, text))
    return "".join(parts)

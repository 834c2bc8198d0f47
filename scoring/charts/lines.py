"""The line chart: values over time with an optional band, downsampled to MAX_LINE_POINTS.
Standard library and numpy only; imports no Django."""

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from scoring.charts.svg import (
    BOTTOM,
    LEFT,
    MAX_LINE_POINTS,
    PRIMARY,
    RIGHT,
    TOP,
    FloatArray,
    Point,
    Scale,
    as_number,
    linear_scale,
    nice_ticks,
    no_data,
    svg_document,
    x_labels,
    y_axis,
)


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
    points: Sequence[Point],
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
    grid = np.array([[as_number(p[1]), as_number(p[2]), as_number(p[3])] for p in picked]).reshape(
        -1, 3
    )
    if not np.isfinite(grid).any():
        return no_data(title)
    lo, hi = y_range or (float(np.nanmin(grid)), float(np.nanmax(grid)))
    lo, hi, ticks, labels = nice_ticks(lo, hi, extend=y_range is None)
    ys, n = linear_scale(lo, hi, BOTTOM, TOP), len(picked)
    step = (RIGHT - LEFT) / (n - 1) if n > 1 else 0.0
    xs = [LEFT + i * step for i in range(n)] if n > 1 else [(LEFT + RIGHT) / 2]
    band = _band_path(xs, ys, grid[:, 1], grid[:, 2])
    names = [str(point[0]) for point in picked]
    body = [
        y_axis(ys, ticks, labels, y_label),
        f'<path d="{band}" fill="{PRIMARY}" fill-opacity="0.15"/>' if band else "",
        _line_marks(xs, ys, grid[:, 0]),
        x_labels(names, lambda i: xs[i], step or RIGHT - LEFT, most=8),
    ]
    return svg_document(title, body, x_label)

"""Latency percentiles as the benchmarks print them: milliseconds, one decimal. Standard library
only; imports no project code."""

import statistics


def percentile_ms(values: list[float], percent: int) -> float | None:
    """The `percent`th percentile of `values` (seconds) in ms; None when there are none."""
    if len(values) < 2:
        return round(values[0] * 1000, 1) if values else None
    return round(statistics.quantiles(values, n=100, method="inclusive")[percent - 1] * 1000, 1)

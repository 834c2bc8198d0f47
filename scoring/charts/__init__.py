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

from scoring.charts.bars import bar_chart, histogram, interval_chart
from scoring.charts.lines import line_chart
from scoring.charts.svg import ACCENT, CHAR, MUTED, PRIMARY, format_number

__all__ = [
    "ACCENT",
    "CHAR",
    "MUTED",
    "PRIMARY",
    "bar_chart",
    "format_number",
    "histogram",
    "interval_chart",
    "line_chart",
]

"""Cost of rendering responses to sanitized HTML, the part of the task page that grows with them.

Renders bench.llm_responses.corpus() (3,000-word answers, table- and code-heavy ones, shorter
ones) with campaigns.rendering.render_markdown, bypassing its per-process cache, in a child
process (`python -m bench.rendering PROJECT`, PROJECT being a checkout of this project, so an
older revision can be measured with the same corpus: see docs/decisions.md). Figures: median and
p90 milliseconds per response by kind, and the first render of a process (which builds the
parser). The parent imports no project code.
"""

import json
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.harness import ROOT
from bench.llm_responses import code_response, long_response, table_response

ROUNDS = 5
KINDS: dict[str, Callable[[int], str]] = {
    "long_3000_words": lambda seed: long_response(seed=seed, words=3000),
    "medium_400_words": lambda seed: long_response(seed=seed, words=400),
    "table_heavy": lambda seed: table_response(seed=seed),
    "code_heavy": lambda seed: code_response(seed=seed),
}


def measure(project: Path) -> dict[str, Any]:
    """In this process: import the project's renderer from `project` and time it."""
    sys.path.insert(0, str(project))
    started = time.perf_counter()
    from campaigns.rendering import render_markdown

    render = render_markdown.__wrapped__  # the per-process lru_cache would hide the cost
    first = render("# warm\n\n*a* `b`\n\n```python\nx = 1\n```")
    figures: dict[str, Any] = {"first_render_ms": round((time.perf_counter() - started) * 1e3, 1)}
    assert "warm" in first
    for kind, make in KINDS.items():
        texts = [make(seed) for seed in range(20)]
        times = []
        for _ in range(ROUNDS):
            for text in texts:
                began = time.perf_counter()
                render(text)
                times.append((time.perf_counter() - began) * 1e3)
        times.sort()
        figures[kind] = {
            "median_ms": round(statistics.median(times), 3),
            "p90_ms": round(times[int(len(times) * 0.9)], 3),
            "html_kb": round(len(str(render(texts[0]))) / 1024, 1),
            "source_kb": round(len(texts[0]) / 1024, 1),
        }
    return figures


def run() -> dict[str, Any]:
    child = subprocess.run(
        [sys.executable, "-m", "bench.rendering", str(ROOT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, Any] = json.loads(child.stdout)
    return figures


if __name__ == "__main__":
    print(json.dumps(measure(Path(sys.argv[1]).resolve()), indent=2))

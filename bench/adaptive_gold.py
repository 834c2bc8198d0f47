"""Adaptive gold against a fixed gold rate on simulated crowds: gold spent, median judgements
until a careless annotator is flagged (scoring's low_gold_accuracy rule), and precision.

The simulation (bench/assignment_sim.py) runs in a child process and touches no database.
BENCH_SEEDS (default 1,2,3,4,5) tunes it.
"""

from typing import Any

from bench.harness import run_worker


def run() -> dict[str, Any]:
    return run_worker("sqlite:///:memory:", "bench.assignment_sim", "adaptive_gold")

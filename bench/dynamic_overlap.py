"""Dynamic overlap against a fixed overlap of 3 on simulated crowds, for the same judgement
budget (3 per record): pair accuracy against the hidden truth, and coverage, side by side.

The simulation (bench/assignment_sim.py) runs in a child process and touches no database.
BENCH_SEEDS (default 1,2,3,4,5) and BENCH_RECORDS (default 2000) tune it.
"""

from typing import Any

from bench.harness import run_worker


def run() -> dict[str, Any]:
    return run_worker("sqlite:///:memory:", "bench.assignment_sim", "dynamic_overlap")

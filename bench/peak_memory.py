"""Kept for the modules not moved yet (bench/scoring_worker.py): peak_rss_kib lives in
bench/common.py. Standard library only."""

from bench.common import peak_rss_kib as peak_rss_kib

"""Benchmarks run by `make bench`: each module listed in run.py exposes run() -> dict of figures."""

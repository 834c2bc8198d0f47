"""Kept for the modules not moved yet (scoring_real): the crowds live in bench/crowds/labels.py."""

from bench.crowds.labels import Shape, Worker, generate, shapes  # noqa: F401 - re-exported

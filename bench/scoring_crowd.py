"""Kept for the modules not moved yet (scoring_load, scoring_worker): the crowd lives in
bench/crowds/arrays.py."""

from bench.crowds.arrays import (  # noqa: F401 - re-exported
    CROWD,
    ISSUES,
    MODELS,
    SEED,
    SLUG,
    Crowd,
    campaign_spec,
    simulate,
)

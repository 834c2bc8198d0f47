"""Writes of the scoring app: run the scoring job and store its snapshots (idempotent)."""

import contextlib
import logging
import time
import zlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from campaigns.models import Annotator, Campaign, CampaignStatus
from db.locks import try_transaction_lock
from db.updates import update_rows, upsert_rows
from scoring import selectors
from scoring.metrics import flags
from scoring.metrics.campaign import CampaignResult, compute_scores
from scoring.models import AnnotatorScore, CampaignScore

log = logging.getLogger(__name__)
_LOCK_NAMESPACE = zlib.crc32(b"crowdeval.score_campaign") & 0x7FFFFFFF

COLUMNS = (
    "gold_accuracy", "gold_low", "gold_p_value", "agreement", "kappa", "consensus_alpha",
    "random_p_value", "random_q_value", "first_shown_share", "first_shown_p_value", "entropy",
    "median_duration_ms", "fast_share", "competence", "skill", "skill_low", "skill_high",
)  # fmt: skip


def thresholds() -> flags.Thresholds:
    return flags.Thresholds.from_mapping(getattr(settings, "SCORING_THRESHOLDS", {}))


@contextlib.contextmanager
def _one_run_at_a_time(campaign_id: int) -> Iterator[bool]:
    """One run per campaign: a PostgreSQL advisory lock held by the run's transaction. It ends
    with the transaction (commit, an error, or a worker whose connection dies), and it holds
    behind a transaction-mode pooler, which serves a transaction on one server connection (a
    session lock was released on another backend there: docs/deploy.md). SQLite serves one
    process (the demo), which runs jobs one at a time anyway."""
    if connection.vendor != "postgresql":
        yield True
        return
    with transaction.atomic():
        yield try_transaction_lock(_LOCK_NAMESPACE, campaign_id)


def score_campaign(*, campaign_id: int) -> CampaignScore | None:
    """Score every annotator and the campaign; None when another run holds the campaign."""
    with _one_run_at_a_time(campaign_id) as acquired:
        if not acquired:
            log.info("campaign %s is being scored by another run", campaign_id)
            return None
        campaign = Campaign.objects.get(pk=campaign_id)
        final = CampaignScore.objects.filter(campaign=campaign, final=True).first()
        if final is not None:
            return final
        started = time.perf_counter()
        limits = thresholds()
        data = selectors.campaign_data(
            campaign,
            chars_per_second=limits.reading_chars_per_second,
            reading_min_ms=limits.reading_min_ms,
        )
        # Same judgements, same numbers: the bootstrap and the tests' tie-breaks are seeded.
        rng = np.random.default_rng([campaign_id, len(data.judgements)])
        result = compute_scores(data, limits, rng)
        elapsed = int((time.perf_counter() - started) * 1000)
        return _store(campaign, data.annotator_keys.tolist(), result, limits, elapsed)


def _quantiles(quality: np.ndarray, judgements: np.ndarray) -> dict[str, float]:
    """Quality at the 50th, 75th and 90th percentiles of people with some evidence: the bands
    shown to contestants are relative to the crowd (quality's scale depends on the campaign)."""
    shown = quality[(judgements >= 10) & (quality > 0)]
    if len(shown) == 0:
        return {}
    return {f"p{p}": float(np.percentile(shown, p)) for p in (50, 75, 90)}


def _nullable(values: np.ndarray) -> list[float | None]:
    """Each value as a Python float, None where it is nan."""
    values = np.asarray(values, dtype=np.float64)
    found = values.astype(object)
    found[np.isnan(values)] = None
    return found.tolist()


@transaction.atomic
def _store(
    campaign: Campaign,
    annotator_ids: list[int],
    result: CampaignResult,
    limits: flags.Thresholds,
    elapsed_ms: int,
) -> CampaignScore:
    now = timezone.now()
    snapshot = _snapshot(campaign, result, limits, elapsed_ms, now)
    # One statement from a column per field (db.updates): bulk_create built a model and
    # prepared every value per annotator, 0.2 ms each (docs/measurements.md).
    upsert_rows(
        AnnotatorScore, "annotator", _score_columns(campaign, annotator_ids, result, snapshot, now)
    )
    _store_on_annotators(annotator_ids, result)
    return snapshot


def _store_on_annotators(annotator_ids: list[int], result: CampaignResult) -> None:
    """The figures the assignment engine reads from the annotator (adaptive gold, the weights
    of dynamic overlap): skill, its lower bound, and whether any flag was raised."""
    c = result.columns
    rows = zip(
        annotator_ids,
        _nullable(c["skill"]),
        _nullable(c["skill_low"]),
        [bool(flags) for flags in result.flags],
        strict=True,
    )
    # One UPDATE from arrays (db.updates): bulk_update's CASE per row took 17.9 s of 20,000
    # annotators' scoring (docs/measurements.md).
    update_rows(Annotator, ["skill", "skill_low", "flagged"], rows)


def _snapshot(
    campaign: Campaign,
    result: CampaignResult,
    limits: flags.Thresholds,
    elapsed_ms: int,
    now: datetime,
) -> CampaignScore:
    """The run's campaign-wide row: its figures, and the thresholds it flagged people with."""
    c = result.columns
    return CampaignScore.objects.create(
        campaign=campaign,
        computed_at=now,
        duration_ms=elapsed_ms,
        judgements=result.judgements,
        annotators=result.annotators,
        alpha=result.main.get("alpha"),
        alpha_low=result.main.get("low"),
        alpha_high=result.main.get("high"),
        control_alpha=result.control.get("alpha"),
        control_alpha_low=result.control.get("low"),
        control_alpha_high=result.control.get("high"),
        questions=result.questions,
        model_strengths=result.models,
        flag_counts=result.flag_counts,
        evidence={
            "thresholds": limits.__dict__,
            "main_question": result.main.get("name"),
            "main_kind": result.main.get("kind"),
            "quality_quantiles": _quantiles(c["quality"], c["judgements"]),
            "flag_null_rates": result.flag_null_rates,
        },
        final=campaign.status == CampaignStatus.CLOSED,
    )


def _score_columns(
    campaign: Campaign,
    annotator_ids: list[int],
    result: CampaignResult,
    snapshot: CampaignScore,
    now: datetime,
) -> dict[str, list[Any]]:
    """The score row of each annotator of the run (in `annotator_ids` order), as a list of
    values per field of AnnotatorScore."""
    c = result.columns
    n = len(annotator_ids)
    counts = result.answer_counts
    evidence = list(result.evidence)
    if counts is not None:  # how often each clicked each answer of the main question, beside all
        everyone = counts.sum(axis=0).tolist()
        evidence = [
            found | {"answers": {"mine": mine, "everyone": everyone}}
            for found, mine in zip(evidence, counts.tolist(), strict=True)
        ]
    integers = lambda name: np.asarray(c[name]).astype(np.int64).tolist()  # noqa: E731
    floats = lambda name: np.asarray(c[name], dtype=np.float64).tolist()  # noqa: E731
    return {
        "annotator_id": annotator_ids,
        "campaign_id": [campaign.pk] * n,
        "run_id": [snapshot.pk] * n,
        "computed_at": [now] * n,
        "judgements": integers("judgements"),
        "gold_seen": integers("gold_seen"),
        "gold_correct": floats("gold_correct"),
        "shared": integers("shared"),
        "longest_run": integers("longest_run"),
        "quality": floats("quality"),
        "score": floats("score"),
        "rank": [rank or None for rank in integers("rank")],
        "flags": list(result.flags),
        "flag_text": [f" {' '.join(flags)} " if flags else "" for flags in result.flags],
        "evidence": evidence,
        **{name: _nullable(c[name]) for name in COLUMNS},
    }

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
from db.updates import update_rows
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


def _answers(result: CampaignResult, i: int) -> dict[str, Any]:
    """How often the annotator clicked each answer of the main question, beside everybody."""
    counts = result.answer_counts
    if counts is None:
        return {}
    return {"answers": {"mine": counts[i].tolist(), "everyone": counts.sum(axis=0).tolist()}}


def _value(x: Any) -> float | None:
    x = float(x)
    return None if np.isnan(x) else x


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
    rows = _annotator_rows(campaign, annotator_ids, result, snapshot, now)
    AnnotatorScore.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["annotator"],
        update_fields=[
            f.name
            for f in AnnotatorScore._meta.concrete_fields
            if f.name not in ("id", "annotator", "campaign")
        ],
    )
    _store_on_annotators(annotator_ids, result)
    return snapshot


def _store_on_annotators(annotator_ids: list[int], result: CampaignResult) -> None:
    """The figures the assignment engine reads from the annotator (adaptive gold, the weights
    of dynamic overlap): skill, its lower bound, and whether any flag was raised."""
    c = result.columns
    rows = [
        (annotator_id, _value(c["skill"][i]), _value(c["skill_low"][i]), bool(result.flags[i]))
        for i, annotator_id in enumerate(annotator_ids)
    ]
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


def _annotator_rows(
    campaign: Campaign,
    annotator_ids: list[int],
    result: CampaignResult,
    snapshot: CampaignScore,
    now: datetime,
) -> list[AnnotatorScore]:
    """One score row per annotator of the run (in `annotator_ids` order), not yet saved."""
    c = result.columns
    return [
        AnnotatorScore(
            annotator_id=annotator_id,
            campaign=campaign,
            run=snapshot,
            computed_at=now,
            judgements=int(c["judgements"][i]),
            gold_seen=int(c["gold_seen"][i]),
            gold_correct=float(c["gold_correct"][i]),
            shared=int(c["shared"][i]),
            longest_run=int(c["longest_run"][i]),
            quality=float(c["quality"][i]),
            score=float(c["score"][i]),
            rank=int(c["rank"][i]) or None,
            flags=result.flags[i],
            flag_text=f" {' '.join(result.flags[i])} " if result.flags[i] else "",
            evidence=result.evidence[i] | _answers(result, i),
            **{name: _value(c[name][i]) for name in COLUMNS},
        )
        for i, annotator_id in enumerate(annotator_ids)
    ]

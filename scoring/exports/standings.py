"""Rows of the quality, leaderboard and models exports, read from the latest scoring snapshot."""

from collections.abc import Iterator
from typing import Any

from campaigns.models import Campaign
from scoring.exports.judged import Tally
from scoring.exports.options import ExportOptions
from scoring.models import AnnotatorScore, CampaignScore
from scoring.selectors.standings import without_excluded

QUALITY_FIELDS = (
    "annotator", "display_name", "judgements", "gold_seen", "gold_correct", "gold_accuracy",
    "agreement", "kappa", "random_p_value", "random_q_value", "position_bias",
    "median_duration_ms", "fast_share", "competence", "skill", "skill_low", "skill_high", "flags",
    "quality", "score", "rank", "status",
)  # fmt: skip
LEADERBOARD_FIELDS = ("rank", "annotator", "display_name", "score", "judgements", "quality")
MODEL_FIELDS = ("model", "strength", "ci_low", "ci_high", "wins", "losses", "ties")


def latest_snapshot(campaign: Campaign) -> CampaignScore | None:
    return CampaignScore.objects.filter(campaign=campaign).order_by("-computed_at", "-id").first()


def _scores(campaign: Campaign, options: ExportOptions, tally: Tally) -> Any:
    scores = AnnotatorScore.objects.filter(campaign=campaign).select_related("annotator__user")
    if not options.include_excluded:
        reason = "excluded annotators"
        scores = without_excluded(scores, "annotator", left_out=tally.left_out, reason=reason)
    return scores


def quality_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    scores = _scores(campaign, options, tally).order_by("-score", "annotator_id")
    for s in scores.iterator(chunk_size=2000):
        yield {
            "annotator": s.annotator.user.username,
            "display_name": s.annotator.display_name,
            "judgements": s.judgements,
            "gold_seen": s.gold_seen,
            "gold_correct": s.gold_correct,
            "gold_accuracy": s.gold_accuracy,
            "agreement": s.agreement,
            "kappa": s.kappa,
            "random_p_value": s.random_p_value,
            "random_q_value": s.random_q_value,
            "position_bias": s.first_shown_share,
            "median_duration_ms": s.median_duration_ms,
            "fast_share": s.fast_share,
            "competence": s.competence,
            "skill": s.skill,
            "skill_low": s.skill_low,
            "skill_high": s.skill_high,
            "flags": s.flags,
            "quality": s.quality,
            "score": s.score,
            "rank": s.rank,
            "status": s.annotator.standing,
        }


def leaderboard_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    # The leaderboard never shows excluded annotators: they hold no rank.
    ranked = AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False)
    ranked = ranked.select_related("annotator__user").order_by("rank")
    for s in ranked.iterator(chunk_size=2000):
        yield {
            "rank": s.rank,
            "annotator": s.annotator.user.username,
            "display_name": s.annotator.display_name,
            "score": s.score,
            "judgements": s.judgements,
            "quality": s.quality,
        }


def model_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    snapshot = latest_snapshot(campaign)
    yield from (snapshot.model_strengths if snapshot else [])

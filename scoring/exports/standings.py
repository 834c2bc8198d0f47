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
    scores = AnnotatorScore.objects.filter(campaign=campaign)
    if not options.include_excluded:
        reason = "excluded annotators"
        scores = without_excluded(scores, "annotator", left_out=tally.left_out, reason=reason)
    return scores


# Each row read as values, not as three model instances (a score's evidence, its annotator and
# the user): at 20,000 annotators the instances took most of the export's time.
QUALITY_VALUES = {
    "annotator": "annotator__user__username",
    "display_name": "annotator__display_name",
    "judgements": "judgements",
    "gold_seen": "gold_seen",
    "gold_correct": "gold_correct",
    "gold_accuracy": "gold_accuracy",
    "agreement": "agreement",
    "kappa": "kappa",
    "random_p_value": "random_p_value",
    "random_q_value": "random_q_value",
    "position_bias": "first_shown_share",
    "median_duration_ms": "median_duration_ms",
    "fast_share": "fast_share",
    "competence": "competence",
    "skill": "skill",
    "skill_low": "skill_low",
    "skill_high": "skill_high",
    "flags": "flags",
    "quality": "quality",
    "score": "score",
    "rank": "rank",
    "status": "annotator__standing",
}
LEADERBOARD_VALUES = {name: QUALITY_VALUES[name] for name in LEADERBOARD_FIELDS}


def _as_rows(scores: Any, columns: dict[str, str]) -> Iterator[dict[str, Any]]:
    names = list(columns)
    for values in scores.values_list(*columns.values()).iterator(chunk_size=2000):
        yield dict(zip(names, values, strict=True))


def quality_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    scores = _scores(campaign, options, tally).order_by("-score", "annotator_id")
    yield from _as_rows(scores, QUALITY_VALUES)


def leaderboard_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    # The leaderboard never shows excluded annotators: they hold no rank.
    ranked = AnnotatorScore.objects.filter(campaign=campaign, rank__isnull=False).order_by("rank")
    yield from _as_rows(ranked, LEADERBOARD_VALUES)


def model_rows(
    campaign: Campaign, options: ExportOptions, tally: Tally
) -> Iterator[dict[str, Any]]:
    snapshot = latest_snapshot(campaign)
    yield from (snapshot.model_strengths if snapshot else [])

"""Create campaigns and move them through their statuses."""

from typing import IO, Any

from django.db import transaction

from campaigns.importing.spec import parse_spec
from campaigns.models import Campaign, CampaignStatus, Record, RecordKind

# Which statuses a campaign may move to from each status. Closed is final: its results are the
# contest's outcome.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    CampaignStatus.DRAFT: (CampaignStatus.ACTIVE, CampaignStatus.CLOSED),
    CampaignStatus.ACTIVE: (CampaignStatus.PAUSED, CampaignStatus.CLOSED),
    CampaignStatus.PAUSED: (CampaignStatus.ACTIVE, CampaignStatus.CLOSED),
    CampaignStatus.CLOSED: (),
}


class StatusChangeRefused(Exception):
    pass


@transaction.atomic
def create_campaign(*, spec: IO[bytes], defaults: dict[str, Any] | None = None) -> Campaign:
    """Create a campaign and its questions from a JSON spec; raise ImportFailed when invalid.

    `defaults` fill fields the spec leaves out (the demo keeps its guidelines in a Markdown file).
    """
    parsed = parse_spec(spec, defaults=defaults or {})
    campaign = parsed.campaign.save(commit=False)
    campaign.status = parsed.status
    campaign.save()
    for position, form in enumerate(parsed.questions):
        question = form.save(commit=False)
        question.campaign = campaign
        question.position = position
        question.save()
    return campaign


def set_campaign_status(*, campaign: Campaign, status: str) -> None:
    """Move a campaign to a new status, if the move is allowed from the status it has now.

    The conditional UPDATE makes two organizers clicking at once safe: only one move applies.
    """
    sources = [old for old, targets in TRANSITIONS.items() if status in targets]
    updated = Campaign.objects.filter(pk=campaign.pk, status__in=sources).update(status=status)
    if not updated:
        raise StatusChangeRefused(f"{campaign.slug}: cannot go from {campaign.status} to {status}")
    campaign.status = status


def activation_warnings(campaign: Campaign) -> list[str]:
    """What will go wrong if this campaign goes live as it is, each with what follows from it.
    Activation is not refused for these: an organizer may mean to add records while it runs."""
    kinds = set(Record.objects.filter(campaign=campaign).values_list("kind", flat=True).distinct())
    gold = Record.objects.filter(campaign=campaign, kind=RecordKind.GOLD).count()
    warnings = []
    name = campaign.slug
    if not campaign.questions.exists():
        warnings.append(f"{name} has no questions: annotators will have nothing to answer.")
    if not kinds:
        warnings.append(f"{name} has no records: annotators will be told nothing is left to do.")
    elif RecordKind.REGULAR not in kinds:
        warnings.append(f"{name} has no regular records: nothing will be judged for the data.")
    need = campaign.leaderboard_min_gold
    if need and gold < need:
        has = f"{gold} gold records" if gold != 1 else "1 gold record"
        warnings.append(
            f"{name}: nobody will ever be ranked: the leaderboard needs {need} gold answers "
            f"per annotator and the campaign has {has}."
        )
    elif need and campaign.gold_rate == 0:
        warnings.append(
            f"{name}: nobody will ever be ranked: the gold rate is 0, so no annotator gets the "
            f"{need} gold records the leaderboard needs."
        )
    elif need and campaign.max_tasks_per_annotator:
        most = int(campaign.max_tasks_per_annotator * campaign.gold_rate)
        if most < need:
            warnings.append(
                f"{name}: nobody will ever be ranked: an annotator does at most "
                f"{campaign.max_tasks_per_annotator} tasks, about {most} of them gold at a gold "
                f"rate of {campaign.gold_rate:g}, and the leaderboard needs {need} gold answers."
            )
    if not gold and not need:
        warnings.append(f"{name} has no gold records: annotators' accuracy cannot be checked.")
    warnings.extend(_qualification_warnings(campaign))
    return warnings


def _qualification_warnings(campaign: Campaign) -> list[str]:
    items = campaign.qualification_items
    if not items:
        return []
    held = Record.objects.filter(campaign=campaign, kind=RecordKind.QUALIFICATION).count()
    name = campaign.slug
    if not held:
        return [
            f"{name} asks for a qualification of {items} records and has none: every annotator "
            "will be told it is not ready, and nobody will get regular work."
        ]
    if held < items:
        return [
            f"{name} asks for a qualification of {items} records and has {held}: each try will "
            f"be {held} records long."
        ]
    return []

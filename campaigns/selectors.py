"""Reads shared by views, admin and commands."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from campaigns.models import (
    Annotator,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Judgement,
    Record,
    RecordKind,
)


def visible_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.filter(status__in=[CampaignStatus.ACTIVE, CampaignStatus.PAUSED])


@dataclass(frozen=True)
class CampaignCounts:
    records: dict[str, int]
    complete_records: int
    judgements: int
    annotators: int
    active_annotators: int

    @property
    def total_records(self) -> int:
        return sum(self.records.values())


def campaign_counts(campaign: Campaign) -> CampaignCounts:
    by_kind = dict(
        Record.objects.filter(campaign=campaign)
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    records = {kind: by_kind.get(kind, 0) for kind in RecordKind.values}
    return CampaignCounts(
        records=records,
        complete_records=complete_records(campaign).count(),
        judgements=Judgement.objects.filter(campaign=campaign).count(),
        annotators=Annotator.objects.filter(campaign=campaign).count(),
        active_annotators=Annotator.objects.filter(campaign=campaign)
        .filter(assignments__status=AssignmentStatus.SUBMITTED)
        .distinct()
        .count(),
    )


def with_submission_counts(records: QuerySet[Record]) -> QuerySet[Record]:
    return records.annotate(
        submitted=Count("assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED))
    )


def complete_records(campaign: Campaign) -> QuerySet[Record]:
    """Regular records that reached the campaign's overlap."""
    return with_submission_counts(
        Record.objects.filter(campaign=campaign, kind=RecordKind.REGULAR)
    ).filter(submitted__gte=campaign.overlap)  # type: ignore[misc]

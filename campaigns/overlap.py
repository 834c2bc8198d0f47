"""How many judgements a regular record may hold: fixed `overlap`, or dynamic up to max_overlap.

A fixed campaign (max_overlap empty, or equal to overlap) keeps a record open while
filled < overlap. A dynamic one keeps it open while filled < overlap, or, once its judgements
disagree (`Record.disputed`, set at submission by campaigns.assignment.settle), while
filled < max_overlap, one more lease at a time (taking a slot ends the dispute; the submission
decides again; a lease given back unjudged reopens it). These conditions are the only
definitions of "open" and "complete".
"""

from typing import Any

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from campaigns.models import Campaign, Record


def is_dynamic(campaign: Campaign) -> bool:
    return campaign.max_overlap is not None and campaign.max_overlap > campaign.overlap


def most_judgements(campaign: Campaign) -> int:
    """The most live leases plus judgements a regular record may hold."""
    return (
        campaign.max_overlap if campaign.max_overlap and is_dynamic(campaign) else campaign.overlap
    )


def has_room(campaign: Campaign) -> Q:
    """Regular records that take another lease (on `filled`: live leases plus judgements)."""
    if not is_dynamic(campaign):
        return Q(filled__lt=campaign.overlap)
    return Q(filled__lt=campaign.overlap) | Q(disputed=True, filled__lt=campaign.max_overlap)


def take_slot(campaign: Campaign) -> dict[str, Any]:
    """The update that takes a slot of a record: one more in `filled`; with dynamic overlap it
    also ends a dispute, so that a disputed record is served one more time at a time."""
    if not is_dynamic(campaign):
        return {"filled": F("filled") + 1}
    return {"filled": F("filled") + 1, "disputed": False}


def reopen_disputed(record_ids: list[int]) -> None:
    """After slots were given back: a record of a dynamic campaign still holding its overlap
    lost a lease taken while it was disputed (a settled record holds none), so it is disputed
    again."""
    Record.objects.filter(
        pk__in=record_ids,
        campaign__max_overlap__gt=F("campaign__overlap"),
        filled__gte=F("campaign__overlap"),
    ).update(disputed=True)


def is_complete(campaign: Campaign, counted: str = "submitted") -> Q:
    """Records that reached their overlap, on a count annotated as `counted` (submitted
    judgements, or `filled`): the overlap, and with dynamic overlap not disputed, or the
    maximum."""
    if not is_dynamic(campaign):
        return Q(**{f"{counted}__gte": campaign.overlap})
    return Q(**{f"{counted}__gte": campaign.max_overlap}) | Q(
        **{f"{counted}__gte": campaign.overlap}, disputed=False
    )


def is_complete_in_its_campaign(counted: str = "submitted") -> Q:
    """`is_complete` for records of many campaigns at once (each read against its own
    campaign's overlap): a fixed campaign never marks a record disputed, and its maximum is its
    overlap."""
    most = Coalesce(F("campaign__max_overlap"), F("campaign__overlap"))
    return Q(**{f"{counted}__gte": most}) | Q(
        **{f"{counted}__gte": F("campaign__overlap")}, disputed=False
    )


def is_incomplete_in_its_campaign(counted: str = "submitted") -> Q:
    """The complement of `is_complete_in_its_campaign`, written out: Django's exclude() of it
    after a filter across assignments dropped every row."""
    most = Coalesce(F("campaign__max_overlap"), F("campaign__overlap"))
    return Q(**{f"{counted}__lt": most}) & (
        Q(**{f"{counted}__lt": F("campaign__overlap")}) | Q(disputed=True)
    )

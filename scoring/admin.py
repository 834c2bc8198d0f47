"""Admin for scoring: the "Score now" action on campaigns and read-only snapshots.

The action is attached to the campaigns app's admin from here, so that `campaigns` never imports
`scoring` (DESIGN.md: arrows point one way).
"""

from functools import partial
from typing import Any

from django.contrib import admin
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from campaigns.admin import CampaignAdmin
from campaigns.models import Campaign
from scoring import tasks
from scoring.models import CampaignScore


@admin.action(description="Score selected campaigns now")
def score_now(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Campaign]
) -> None:
    ids = list(queryset.values_list("id", flat=True))
    for campaign_id in ids:
        transaction.on_commit(partial(tasks.score_campaign.delay, campaign_id))
    modeladmin.message_user(
        request, f"Scoring queued for {len(ids)} campaign{'s' if len(ids) != 1 else ''}."
    )


CampaignAdmin.actions = [*CampaignAdmin.actions, score_now]


@admin.register(CampaignScore)
class CampaignScoreAdmin(admin.ModelAdmin):
    list_display = ["campaign", "computed_at", "judgements", "annotators", "alpha", "final"]
    list_filter = ["final"]
    ordering = ["-computed_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

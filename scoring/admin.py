"""Admin for scoring: the "Score now" action on campaigns and read-only snapshots.

The action is attached to the campaigns app's admin from here, so that `campaigns` never imports
`scoring` (DESIGN.md: arrows point one way).
"""

import logging
from functools import partial
from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from kombu.exceptions import OperationalError as BrokerError

from campaigns.admin.campaigns import CampaignAdmin
from campaigns.models import Campaign
from scoring import tasks
from scoring.models import CampaignScore, ExportToken
from scoring.tokens import revoke_export_tokens, set_new_secret


@admin.action(description="Score selected campaigns now")
def score_now(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Campaign]
) -> None:
    ids = list(queryset.values_list("id", flat=True))
    unqueued: list[int] = []
    for campaign_id in ids:
        transaction.on_commit(partial(_queue, campaign_id, unqueued))
    if unqueued:
        modeladmin.message_user(
            request,
            "The job queue (Redis) is unreachable: nothing was queued. Beat scores active "
            "campaigns once it is back; `manage.py score SLUG` scores one now.",
            messages.ERROR,
        )
        return
    modeladmin.message_user(
        request, f"Scoring queued for {len(ids)} campaign{'s' if len(ids) != 1 else ''}."
    )


def _queue(campaign_id: int, unqueued: list[int]) -> None:
    try:
        tasks.score_campaign.delay(campaign_id)
    except BrokerError:
        log.warning("could not queue scoring of campaign %s: broker unreachable", campaign_id)
        unqueued.append(campaign_id)


log = logging.getLogger(__name__)
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


@admin.register(ExportToken)
class ExportTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "created_by", "created_at", "last_used_at", "revoked_at"]
    filter_horizontal = ["campaigns"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ExportToken, form: Any, change: bool) -> None:
        plaintext = set_new_secret(obj)
        obj.created_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            f"Export token for {obj.name!r}: {plaintext} — copy it now, it is not shown again. "
            "Send it as 'Authorization: Bearer <token>' to "
            "/api/v1/campaigns/<slug>/export/<format>.",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ExportToken]) -> None:
        revoked = revoke_export_tokens(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"Revoked {revoked} token(s).")

"""Read-only admins for what imports and annotators wrote: annotators, assignments, judgements."""

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from campaigns.models import Annotator, Assignment, Judgement
from campaigns.selectors import taking_part


class ReadOnlyAdmin(admin.ModelAdmin):
    """Data written by imports and annotators: organizers may look and delete, not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Annotator)
class AnnotatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "campaign", "display_name", "standing", "joined_at"]
    list_filter = ["standing", "campaign"]
    search_fields = ["user__username", "display_name"]
    list_select_related = ["user", "campaign"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Annotator]:
        return taking_part(super().get_queryset(request))


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyAdmin):
    list_display = ["public_id", "campaign", "annotator", "record", "status", "position"]
    list_filter = ["status", "record_kind", "campaign"]
    list_select_related = ["campaign", "annotator__user", "record"]
    raw_id_fields = ["annotator", "record"]


@admin.register(Judgement)
class JudgementAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "campaign", "submitted_at", "duration_ms", "source"]
    list_filter = ["source", "campaign"]
    list_select_related = ["campaign", "assignment"]
    raw_id_fields = ["assignment"]

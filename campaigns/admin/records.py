"""Admin for records: the completion filter and a preview rendered as the task page renders it."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from campaigns.admin.change_context import ChangeContextAdmin
from campaigns.admin.data import ReadOnlyAdmin
from campaigns.models import AssignmentStatus, Record
from campaigns.overlap import is_complete_in_its_campaign, is_incomplete_in_its_campaign
from campaigns.rendering import render_markdown
from campaigns.selectors import with_submission_counts


def record_preview(record: Record) -> dict[str, Any]:
    """The record rendered as the task page renders it (system prompt and earlier turns of a
    conversation first), the responses in canonical order,
    labelled by model for the organizer."""
    return {
        "system_prompt": render_markdown(record.system_prompt) if record.system_prompt else "",
        "turns": [
            {
                "speaker": "Assistant" if turn.get("role") == "assistant" else "User",
                "html": render_markdown(turn.get("content", "")),
            }
            for turn in record.messages or []
        ],
        "prompt": render_markdown(record.prompt),
        "responses": [
            {"model": response.get("model", ""), "html": render_markdown(response.get("text", ""))}
            for response in record.responses or []
        ],
    }


class CompletionFilter(admin.SimpleListFilter):
    title = "completion"
    parameter_name = "completion"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [
            ("complete", "Reached its overlap"),
            ("in_progress", "In progress"),
            ("untouched", "Untouched"),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        value = self.value()
        if value == "complete":
            return queryset.filter(is_complete_in_its_campaign())
        if value == "in_progress":
            # Counted, not joined: a filter across assignments beside the submitted count (an
            # aggregate) in one condition dropped every row.
            leased = Count("assignments", filter=Q(assignments__status=AssignmentStatus.LEASED))
            started = Q(submitted__gt=0) | Q(leased__gt=0)
            return queryset.annotate(leased=leased).filter(started, is_incomplete_in_its_campaign())
        if value == "untouched":
            return queryset.filter(submitted=0).exclude(assignments__status=AssignmentStatus.LEASED)
        return queryset


@admin.register(Record)
class RecordAdmin(ChangeContextAdmin, ReadOnlyAdmin):
    list_display = ["external_id", "campaign", "kind", "response_count", "submitted"]
    list_filter = ["kind", CompletionFilter, "campaign"]
    search_fields = ["external_id"]
    list_select_related = ["campaign"]

    change_form_template = "admin/campaigns/record/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Record]:
        return with_submission_counts(super().get_queryset(request))

    def change_context(self, record: Record) -> dict[str, Any]:
        return {"preview": record_preview(record)}

    @admin.display(ordering="submitted", description="judgements")
    def submitted(self, record: Record) -> int:
        return record.submitted  # type: ignore[attr-defined]

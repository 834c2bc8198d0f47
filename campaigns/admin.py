"""Django admin for organizers: campaigns with their questions, record uploads, counts."""

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import F, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from accounts.csvfiles import credentials_response
from accounts.models import BatchKind, User
from accounts.services.provisioning import MAX_BATCH
from campaigns.forms import QuestionForm
from campaigns.importing.errors import ImportFailed
from campaigns.importing.sources import file_format
from campaigns.models import (
    Annotator,
    Assignment,
    AssignmentStatus,
    Campaign,
    CampaignStatus,
    Judgement,
    Question,
    Record,
)
from campaigns.rendering import render_markdown
from campaigns.selectors import campaign_counts, with_submission_counts
from campaigns.services.annotators import provision_annotators
from campaigns.services.campaigns import (
    StatusChangeRefused,
    activation_warnings,
    set_campaign_status,
)
from campaigns.services.imports import import_records


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionForm
    extra = 0
    fields = ["position", "name", "title", "help_text", "kind", "required", "choices", "scale_max"]
    ordering = ["position", "id"]


class ProvisionForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=MAX_BATCH, initial=100)
    kind = forms.ChoiceField(
        choices=BatchKind.choices,
        initial=BatchKind.HANDOUT,
        widget=forms.RadioSelect,
        help_text="Handed-out accounts download their credentials file now, once. Pool "
        "accounts are claimed by visitors with 'Join' on the campaign page.",
    )


class RecordUploadForm(forms.Form):
    file = forms.FileField(help_text="JSON Lines (.jsonl) or CSV (.csv); see docs/formats.md.")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            file_format(upload.name)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return upload


def _status_action(status: str, label: str) -> Any:
    def action(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
        for campaign in queryset:
            try:
                set_campaign_status(campaign=campaign, status=status)
            except StatusChangeRefused as refused:
                modeladmin.message_user(request, str(refused), messages.WARNING)
            else:
                modeladmin.message_user(request, f"{campaign.slug}: {label.lower()}.")
                if status == CampaignStatus.ACTIVE:
                    for warning in activation_warnings(campaign):
                        modeladmin.message_user(request, warning, messages.WARNING)

    action.__name__ = f"make_{status}"
    return admin.action(description=f"{label} selected campaigns")(action)


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "status", "overlap", "gold_rate", "created_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status"]
    inlines = [QuestionInline]
    actions = [
        "provision_accounts",
        _status_action(CampaignStatus.ACTIVE, "Activate"),
        _status_action(CampaignStatus.PAUSED, "Pause"),
        _status_action(CampaignStatus.CLOSED, "Close"),
    ]
    change_form_template = "admin/campaigns/campaign/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "guidelines"]}),
        ("Assignment", {"fields": ["overlap", "gold_rate", "lease_seconds",
                                   "max_tasks_per_annotator", "opens_at", "closes_at"]}),
        ("Leaderboard", {"fields": ["leaderboard_visibility", "leaderboard_min_gold"]}),
        ("People", {"fields": ["open_signup"]}),
    ]  # fmt: skip

    @admin.action(description="Provision annotator accounts…")
    def provision_accounts(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Provision one campaign at a time.", messages.WARNING)
            return None
        campaign = queryset.get()
        form = ProvisionForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            pool = form.cleaned_data["kind"] == BatchKind.POOL
            count = form.cleaned_data["count"]
            batch, credentials = provision_annotators(
                campaign=campaign, count=count, pool=pool, created_by=cast(User, request.user)
            )
            if pool:
                self.message_user(request, f"{campaign.slug}: {count} accounts added to the pool.")
                return None
            name = f"{campaign.slug}-accounts-{batch.pk}.csv"
            return credentials_response(credentials, request.build_absolute_uri("/"), name)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Provision accounts for {campaign.title}",
            "campaign": campaign,
            "form": form,
            "opts": self.model._meta,
            "action_name": "provision_accounts",
        }
        return TemplateResponse(request, "admin/campaigns/campaign/provision.html", context)

    def get_urls(self) -> list:
        upload = self.admin_site.admin_view(self.upload_records)
        return [
            path("<int:pk>/upload/", upload, name="campaigns_campaign_upload"),
        ] + super().get_urls()

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        campaign = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if campaign is not None:
            extra["counts"] = campaign_counts(campaign)
            extra["guidelines_html"] = render_markdown(campaign.guidelines)
            extra["upload_form"] = RecordUploadForm()
            extra["upload_url"] = reverse("admin:campaigns_campaign_upload", args=[campaign.pk])
        return super().change_view(request, object_id, form_url, extra)

    def upload_records(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_object_or_404(Campaign, pk=pk)
        if not self.has_change_permission(request, campaign):
            return HttpResponse("You cannot change this campaign.", status=403)
        change_url = reverse("admin:campaigns_campaign_change", args=[pk])
        if request.method != "POST":
            return HttpResponseRedirect(change_url)
        form = RecordUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            for error in form.errors.get("file", []):
                self.message_user(request, f"Upload refused: {error}", messages.ERROR)
            return HttpResponseRedirect(change_url)
        upload = form.cleaned_data["file"]
        try:
            result = import_records(
                campaign=campaign, source=upload, file_format=file_format(upload.name)
            )
        except ImportFailed as failure:
            return TemplateResponse(
                request,
                "admin/campaigns/campaign/upload_failed.html",
                {
                    **self.admin_site.each_context(request),
                    "campaign": campaign,
                    "failure": failure,
                    "file_name": upload.name,
                    "change_url": change_url,
                    "opts": self.model._meta,
                    "title": f"Nothing was imported from {upload.name}",
                },
                status=400,
            )
        detail = ", ".join(f"{n} {k}" for k, n in sorted(result.by_kind.items()))
        self.message_user(request, f"Imported {result.rows} records ({detail}).")
        return HttpResponseRedirect(change_url)


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
            return queryset.filter(submitted__gte=F("campaign__overlap"))
        if value == "in_progress":
            started = Q(submitted__gt=0) | Q(assignments__status=AssignmentStatus.LEASED)
            return queryset.filter(started, submitted__lt=F("campaign__overlap")).distinct()
        if value == "untouched":
            return queryset.filter(submitted=0).exclude(assignments__status=AssignmentStatus.LEASED)
        return queryset


class ReadOnlyAdmin(admin.ModelAdmin):
    """Data written by imports and annotators: organizers may look and delete, not edit."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ["external_id", "campaign", "kind", "response_count", "submitted"]
    list_filter = ["kind", CompletionFilter, "campaign"]
    search_fields = ["external_id"]
    list_select_related = ["campaign"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Record]:
        return with_submission_counts(super().get_queryset(request))

    @admin.display(ordering="submitted", description="judgements")
    def submitted(self, record: Record) -> int:
        return record.submitted  # type: ignore[attr-defined]


@admin.register(Annotator)
class AnnotatorAdmin(ReadOnlyAdmin):
    list_display = ["user", "campaign", "display_name", "standing", "joined_at"]
    list_filter = ["standing", "campaign"]
    search_fields = ["user__username", "display_name"]
    list_select_related = ["user", "campaign"]


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

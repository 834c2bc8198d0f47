"""Admin for campaigns: questions, status actions, account provisioning and record uploads."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from campaigns.admin.change_context import ChangeContextAdmin
from campaigns.admin.provisioning import ProvisioningAdmin
from campaigns.forms import QuestionForm
from campaigns.importing.errors import ImportFailed
from campaigns.importing.sources import file_format
from campaigns.models import Campaign, CampaignStatus, Question
from campaigns.qualification.selectors import item_pass_rates
from campaigns.rendering import render_markdown
from campaigns.selectors import campaign_counts
from campaigns.services.campaigns import (
    StatusChangeRefused,
    activation_warnings,
    set_campaign_status,
)
from campaigns.services.imports import import_records
from campaigns.services.rounds import RoundRefused, close_campaign, new_round


class QuestionInline(admin.StackedInline):
    model = Question
    form = QuestionForm
    extra = 0
    fields = ["position", "name", "title", "help_text", "kind", "required", "choices", "scale_max"]
    ordering = ["position", "id"]


class RecordUploadForm(forms.Form):
    file = forms.FileField(
        help_text="JSON Lines (.jsonl), CSV (.csv) or Parquet (.parquet); see docs/formats.md."
    )

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
                if status == CampaignStatus.CLOSED:
                    close_campaign(campaign=campaign)  # queues the final scoring run too
                else:
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


@admin.action(description="Start the next round of selected campaigns (and close them)")
def start_next_round(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet
) -> None:
    for campaign in queryset:
        try:
            created = new_round(campaign=campaign)
        except RoundRefused as refused:
            modeladmin.message_user(request, str(refused), messages.WARNING)
            continue
        modeladmin.message_user(
            request,
            f"{campaign.slug}: closed, its standings are being made final; round "
            f"{created.round_number} is {created.slug} (no records yet: import or push them).",
        )


@admin.register(Campaign)
class CampaignAdmin(ProvisioningAdmin, ChangeContextAdmin):
    list_display = ["title", "slug", "status", "series", "round_number", "closes_at", "created_at"]
    list_filter = ["status", "series"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["status", "series", "round_number", "qualification_pass_rates"]
    inlines = [QuestionInline]
    actions = [
        "provision_accounts",
        _status_action(CampaignStatus.ACTIVE, "Activate"),
        _status_action(CampaignStatus.PAUSED, "Pause"),
        _status_action(CampaignStatus.CLOSED, "Close"),
        start_next_round,
    ]
    change_form_template = "admin/campaigns/campaign/change_form.html"
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "series", "round_number", "guidelines"]}),
        ("Assignment", {"fields": ["overlap", "max_overlap", "settle_posterior", "gold_rate",
                                   "gold_rate_min", "gold_rate_max", "lease_seconds",
                                   "max_tasks_per_annotator", "opens_at", "closes_at"]}),
        ("Leaderboard", {"fields": ["leaderboard_visibility", "leaderboard_min_gold"]}),
        ("Qualification and feedback", {
            "fields": ["qualification_items", "qualification_pass_share",
                       "qualification_min_skill", "qualification_attempts",
                       "qualification_retry_minutes", "practice_feedback",
                       "qualification_pass_rates"],
            "description": "Annotators answer qualification records (kind 'qualification') "
                           "with feedback before regular work; 0 items: no qualification.",
        }),
        ("People", {"fields": ["open_signup"]}),
        ("Exports", {"fields": ["license"]}),
    ]  # fmt: skip

    @admin.display(description="Pass rate of each qualification record")
    def qualification_pass_rates(self, campaign: Campaign) -> str:
        """Lowest first: a record almost nobody gets right is probably wrong or unclear."""
        rates = item_pass_rates(campaign) if campaign.pk else []
        if not rates:
            return "No qualification records."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    r.record.external_id,
                    r.answered,
                    r.matched,
                    "—" if r.rate is None else f"{r.rate:.0%}",
                )
                for r in rates
            ),
        )
        return format_html(
            "<table><tr><th>record</th><th>answered</th><th>matched</th><th>pass rate</th></tr>"
            "{}</table>",
            rows,
        )

    def get_urls(self) -> list:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/upload/", view(self.upload_records), name="campaigns_campaign_upload"),
            *self.provisioning_urls(),
        ] + super().get_urls()

    def change_context(self, campaign: Campaign) -> dict[str, Any]:
        return {
            "counts": campaign_counts(campaign),
            "guidelines_html": render_markdown(campaign.guidelines),
            "upload_form": RecordUploadForm(),
            "upload_url": reverse("admin:campaigns_campaign_upload", args=[campaign.pk]),
        }

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

"""The campaign admin's provisioning of annotator accounts: the action, its form (made once per
form, whatever the clicks), the page of the batch made and the one download of its credentials."""

import secrets
from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from accounts.csvfiles import credentials_response
from accounts.handover import HANDOVER_SECONDS, keep_for_download, take_for_download, waiting
from accounts.models import BatchKind, GeneratedAccount, ProvisioningBatch, User
from accounts.selectors import claimed
from accounts.services.provisioning import MAX_BATCH
from campaigns.models import Campaign
from campaigns.services.annotators import provision_annotators

FORM_NONCES = "crowdeval_provision_forms"


def _new_form_nonce(request: HttpRequest) -> str:
    """A token for one provisioning form: a batch is made only by the first POST carrying it."""
    nonce = secrets.token_urlsafe(16)
    request.session[FORM_NONCES] = [*request.session.get(FORM_NONCES, [])[-19:], nonce]
    return nonce


def _take_form_nonce(request: HttpRequest) -> bool:
    nonces = request.session.get(FORM_NONCES, [])
    nonce = request.POST.get("nonce", "")
    if nonce not in nonces:
        return False
    request.session[FORM_NONCES] = [n for n in nonces if n != nonce]
    return True


def _provisioned_url(batch: ProvisioningBatch) -> str:
    return reverse("admin:campaigns_campaign_provisioned", args=[batch.campaign_id, batch.pk])


class ProvisionForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=MAX_BATCH, initial=100)
    kind = forms.ChoiceField(
        choices=BatchKind.choices,
        initial=BatchKind.HANDOUT,
        widget=forms.RadioSelect,
        help_text="Handed-out accounts download their credentials file now, once. Pool "
        "accounts are claimed by visitors with 'Join' on the campaign page.",
    )


class ProvisioningAdmin(admin.ModelAdmin):
    """Mixed into CampaignAdmin: its action "provision_accounts" and provisioning_urls()."""

    @admin.action(description="Provision annotator accounts…")
    def provision_accounts(self, request: HttpRequest, queryset: QuerySet[Campaign]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Provision one campaign at a time.", messages.WARNING)
            return None
        campaign = queryset.get()
        form = ProvisionForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and not _take_form_nonce(request):
            return self._already_provisioned(request, campaign)
        if form.is_valid():
            batch, credentials = provision_annotators(
                campaign=campaign,
                count=form.cleaned_data["count"],
                pool=form.cleaned_data["kind"] == BatchKind.POOL,
                created_by=cast(User, request.user),
            )
            if credentials:
                keep_for_download(request.session, batch.pk, credentials)
            return HttpResponseRedirect(_provisioned_url(batch))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Provision accounts for {campaign.title}",
            "campaign": campaign,
            "form": form,
            "nonce": _new_form_nonce(request),
            "opts": self.model._meta,
            "action_name": "provision_accounts",
        }
        return TemplateResponse(request, "admin/campaigns/campaign/provision.html", context)

    def _already_provisioned(self, request: HttpRequest, campaign: Campaign) -> HttpResponse:
        """A second submission of the same form (a double click, a reload): no second batch."""
        latest = ProvisioningBatch.objects.filter(campaign=campaign).order_by("-pk").first()
        self.message_user(
            request,
            "That form was already submitted, so no other batch was made. To make another "
            "batch, run “Provision annotator accounts…” again.",
            messages.WARNING,
        )
        if latest is None:
            return HttpResponseRedirect(reverse("admin:campaigns_campaign_changelist"))
        return HttpResponseRedirect(_provisioned_url(latest))

    def provisioned(self, request: HttpRequest, pk: int, batch_id: int) -> HttpResponse:
        """What the last provisioning made, with the one download of its credentials."""
        batch = get_object_or_404(ProvisioningBatch, pk=batch_id, campaign_id=pk)
        if not self.has_change_permission(request, batch.campaign):
            return HttpResponse("You cannot change this campaign.", status=403)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{batch.size} accounts for {batch.campaign.title}",
            "campaign": batch.campaign,
            "batch": batch,
            "pool": batch.kind == BatchKind.POOL,
            "claimed": GeneratedAccount.objects.filter(batch=batch).filter(claimed()).count(),
            "download_waiting": waiting(request.session, batch.pk),
            "minutes": HANDOVER_SECONDS // 60,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/campaigns/campaign/provisioned.html", context)

    def download_credentials(self, request: HttpRequest, pk: int, batch_id: int) -> HttpResponse:
        batch = get_object_or_404(ProvisioningBatch, pk=batch_id, campaign_id=pk)
        if not self.has_change_permission(request, batch.campaign):
            return HttpResponse("You cannot change this campaign.", status=403)
        credentials = take_for_download(request.session, batch.pk)
        if credentials is None:
            self.message_user(
                request,
                "The credentials file can be downloaded once, by whoever made the batch, within "
                f"{HANDOVER_SECONDS // 60} minutes. For new credentials, rotate the batch.",
                messages.ERROR,
            )
            return HttpResponseRedirect(_provisioned_url(batch))
        name = f"{batch.campaign.slug}-accounts-{batch.pk}.csv"
        return credentials_response(credentials, request.build_absolute_uri("/"), name)

    def provisioning_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/provisioned/<int:batch_id>/",
                view(self.provisioned),
                name="campaigns_campaign_provisioned",
            ),
            path(
                "<int:pk>/provisioned/<int:batch_id>/credentials.csv",
                view(self.download_credentials),
                name="campaigns_campaign_credentials",
            ),
        ]

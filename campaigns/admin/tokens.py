"""Admin for ingest tokens: made here, shown once, revoked."""

from typing import Any, cast

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.credentials import set_new_secret
from accounts.models import User
from campaigns.models import IngestToken
from campaigns.services.ingest_tokens import revoke_ingest_tokens


@admin.register(IngestToken)
class IngestTokenAdmin(admin.ModelAdmin):
    """Tokens with which apps push records into one campaign: made here, shown once, revoked."""

    list_display = ["name", "campaign", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["campaign"]
    list_select_related = ["campaign", "created_by"]
    actions = ["revoke"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: IngestToken, form: Any, change: bool) -> None:
        plaintext = set_new_secret(obj)
        obj.created_by = cast(User, request.user)
        super().save_model(request, obj, form, change)
        self.message_user(
            request,
            f"Ingest token for {obj.name!r}: {plaintext} — copy it now, it is not shown again. "
            "Send it as 'Authorization: Bearer <token>' to "
            f"/api/v1/campaigns/{obj.campaign.slug}/records.",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke(self, request: HttpRequest, queryset: QuerySet[IngestToken]) -> None:
        revoked = revoke_ingest_tokens(ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"Revoked {revoked} token(s).")

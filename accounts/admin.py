"""Admin for users, provisioning batches (revoke, rotate) and login links."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from accounts.csvfiles import credentials_response
from accounts.models import GeneratedAccount, LoginToken, ProvisioningBatch, User
from accounts.services.provisioning import revoke_batch, rotate_batch


@admin.register(User)
class CrowdevalUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Contact", {"fields": ["contact"]}))  # type: ignore[misc]
    list_display = ["username", "email", "contact", "is_active", "is_staff", "last_login"]


@admin.register(ProvisioningBatch)
class ProvisioningBatchAdmin(admin.ModelAdmin):
    list_display = ["__str__", "campaign", "kind", "size", "claimed", "created_at", "revoked_at"]
    list_filter = ["kind", "campaign"]
    readonly_fields = ["campaign", "kind", "size", "created_by", "created_at", "rotated_at",
                       "revoked_at"]  # fmt: skip
    actions = ["revoke", "rotate"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ProvisioningBatch]:
        claimed = Count("accounts", filter=Q(accounts__claimed_at__isnull=False))
        return super().get_queryset(request).select_related("campaign").annotate(claimed=claimed)

    @admin.display(description="claimed", ordering="claimed")
    def claimed(self, batch: ProvisioningBatch) -> int:
        return int(batch.claimed)  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # batches are made by the "Provision accounts" action on a campaign

    @admin.action(description="Revoke: deactivate every account and link of the batch")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ProvisioningBatch]) -> None:
        for batch in queryset:
            count = revoke_batch(batch=batch)
            self.message_user(request, f"{batch}: {count} accounts deactivated.")

    @admin.action(description="Rotate: new passwords and links (downloads the credentials file)")
    def rotate(self, request: HttpRequest, queryset: QuerySet[ProvisioningBatch]) -> Any:
        if queryset.count() != 1:
            self.message_user(request, "Rotate one batch at a time.", messages.WARNING)
            return None
        batch = queryset.get()
        try:
            credentials = rotate_batch(batch=batch)
        except ValueError as error:
            self.message_user(request, str(error), messages.ERROR)
            return None
        base_url = request.build_absolute_uri("/")
        return credentials_response(credentials, base_url, f"batch-{batch.pk}-rotated.csv")


@admin.register(GeneratedAccount)
class GeneratedAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "batch", "claimed_at"]
    list_filter = [("claimed_at", admin.EmptyFieldListFilter), "batch__campaign"]
    search_fields = ["user__username"]
    list_select_related = ["user", "batch__campaign"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LoginToken)
class LoginTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username"]
    list_select_related = ["user"]
    exclude = ["digest"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

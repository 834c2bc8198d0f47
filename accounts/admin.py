"""Admin for users, provisioning batches (revoke, rotate) and login links."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from accounts.csvfiles import credentials_response
from accounts.models import GeneratedAccount, LoginToken, ProvisioningBatch, User
from accounts.selectors import claimed
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
        taken = Count("accounts", filter=claimed("accounts__"))
        return super().get_queryset(request).select_related("campaign").annotate(taken=taken)

    @admin.display(description="claimed (pool) or logged in", ordering="taken")
    def claimed(self, batch: ProvisioningBatch) -> int:
        return int(batch.taken)  # type: ignore[attr-defined]

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


class ClaimedFilter(admin.SimpleListFilter):
    title = "claimed"
    parameter_name = "claimed"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list:
        return [("yes", "Claimed or logged in"), ("no", "Nobody has it yet")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        if self.value() == "yes":
            return queryset.filter(claimed())
        if self.value() == "no":
            return queryset.exclude(claimed())
        return queryset


@admin.register(GeneratedAccount)
class GeneratedAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "batch", "claimed_at", "last_login"]
    list_filter = [ClaimedFilter, "batch__campaign"]
    search_fields = ["user__username"]
    list_select_related = ["user", "batch__campaign"]

    @admin.display(description="last login", ordering="user__last_login")
    def last_login(self, account: GeneratedAccount) -> Any:
        return account.user.last_login

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

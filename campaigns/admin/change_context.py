"""A change page with more in its template's context: what the campaign and record admins show
beside the form (counts, previews). Imports no other admin."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse


class ChangeContextAdmin(admin.ModelAdmin):
    def change_context(self, obj: Any) -> dict[str, Any]:
        """What the change page of `obj` shows beyond the form."""
        return {}

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        found = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if found is not None:
            extra.update(self.change_context(found))
        return super().change_view(request, object_id, form_url, extra)

"""Admin for series: renamed here; made by "Start the next round"."""

from typing import Any

from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from campaigns.models import Series


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    """A series is made by "Start the next round" on its first campaign; here it is renamed."""

    list_display = ["title", "slug", "rounds_count", "created_at"]
    search_fields = ["title", "slug"]
    readonly_fields = ["slug"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Series]:
        return super().get_queryset(request).annotate(rounds_total=Count("rounds"))

    @admin.display(description="rounds", ordering="rounds_total")
    def rounds_count(self, series: Any) -> int:
        return int(series.rounds_total)

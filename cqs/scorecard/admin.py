"""Administration of the scorecard's data: province-wide, for the system administrator
(`Action.MANAGE_SCORECARD`); every save and delete goes through the audited helpers."""

from django.contrib import admin

from cqs.core.admin_scoping import ScopedAdmin
from cqs.org.permissions import Action
from cqs.scorecard.models import IndexGroup, IndexIndicator, ReportedIndicator, ReportedValue, Target


class ScorecardAdmin(ScopedAdmin):
    permission = Action.MANAGE_SCORECARD


@admin.register(Target)
class TargetAdmin(ScorecardAdmin):
    list_display = ["code", "title", "year", "value", "unit", "comparison", "indicator", "level", "source_document"]
    list_filter = ["year", "level"]
    search_fields = ["code", "title", "title_en"]


@admin.register(ReportedIndicator)
class ReportedIndicatorAdmin(ScorecardAdmin):
    list_display = ["code", "title", "unit"]
    search_fields = ["code", "title"]


@admin.register(ReportedValue)
class ReportedValueAdmin(ScorecardAdmin):
    list_display = ["indicator", "period_start", "period_end", "value", "source_document", "entered_by", "entered_at"]
    list_filter = ["indicator"]
    exclude = ["entered_by"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        obj.entered_by = request.user  # who entered the figure shown beside it
        super().save_model(request, obj, form, change)


@admin.register(IndexGroup)
class IndexGroupAdmin(ScorecardAdmin):
    list_display = ["code", "title", "points"]


@admin.register(IndexIndicator)
class IndexIndicatorAdmin(ScorecardAdmin):
    list_display = ["code", "title", "group", "weight", "threshold", "formula"]
    list_filter = ["group"]

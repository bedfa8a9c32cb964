from django.contrib import admin

from cqs.calendar.models import CalendarOverride
from cqs.core.admin_scoping import ScopedAdmin
from cqs.org.permissions import Action


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(ScopedAdmin):
    permission = Action.MANAGE_CALENDAR
    list_display = ["day", "working", "reason", "source_document", "created_by", "created_at"]
    list_filter = ["working"]
    search_fields = ["reason", "source_document"]
    date_hierarchy = "day"
    exclude = ["created_by"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

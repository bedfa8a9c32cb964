from django.contrib import admin

from cqs.audit.models import AuditEvent
from cqs.org.permissions import Action, has_permission


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail can be searched, never edited."""

    list_display = ["occurred_at", "actor_label", "action", "object_type", "object_repr"]
    list_filter = ["action", "object_type"]
    search_fields = ["object_id", "object_repr", "actor_label"]
    date_hierarchy = "occurred_at"

    def has_module_permission(self, request):  # type: ignore[no-untyped-def]
        return has_permission(request.user, Action.MANAGE_UNITS)

    def has_view_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return self.has_module_permission(request)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
